import Foundation
import Glibc
import Testing

/// How config.json's mounts look from inside the container: the modes,
/// flags and order the runtime gives them (config.md#mounts), read from
/// stat and /proc/self/mountinfo.
@Suite(.integration, .timeLimit(.minutes(1)))
struct MountTests {
    /// The container's mountinfo entry for `mountPoint` (the last, topmost).
    static func entry(_ mountPoint: String, in mountinfo: String) -> MountInfo? {
        MountInfo.parse(mountinfo).last { $0.mountPoint == mountPoint }
    }

    // MARK: tmpfs

    /// runc copies the covered directory's mode onto a tmpfs without
    /// `mode=`; an explicit mode wins.
    @Test func aTmpfsWithoutModeTakesTheModeOfTheDirectoryItCovers() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let result = try sandbox.runShell("stat -c %a /cache /spool /fresh") { bundle in
            for (directory, mode) in [("cache", 0o750), ("spool", 0o700)] as [(String, mode_t)] {
                try FileManager.default.createDirectory(atPath: bundle.rootfs + "/" + directory, withIntermediateDirectories: true)
                chmod(bundle.rootfs + "/" + directory, mode)
            }
            bundle.addMount(destination: "/cache", type: "tmpfs", source: "tmpfs", options: ["size=1m"])
            bundle.addMount(destination: "/spool", type: "tmpfs", source: "tmpfs", options: ["size=1m", "mode=1777"])
            bundle.addMount(destination: "/fresh", type: "tmpfs", source: "tmpfs", options: ["nosuid"])
        }
        #expect(result.succeeded, "\(result)")
        // /fresh is made by the runtime (0755) before the tmpfs covers it.
        #expect(result.stdout == "750\n1777\n755\n", "\(result)")
    }

    /// A read-only /dev: the devices, the /dev links and the /dev/pts and
    /// /dev/shm mount points are made in it first, and it turns read-only
    /// after.
    @Test func aReadOnlyDevTmpfsIsFilledFirstAndReadOnlyAfter() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let script = """
            ls -d /dev/null /dev/zero /dev/pts /dev/shm /dev/fd /dev/ptmx
            touch /dev/new 2>/dev/null && echo written || echo refused
            cat /proc/self/mountinfo
            """
        let result = try sandbox.runShell(script) { bundle in
            bundle.mounts[1]["options"] = ["nosuid", "strictatime", "mode=755", "size=65536k", "ro"]
        }
        #expect(result.succeeded, "\(result)")
        // ls sorts its arguments.
        #expect(result.stdout.hasPrefix("/dev/fd\n/dev/null\n/dev/ptmx\n/dev/pts\n/dev/shm\n/dev/zero\nrefused\n"), "\(result)")
        let dev = MountTests.entry("/dev", in: result.stdout)
        #expect(dev?.fileSystemType == "tmpfs", "\(result.stdout)")
        #expect(dev?.mountOptions.contains("ro") == true, "\(String(describing: dev))")
        #expect(dev?.mountOptions.contains("nosuid") == true, "\(String(describing: dev))")
        #expect(MountTests.entry("/dev/pts", in: result.stdout)?.fileSystemType == "devpts", "\(result.stdout)")
        #expect(MountTests.entry("/dev/shm", in: result.stdout)?.mountOptions.contains("rw") == true, "\(result.stdout)")
    }

    // MARK: bind mount sources

    /// A bind source under the rootfs is looked up when the mounts before
    /// it are in place, as runc does: here it is a directory of the tmpfs
    /// at /data (made as the mount point of /data/sub), while the image has
    /// a plain file at data/sub under that tmpfs. The source, not the file,
    /// decides that /other is a directory.
    @Test func aBindSourceUnderTheRootfsIsTheOneTheEarlierMountsShow() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let result = try sandbox.runShell("echo from-tmpfs > /data/sub/marker; stat -c %F /other; cat /other/marker") {
            bundle in
            try FileManager.default.createDirectory(atPath: bundle.rootfs + "/data", withIntermediateDirectories: true)
            try bundle.writeRootfsFile("data/sub", "a file of the image\n")
            bundle.addMount(destination: "/data", type: "tmpfs", source: "tmpfs", options: ["size=1m"])
            bundle.addMount(destination: "/data/sub", type: "tmpfs", source: "tmpfs", options: ["size=1m"])
            bundle.addMount(destination: "/other", type: "bind", source: bundle.rootfs + "/data/sub", options: ["bind"])
        }
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout == "directory\nfrom-tmpfs\n", "\(result)")
    }

    /// In a user namespace the container's root (host uid 100000) cannot
    /// pass a directory of mode 0700 owned by the host's root, as on the
    /// way to a volume under /var/lib/docker: the runtime opens such a
    /// source with its own credentials (runc asks its host side alike).
    @Test func aBindSourceTheMappedRootCannotReachIsStillMounted() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        sandbox.allowMappedRoot()
        let hidden = sandbox.path + "/hidden"
        try FileManager.default.createDirectory(atPath: hidden + "/volume", withIntermediateDirectories: true)
        chmod(hidden, 0o700)
        chmod(hidden + "/volume", 0o755)
        try Data("from-the-volume\n".utf8).write(to: URL(fileURLWithPath: hidden + "/volume/greeting"))
        chmod(hidden + "/volume/greeting", 0o644)
        let result = try sandbox.runShell("cat /volume/greeting") { bundle in
            try NamespaceTests.mapRootTo100000(bundle)
            bundle.addMount(destination: "/volume", type: "bind", source: hidden + "/volume", options: ["rbind"])
        }
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout == "from-the-volume\n", "\(result)")
    }

    // MARK: bind mount flags

    /// A tmpfs mounted nosuid, nodev, noexec and read-only in the test's own
    /// directory (private, so nothing propagates), unmounted by `release`.
    static func restrictedSource(in sandbox: Sandbox) throws -> String {
        let source = sandbox.path + "/restricted"
        try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
        try Host.mustRun("/bin/mount", ["-t", "tmpfs", "-o", "nosuid,nodev,noexec,ro,size=1m", "berth-it", source])
        try Host.mustRun("/bin/mount", ["--make-private", source])
        return source
    }

    static func release(_ source: String) {
        _ = try? Subprocess.run("/bin/umount", [source])
    }

    /// `suid`, `dev`, `exec` and `rw` clear what the source has; without
    /// them (another flag asked, so the mount is remounted) the source's
    /// flags stay.
    @Test func bindOptionsThatClearAFlagClearIt() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let source = try MountTests.restrictedSource(in: sandbox)
        defer { MountTests.release(source) }
        let result = try sandbox.runShell("cat /proc/self/mountinfo") { bundle in
            bundle.addMount(destination: "/cleared", type: "bind", source: source,
                            options: ["bind", "suid", "dev", "exec", "rw"])
            bundle.addMount(destination: "/kept", type: "bind", source: source, options: ["bind", "noatime"])
        }
        #expect(result.succeeded, "\(result)")
        let cleared = try #require(MountTests.entry("/cleared", in: result.stdout), "\(result.stdout)")
        for flag in ["nosuid", "nodev", "noexec", "ro"] {
            #expect(!cleared.mountOptions.contains(flag), "\(flag): \(cleared)")
        }
        #expect(cleared.mountOptions.contains("rw"), "\(cleared)")
        let kept = try #require(MountTests.entry("/kept", in: result.stdout), "\(result.stdout)")
        for flag in ["nosuid", "nodev", "noexec", "ro", "noatime"] {
            #expect(kept.mountOptions.contains(flag), "\(flag): \(kept)")
        }
    }

    /// In a user namespace the kernel locks the source's nosuid, nodev,
    /// noexec and ro on the bind: asking to clear them (and to set another
    /// flag) keeps them instead of failing the container with EPERM.
    @Test func flagsTheKernelLockedInAUserNamespaceAreKept() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        sandbox.allowMappedRoot()
        let source = try MountTests.restrictedSource(in: sandbox)
        defer { MountTests.release(source) }
        let result = try sandbox.runShell("cat /proc/self/mountinfo") { bundle in
            try NamespaceTests.mapRootTo100000(bundle)
            bundle.addMount(destination: "/locked", type: "bind", source: source,
                            options: ["bind", "suid", "exec", "rw", "nosymfollow"])
        }
        #expect(result.succeeded, "\(result)")
        let locked = try #require(MountTests.entry("/locked", in: result.stdout), "\(result.stdout)")
        for flag in ["nosuid", "nodev", "noexec", "ro", "nosymfollow"] {
            #expect(locked.mountOptions.contains(flag), "\(flag): \(locked)")
        }
    }
}
