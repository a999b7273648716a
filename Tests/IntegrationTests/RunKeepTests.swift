import Foundation
import Testing

/// `run --keep` (runc 1.2): the foreground run leaves the stopped container,
/// its state and its cgroup, for `delete` to remove.
@Suite(.integration, .timeLimit(.minutes(1)))
struct RunKeepTests {
    @Test func runKeepLeavesTheStoppedContainerUntilDelete() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let id = sandbox.newID("keep")
        let bundle = try sandbox.makeBundle(id)
        bundle.shell("echo ran; exit 3")
        try bundle.write()
        let result = try sandbox.runtime.run(["run", "--keep", "--bundle", bundle.path, id])
        #expect(result.status == 3 && result.stdout == "ran\n", "\(result)")
        #expect(try sandbox.runtime.state(id).status == "stopped")
        let cgroup = Self.cgroupPath(sandbox, id)
        if let cgroup {
            #expect(FileManager.default.fileExists(atPath: cgroup), "the cgroup \(cgroup) went with the process")
        }

        let deleted = try sandbox.runtime.delete(id)
        #expect(deleted.succeeded, "\(deleted)")
        #expect(!(try sandbox.runtime.run(["state", id]).succeeded))
        if let cgroup {
            #expect(!FileManager.default.fileExists(atPath: cgroup), "delete left the cgroup \(cgroup)")
        }
    }

    /// Where berth recorded the container's cgroup (nil on a host without
    /// cgroup v2, or for another runtime).
    static func cgroupPath(_ sandbox: Sandbox, _ id: String) -> String? {
        guard sandbox.runtime.isBerth,
              let data = FileManager.default.contents(atPath: sandbox.runtime.stateDirectory(id) + "/state.json"),
              let record = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return record["cgroupPath"] as? String
    }
}
