import Foundation
import Testing

/// A `create` that fails reports why and leaves nothing behind: no state, no
/// state directory, no process, no mount.
@Suite(.integration, .timeLimit(.minutes(1)))
struct FailureTests {
    /// Ways to break a bundle, each applied to a fresh valid one.
    enum Breakage: String, CaseIterable, Sendable {
        case missingRootfs, configNotJSON, missingExecutable, unknownFilesystemType, badNamespacePath

        func apply(to bundle: Bundle) throws {
            switch self {
            case .missingRootfs:
                bundle.root["path"] = "no-such-rootfs"
            case .configNotJSON:
                break  // written in place of the config below
            case .missingExecutable:
                bundle.args = ["/nonexistent"]
            case .unknownFilesystemType:
                bundle.addMount(destination: "/broken", type: "nosuchfs", source: "none")
            case .badNamespacePath:
                bundle.linux["namespaces"] = [["type": "pid"], ["type": "mount"],
                                              ["type": "network", "path": "/nonexistent/ns/net"]]
            }
            try bundle.write()
            if self == .configNotJSON {
                try Data("{ this is not json".utf8).write(to: URL(fileURLWithPath: bundle.configPath))
            }
        }
    }

    @Test(arguments: Breakage.allCases)
    func aFailedCreateLeavesNothing(breakage: Breakage) throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let bundle = try sandbox.makeBundle()
        bundle.shell(Sandbox.waitingScript)
        try breakage.apply(to: bundle)
        let id = sandbox.newID()

        let result = try sandbox.runtime.create(id, bundle: bundle.path)
        #expect(!result.succeeded && !result.timedOut, "\(result)")
        #expect(!result.stderr.isEmpty, "no message on stderr")
        if sandbox.runtime.isBerth {
            let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines.count == 2 && lines[0].hasPrefix("berth: ") && lines[1].isEmpty,
                    "expected one line \"berth: …\": \(result.stderr.debugDescription)")
        }
        #expect(try !sandbox.runtime.run(["state", id]).succeeded)
        #expect(!FileManager.default.fileExists(atPath: sandbox.runtime.stateDirectory(id)))
        #expect(eventually { sandbox.leftoverProcesses().isEmpty },
                "\(sandbox.leftoverProcesses().map(ProcessTable.describe))")
        #expect(sandbox.leftoverMounts().isEmpty)
    }
}
