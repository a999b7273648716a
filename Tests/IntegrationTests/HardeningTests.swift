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
            #expect(result.stderr.contains("not a file of procfs"), "\(result)")
        }
        #expect(try String(contentsOfFile: planted, encoding: .utf8) == "0\n", "the runtime wrote into the planted file")
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
