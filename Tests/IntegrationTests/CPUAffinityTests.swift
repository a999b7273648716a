import Foundation
import Glibc
import Testing

/// A berth started with a narrow CPU affinity (`taskset -c 0`, a unit's
/// CPUAffinity=) does not hand it to the container: its init and exec'd
/// processes run on every CPU the container may use, unless
/// process.execCPUAffinity says otherwise, as with runc.
@Suite(.integration, .timeLimit(.minutes(1)))
struct CPUAffinityTests {
    static let printCpus = "grep '^Cpus_allowed_list' /proc/self/status"

    /// `taskset -c 0 <runtime> --root … arguments`.
    static func onCPUZero(_ sandbox: Sandbox, _ arguments: [String]) throws -> ProcessResult {
        let runtime = sandbox.runtime
        return try Subprocess.run("/usr/bin/taskset", ["-c", "0", runtime.binary, "--root", runtime.root] + arguments,
                                  environment: runtime.environment)
    }

    /// The CPUs this test may use: what the container should get back.
    static func ownCpus() throws -> String {
        guard sysconf(Int32(_SC_NPROCESSORS_ONLN)) > 1 else {
            throw IntegrationSetupError(message: "the host has one CPU: taskset -c 0 would change nothing")
        }
        let status = try #require(Host.read("/proc/self/status"))
        let own = try #require(Host.statusFields(status)["Cpus_allowed_list"])
        guard own != "0" else { throw IntegrationSetupError(message: "the test itself runs on CPU 0 only") }
        return own
    }

    @Test func theInitDoesNotInheritBerthsAffinity() throws {
        let own = try Self.ownCpus()
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let id = sandbox.newID("cpus")
        let bundle = try sandbox.makeBundle(id)
        bundle.shell(Self.printCpus)
        try bundle.write()
        let result = try Self.onCPUZero(sandbox, ["run", "--bundle", bundle.path, id])
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout == "Cpus_allowed_list:\t\(own)\n", "\(result)")
    }

    @Test func anExecdProcessDoesNotInheritBerthsAffinity() throws {
        let own = try Self.ownCpus()
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let (id, _, _) = try ExecTests.running(sandbox, "cpus")
        let result = try Self.onCPUZero(sandbox, ["exec", id, "sh", "-c", Self.printCpus])
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout == "Cpus_allowed_list:\t\(own)\n", "\(result)")
    }
}
