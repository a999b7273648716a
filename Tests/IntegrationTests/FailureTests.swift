import Foundation
import Testing

/// A `create` that fails reports why and leaves nothing behind: no state, no
/// state directory, no process, no mount.
@Suite(.integration, .timeLimit(.minutes(1)))
struct FailureTests {
    /// Ways to break a bundle, each applied to a fresh valid one.
    enum Breakage: String, CaseIterable, Sendable {
        case missingRootfs, configNotJSON, missingExecutable, unknownFilesystemType, badNamespacePath
        // Values the schema allows that once trapped berth or its init.
        case hugeDeviceMajor, deviceAtRoot, nulInCgroupsPath, controlCharacterInValue, initKilledByAHook
        case hugeConfig, rootfsIsASymlink

        /// What the error message must mention (runc's messages are the
        /// floor; berth's, which we know, must say more).
        func clues(berth: Bool) -> [String] {
            switch self {
            case .missingRootfs: ["no-such-rootfs"]
            case .configNotJSON: berth ? ["config.json", "JSON"] : []
            case .missingExecutable: ["/nonexistent"]
            case .unknownFilesystemType: ["/broken"] + (berth ? ["nosuchfs"] : [])
            case .badNamespacePath: ["/nonexistent/ns/net"]
            case .hugeDeviceMajor: berth ? ["linux.devices[0].major"] : []
            case .deviceAtRoot: berth ? ["linux.devices[0].path"] : []
            case .nulInCgroupsPath: berth ? ["linux.cgroupsPath", "NUL"] : []
            case .controlCharacterInValue: berth ? ["linux.namespaces[0].type", "\\u000a"] : []
            case .initKilledByAHook: berth ? ["killed by signal SIGKILL"] : []
            case .hugeConfig: berth ? ["config.json", "bytes"] : []
            case .rootfsIsASymlink: berth ? ["root.path", "symbolic link"] : []
            }
        }

        func apply(to bundle: Bundle) throws {
            switch self {
            case .missingRootfs:
                bundle.root["path"] = "no-such-rootfs"
            case .configNotJSON, .hugeConfig:
                break  // written in place of the config below
            case .missingExecutable:
                bundle.args = ["/nonexistent"]
            case .unknownFilesystemType:
                bundle.addMount(destination: "/broken", type: "nosuchfs", source: "none")
            case .badNamespacePath:
                bundle.linux["namespaces"] = ["pid", "mount", "ipc", "uts", "network"].map { type in
                    type == "network" ? ["type": type, "path": "/nonexistent/ns/net"] : ["type": type]
                }
            case .hugeDeviceMajor:
                bundle.linux["devices"] = [["path": "/dev/huge", "type": "c", "major": 4_294_967_296, "minor": 1]]
            case .deviceAtRoot:
                bundle.linux["devices"] = [["path": "/", "type": "c", "major": 1, "minor": 3]]
            case .nulInCgroupsPath:
                bundle.linux["cgroupsPath"] = "/berth-it\u{0}x"
            case .controlCharacterInValue:
                bundle.linux["namespaces"] = ["pid\nnet", "mount"].map { ["type": $0] }
            case .initKilledByAHook:
                // A prestart hook gets the init's host pid in the state on its stdin.
                let script = #"kill -9 "$(sed -n 's/.*"pid":\([0-9]*\).*/\1/p')""#
                bundle.top["hooks"] = ["prestart": [["path": "/bin/sh", "args": ["sh", "-c", script]]]]
            case .rootfsIsASymlink:
                try FileManager.default.createSymbolicLink(atPath: bundle.path + "/rootfs-link",
                                                           withDestinationPath: bundle.rootfs)
                bundle.root["path"] = "rootfs-link"
            }
            try bundle.write()
            if self == .hugeConfig {
                // Valid JSON, padded past what berth reads.
                var text = try String(contentsOfFile: bundle.configPath, encoding: .utf8)
                text.removeLast()
                text += ", \"annotations\": {\"pad\": \"" + String(repeating: "x", count: 17 << 20) + "\"}}"
                try Data(text.utf8).write(to: URL(fileURLWithPath: bundle.configPath))
            }
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
