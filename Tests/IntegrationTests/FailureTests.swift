import Foundation
import Testing

/// A `create` that fails reports why and leaves nothing behind: no state, no
/// state directory, no process, no mount.
@Suite(.integration, .timeLimit(.minutes(1)))
struct FailureTests {
    /// Ways to break a bundle, each applied to a fresh valid one.
    enum Breakage: String, CaseIterable, Sendable {
        case missingRootfs, configNotJSON, missingExecutable, unknownFilesystemType, badNamespacePath

        /// What the error message must mention (runc's messages are the
        /// floor; berth's, which we know, must say more).
        func clues(berth: Bool) -> [String] {
            switch self {
            case .missingRootfs: ["no-such-rootfs"]
            case .configNotJSON: berth ? ["config.json", "JSON"] : []
            case .missingExecutable: ["/nonexistent"]
            case .unknownFilesystemType: ["/broken"] + (berth ? ["nosuchfs"] : [])
            case .badNamespacePath: ["/nonexistent/ns/net"]
            }
        }

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
                bundle.linux["namespaces"] = ["pid", "mount", "ipc", "uts", "network"].map { type in
                    type == "network" ? ["type": type, "path": "/nonexistent/ns/net"] : ["type": type]
                }
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
        for clue in breakage.clues(berth: sandbox.runtime.isBerth) {
            #expect(result.stderr.contains(clue), "the message does not say \(clue): \(result.stderr.debugDescription)")
        }
        if sandbox.runtime.isBerth {
            // One message, possibly listing several problems of a config.
            #expect(result.stderr.hasSuffix("\n")
                    && result.stderr.split(separator: "\n").allSatisfy { $0.hasPrefix("berth: ") },
                    "expected \"berth: …\" lines: \(result.stderr.debugDescription)")
        }
        #expect(try !sandbox.runtime.run(["state", id]).succeeded)
        #expect(!FileManager.default.fileExists(atPath: sandbox.runtime.stateDirectory(id)))
        #expect(eventually { sandbox.leftoverProcesses().isEmpty },
                "\(sandbox.leftoverProcesses().map(ProcessTable.describe))")
        #expect(sandbox.leftoverMounts().isEmpty)
    }
}
