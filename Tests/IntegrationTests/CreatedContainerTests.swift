import Foundation
import Testing

/// runc's behaviour around a container that is not running yet: SIGTERM
/// stops a created container's init, and `list` under a --root that does
/// not exist is an error, not an empty list.
@Suite(.integration, .timeLimit(.minutes(1)))
struct CreatedContainerTests {
    @Test func termStopsACreatedContainer() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let (id, bundle) = try sandbox.createContainer("term")
        let pid = try sandbox.runtime.state(id).pid
        let killed = try sandbox.runtime.kill(id, "TERM")
        #expect(killed.succeeded, "\(killed)")
        #expect(try sandbox.runtime.waitForStatus(id, "stopped"), "the created init ignored SIGTERM")
        #expect(eventually { !ProcessTable.isAlive(pid) })
        // It never ran the process: stopped before start.
        #expect(bundle.readRootfsFile("ready") == nil)
        #expect(try sandbox.runtime.delete(id).succeeded)
    }

    @Test func listUnderARootThatDoesNotExistFails() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let missing = sandbox.path + "/no-such-root"
        let runtime = sandbox.runtime
        let result = try Subprocess.run(runtime.binary, ["--root", missing, "list"], environment: runtime.environment)
        #expect(!result.succeeded && !result.timedOut, "\(result)")
        #expect(result.stdout.isEmpty, "\(result)")
        if runtime.isBerth {
            #expect(result.stderr == "berth: open \(missing): no such file or directory\n", "\(result)")
        }
        #expect(!FileManager.default.fileExists(atPath: missing), "list made the root")
    }
}
