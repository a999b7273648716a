import Foundation
import Testing

/// The runtime's own hardening, one regression test per advisory class,
/// named after it (the CVE-2021-30465 class, mount destinations through
/// symlinks, is ProcessEnvironmentTests.cve_2021_30465_…).
@Suite(.integration) struct HardeningTests {
    /// CVE-2019-5736 class: a container whose program is a script with
    /// `#!/proc/self/exe` must not get the runtime's binary executed in it
    /// (and so no handle to overwrite it).
    @Test func cve_2019_5736_aScriptNamingProcSelfExeDoesNotRunTheRuntime() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let before = try Data(contentsOf: URL(fileURLWithPath: sandbox.runtime.binary))
        let id = sandbox.newID("exe")
        let bundle = try sandbox.makeBundle(id)
        try bundle.writeRootfsFile("evil", "#!/proc/self/exe\n")
        chmod(bundle.rootfs + "/evil", 0o755)
        bundle.args = ["/evil"]
        try bundle.write()
        let result = try sandbox.runtime.run(["run", "--bundle", bundle.path, id])
        #expect(!result.succeeded, "\(result)")
        #expect(!result.stdout.contains("USAGE") && !result.stderr.contains("USAGE"), "the runtime ran inside: \(result)")
        if sandbox.runtime.isBerth {
            #expect(result.status == 127, "\(result)")
            #expect(result.stderr.contains("the exec helper runs only the program berth gives it"), "\(result)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: sandbox.runtime.binary)) == before)
    }

    /// CVE-2024-21626 class: only stdio reaches the process, and a cwd that
    /// would resolve through a leaked descriptor is refused.
    @Test func cve_2024_21626_noRuntimeDescriptorReachesTheContainer() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let result = try sandbox.runShell("ls /proc/self/fd")
        #expect(result.succeeded, "\(result)")
        // 3 is ls's own descriptor of the directory it lists.
        #expect(result.stdout.split(separator: "\n") == ["0", "1", "2", "3"], "\(result)")
    }

    @Test func cve_2024_21626_aWorkingDirectoryThroughProcSelfFdIsRefused() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let result = try sandbox.runShell("pwd") { bundle in
            bundle.process["cwd"] = "/proc/self/fd/3"
        }
        #expect(!result.succeeded, "\(result)")
        #expect(!result.stdout.hasPrefix("/") || result.stdout.hasPrefix("/proc"), "\(result)")
    }

    /// CVE-2022-29162 class: `exec --cap` adds the capability to the
    /// bounding, effective and permitted sets of the exec'd process, never to
    /// its inheritable set (nor ambient, which needs inheritable), where a
    /// program with file capabilities could carry it across execve.
    @Test func cve_2022_29162_execCapDoesNotMakeTheCapabilityInheritable() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let (id, _, _) = try ExecTests.running(sandbox, "inh") { bundle in
            bundle.process["capabilities"] = SecurityTests.capabilities(["CAP_KILL"], sets: ["bounding", "effective", "permitted"])
        }
        let result = try ExecTests.shell(sandbox, id, options: ["--cap", "CAP_NET_ADMIN"], SecurityTests.statusScript)
        #expect(result.succeeded, "\(result)")
        let fields = Host.statusFields(result.stdout)
        // CAP_KILL is bit 5, CAP_NET_ADMIN bit 12.
        #expect(fields["CapEff"] == "0000000000001020", "\(result)")
        #expect(fields["CapBnd"] == "0000000000001020", "\(result)")
        #expect(fields["CapInh"] == "0000000000000000", "\(result)")
        #expect(fields["CapAmb"] == "0000000000000000", "\(result)")
    }

    /// CVE-2025-52881 class: a file mounted over a /proc/sys entry is not
    /// written to in its place.
    @Test func cve_2025_52881_aFileOverProcSysIsNotWrittenTo() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let planted = sandbox.path + "/planted"
        try "0\n".write(toFile: planted, atomically: true, encoding: .utf8)
        let result = try sandbox.runShell("cat /proc/sys/net/ipv4/ip_forward") { bundle in
            bundle.addMount(destination: "/proc/sys/net/ipv4/ip_forward", type: "bind", source: planted, options: ["bind"])
            bundle.linux["sysctl"] = ["net.ipv4.ip_forward": "1"]
        }
        if sandbox.runtime.isBerth {
            #expect(!result.succeeded, "\(result)")
            #expect(result.stderr.contains("\"/proc/sys/net/ipv4/ip_forward\" is inside /proc"), "\(result)")
        }
        #expect(try String(contentsOfFile: planted, encoding: .utf8) == "0\n", "the runtime wrote into the planted file")
    }

    /// Runs a container that sets net.core.somaxconn to "redirected" after
    /// `configure` arranged for that write to reach kernel.domainname; the
    /// runtime must refuse, and never write it there. berth must say `why`.
    func expectRedirectedSysctlRefused(_ why: String, onlyBerth: Bool = false,
                                       configure: (Bundle) throws -> Void) throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        if onlyBerth && !sandbox.runtime.isBerth { return }
        let result = try sandbox.runShell("cat /proc/sys/kernel/domainname") { bundle in
            try configure(bundle)
            bundle.linux["sysctl"] = ["net.core.somaxconn": "redirected"]
        }
        #expect(!result.succeeded && !result.timedOut, "\(result)")
        #expect(!result.stdout.contains("redirected"), "the sysctl write went into domainname: \(result)")
        if sandbox.runtime.isBerth {
            #expect(result.stderr.contains(why), "\(result)")
        }
    }

    /// A procfs file bound over another is procfs too: somaxconn covered by
    /// domainname would turn the sysctl write into a change of domainname.
    /// Such a mount is refused by its destination (as runc does).
    @Test func cve_2025_52881_aProcfsFileBoundOverASysctlIsRefused() throws {
        try expectRedirectedSysctlRefused("mounts[5].destination: \"/proc/sys/net/core/somaxconn\" is inside /proc") {
            $0.addMount(destination: "/proc/sys/net/core/somaxconn", type: "bind",
                        source: "/proc/sys/kernel/domainname", options: ["bind"])
        }
    }

    /// The destination check by name cannot see the image's symlinks: a
    /// destination /redir -> /proc/sys/net/core/somaxconn must be refused
    /// once resolved, before anything is mounted there.
    @Test func cve_2025_52881_aSymlinkInTheImageCannotLeadAMountIntoProcfs() throws {
        try expectRedirectedSysctlRefused("mount bind on /redir: the destination resolves to a file of procfs") {
            try FileManager.default.createSymbolicLink(atPath: $0.rootfs + "/redir",
                                                       withDestinationPath: "/proc/sys/net/core/somaxconn")
            $0.addMount(destination: "/redir", type: "bind", source: "/proc/sys/kernel/domainname", options: ["bind"])
        }
    }

    /// A mount the config cannot name can still appear before the sysctls
    /// are written (a createContainer hook runs in the container's mount
    /// namespace): the file written must be on the mount of /proc itself.
    /// (runc runs these hooks after its sysctl writes, so only berth's
    /// order makes the case.)
    @Test func cve_2025_52881_aSysctlIsNotWrittenThroughAMountMadeByAHook() throws {
        try expectRedirectedSysctlRefused("write /proc/sys/net/core/somaxconn: something is mounted over it",
                                          onlyBerth: true) {
            $0.top["hooks"] = ["createContainer": [[
                "path": "/bin/sh",
                "args": ["sh", "-c", "mount --bind /proc/sys/kernel/domainname \($0.rootfs)/proc/sys/net/core/somaxconn"],
            ]]]
        }
    }

    /// proc and sysfs are mounted on ordinary directories only: a /proc or
    /// /sys that the image made a symlink would put them where it chose.
    @Test(arguments: ["proc", "sys"])
    func procAndSysMustNotBeSymlinksInTheImage(directory: String) throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let result = try sandbox.runShell("ls -d /elsewhere/*") { bundle in
            try? FileManager.default.removeItem(atPath: bundle.rootfs + "/" + directory)
            try FileManager.default.createDirectory(atPath: bundle.rootfs + "/elsewhere", withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: bundle.rootfs + "/" + directory,
                                                       withDestinationPath: "/elsewhere")
        }
        #expect(!result.succeeded && !result.timedOut, "\(result)")
        if sandbox.runtime.isBerth {
            #expect(result.stderr.contains("/\(directory) in the rootfs is a symbolic link (to /elsewhere)"), "\(result)")
        }
    }

    /// The files lxcfs emulates stay allowed inside /proc.
    @Test func aFileLxcfsEmulatesMayBeCovered() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let planted = sandbox.path + "/uptime"
        try "12345.00 0.00\n".write(toFile: planted, atomically: true, encoding: .utf8)
        let result = try sandbox.runShell("cat /proc/uptime") { bundle in
            bundle.addMount(destination: "/proc/uptime", type: "bind", source: planted, options: ["bind", "ro"])
        }
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout == "12345.00 0.00\n", "\(result)")
    }

    /// Ids name directories under --root: one that would leave it is refused
    /// before any path is built.
    @Test(arguments: ["../escape", "a/b", ".."])
    func idsCannotLeaveTheStateRoot(_ id: String) throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let bundle = try sandbox.makeBundle("bundle")
        bundle.args = ["true"]
        try bundle.write()
        let result = try sandbox.runtime.create(id, bundle: bundle.path)
        #expect(!result.succeeded, "\(result)")
        #expect(!FileManager.default.fileExists(atPath: sandbox.path + "/escape"))
        #expect(!FileManager.default.fileExists(atPath: sandbox.runtime.stateDirectory("") + "/a"))
    }
}
