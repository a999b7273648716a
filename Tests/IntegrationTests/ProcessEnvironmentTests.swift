import Foundation
import Glibc
import Testing

/// What the container's process sees, observed from inside with `run` in the
/// foreground: its stdout comes through the runtime's stdout, its exit code
/// becomes the runtime's (config.md#process, config-linux.md).
@Suite(.integration, .timeLimit(.minutes(1)))
struct ProcessEnvironmentTests {
    @Test func runPrintsWhatTheProcessPrints() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let result = try sandbox.runShell("echo hello; echo to-stderr >&2")
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout == "hello\n")
        #expect(result.stderr.contains("to-stderr"))
    }

    @Test func theProcessIsPidOneInANewPidNamespace() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let result = try sandbox.runShell("echo $$")
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout == "1\n")
    }

    @Test func theHostnameComesFromTheConfig() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let result = try sandbox.runShell("hostname") { $0.top["hostname"] = "berth-host-name" }
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout == "berth-host-name\n")
    }

    @Test func runExitsWithTheProcessExitCode() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let result = try sandbox.runShell("exit 3")
        #expect(result.status == 3, "\(result)")
    }

    /// Without a pid namespace: pid 1 of a namespace would ignore its own SIGKILL.
    @Test func runExitsWith128PlusTheSignalThatKilledTheProcess() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let result = try sandbox.runShell("kill -9 $$; echo survived") { bundle in
            bundle.linux["namespaces"] = ["mount", "ipc", "uts", "network"].map { ["type": $0] }
        }
        #expect(result.status == 137, "\(result)")
        #expect(result.stdout.isEmpty)
    }

    @Test func environmentAndWorkingDirectoryAreApplied() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        var bundlePath = ""
        let result = try sandbox.runShell(#"echo "$GREETING"; pwd; env | sort"#) { bundle in
            bundlePath = bundle.path
            bundle.process["env"] = (bundle.process["env"] as! [String]) + ["GREETING=hello world", "EMPTY="]
            bundle.process["cwd"] = "/tmp/work"  // missing from the rootfs
        }
        #expect(result.succeeded, "\(result)")
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(Array(lines.prefix(2)) == ["hello world", "/tmp/work"])
        #expect(lines.contains("EMPTY="))
        #expect(lines.contains("PATH=/bin:/usr/bin:/sbin"))
        #expect(FileManager.default.fileExists(atPath: bundlePath + "/rootfs/tmp/work"))
    }

    @Test func userGroupAndAdditionalGroupsAreApplied() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let result = try sandbox.runShell("id -u; id -g; id -G") { bundle in
            bundle.process["user"] = ["uid": 1000, "gid": 1000, "additionalGids": [10, 20]]
        }
        #expect(result.succeeded, "\(result)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        try #require(lines.count == 3, "\(result)")
        #expect(lines[0] == "1000")
        #expect(lines[1] == "1000")
        // Whether the primary group is repeated among the supplementary ones
        // is up to the runtime; the additional groups must be there.
        let groups = Set(lines[2].split(separator: " ").map(String.init))
        #expect(groups.isSuperset(of: ["10", "20"]) && groups.isSubset(of: ["10", "20", "1000"]), "\(groups)")
    }

    @Test func umaskIsApplied() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let result = try sandbox.runShell("umask") { bundle in
            bundle.process["user"] = ["uid": 0, "gid": 0, "umask": 0o077]
        }
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout == "0077\n")
    }

    @Test func rlimitsAreApplied() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let result = try sandbox.runShell("ulimit -n; ulimit -H -n") { bundle in
            bundle.process["rlimits"] = [["type": "RLIMIT_NOFILE", "soft": 1234, "hard": 1234]]
        }
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout == "1234\n1234\n")
    }

    @Test func oomScoreAdjIsApplied() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let result = try sandbox.runShell("cat /proc/self/oom_score_adj") { $0.process["oomScoreAdj"] = 100 }
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout == "100\n")
    }

    @Test func theOldRootIsGone() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        var bundle: Bundle?
        let result = try sandbox.runShell("ls -a /; echo ---; cat /proc/self/mountinfo") { bundle = $0 }
        #expect(result.succeeded, "\(result)")
        let parts = result.stdout.components(separatedBy: "---\n")
        try #require(parts.count == 2, "\(result)")

        // `/` holds exactly what the rootfs holds (the runtime may have made
        // mount points in it, which the host then sees as well).
        let inside = Set(parts[0].split(separator: "\n").map(String.init)).subtracting([".", ".."])
        let onHost = Set(try FileManager.default.contentsOfDirectory(atPath: bundle!.rootfs))
        #expect(inside == onHost)

        // Every mount is the root or one of the config's mounts (or under
        // one, such as device nodes bound into /dev): no old root anywhere.
        let destinations = bundle!.mounts.compactMap { $0["destination"] as? String }
        for mount in MountInfo.parse(parts[1]) {
            let expected = mount.mountPoint == "/"
                || destinations.contains { mount.mountPoint == $0 || mount.mountPoint.hasPrefix($0 + "/") }
            #expect(expected, "unexpected mount \(mount.mountPoint)")
        }
    }

    @Test func aReadonlyRootfsCannotBeWritten() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        var rootfs = ""
        let result = try sandbox.runShell("touch /x && echo written || echo refused") { bundle in
            rootfs = bundle.rootfs
            bundle.root["readonly"] = true
        }
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout == "refused\n")
        #expect(!FileManager.default.fileExists(atPath: rootfs + "/x"))
    }

    @Test func aBindMountFromTheBundleAppearsAtItsDestination() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let shared = sandbox.path + "/shared"
        try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: true)
        try Data("from the host\n".utf8).write(to: URL(fileURLWithPath: shared + "/greeting"))
        try Data("read only\n".utf8).write(to: URL(fileURLWithPath: shared + "/fixed"))
        let readOnly = sandbox.path + "/readonly"
        try FileManager.default.createDirectory(atPath: readOnly, withIntermediateDirectories: true)

        let result = try sandbox.runShell("""
            cat /mnt/shared/greeting; echo written > /mnt/shared/reply
            touch /mnt/readonly/x && echo ro-written || echo ro-refused
            """) { bundle in
            bundle.addMount(destination: "/mnt/shared", type: "bind", source: shared, options: ["rbind"])
            bundle.addMount(destination: "/mnt/readonly", type: "bind", source: readOnly, options: ["rbind", "ro"])
        }
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout == "from the host\nro-refused\n")
        #expect(try String(contentsOfFile: shared + "/reply", encoding: .utf8) == "written\n")
        #expect(!FileManager.default.fileExists(atPath: readOnly + "/x"))
    }

    @Test func mountOptionsBecomeMountFlags() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let result = try sandbox.runShell("cat /proc/self/mountinfo") { bundle in
            bundle.addMount(destination: "/scratch", type: "tmpfs", source: "tmpfs",
                            options: ["nosuid", "nodev", "noexec", "size=1m"])
        }
        #expect(result.succeeded, "\(result)")
        let mount = try #require(MountInfo.parse(result.stdout).last { $0.mountPoint == "/scratch" }, "\(result)")
        #expect(mount.fileSystemType == "tmpfs")
        #expect(Set(mount.mountOptions).isSuperset(of: ["nosuid", "nodev", "noexec"]), "\(mount)")
        #expect(mount.superOptions.contains("size=1024k"), "\(mount)")
    }

    /// A symlink in the image must not redirect a mount onto the host: the
    /// runtime either refuses, or resolves the link inside the rootfs.
    @Test func cve_2021_30465_aSymlinkInTheRootfsCannotRedirectAMountOntoTheHost() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let target = sandbox.path + "/host-target"
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)

        let result = try sandbox.runShell("cat /proc/self/mountinfo") { bundle in
            try FileManager.default.createSymbolicLink(atPath: bundle.rootfs + "/evil", withDestinationPath: target)
            bundle.addMount(destination: "/evil/x", type: "tmpfs", source: "tmpfs", options: ["size=1m"])
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: target).isEmpty, "the runtime wrote to the host")
        #expect(sandbox.leftoverMounts().isEmpty)
        if result.succeeded {
            // Then the mount is inside the container, at the link's target
            // resolved in the rootfs.
            let mounts = MountInfo.parse(result.stdout)
            #expect(mounts.contains { $0.mountPoint == target + "/x" && $0.fileSystemType == "tmpfs" }, "\(result)")
        } else {
            #expect(!result.timedOut && !result.stderr.isEmpty, "\(result)")
        }
    }

    @Test func devHasTheStandardDevices() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let result = try sandbox.runShell("""
            for d in null zero full random urandom tty ptmx; do test -c /dev/$d || echo "no /dev/$d"; done
            echo discarded > /dev/null && echo null-writable
            head -c 4 /dev/zero | od -An -tx1
            """)
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                == ["null-writable", "00 00 00 00"])
    }
}
