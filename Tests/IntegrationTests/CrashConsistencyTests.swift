import Foundation
import Glibc
import Testing

/// The runtime killed at any instruction leaves nothing that `delete
/// --force` cannot remove. Each operation is traced once to learn its
/// system calls; then, for every position in that list, the operation runs
/// again under strace, which SIGKILLs it on entering exactly that call
/// (`inject=NAME:signal=KILL:when=N`, N counting that call's invocations).
/// After each kill `list` must still work (and show the container if its
/// directory is there), and `delete --force` must succeed and leave no
/// state, cgroup, process or mount.
@Suite(.integration, .serialized, .timeLimit(.minutes(10)))
struct CrashConsistencyTests {
    static let strace = "/usr/bin/strace"

    enum Operation: String, CaseIterable, Sendable {
        case create, start, exec, delete
    }

    @Test(arguments: Operation.allCases)
    func killedAtEverySystemCallLeavesNothingDeleteCannotRemove(_ operation: Operation) throws {
        guard Host.has(Self.strace) else {
            if IntegrationEnvironment.isCI { Issue.record("\(Self.strace) is missing (apt-get install strace)") }
            return Host.skip("no strace")
        }
        let sandbox = try Sandbox()
        defer { sandbox.cleanUp() }
        let bundle = try sandbox.makeBundle()
        bundle.args = ["sleep", "1000"]
        try bundle.write()

        let positions = try systemCalls(of: operation, in: sandbox, bundle: bundle)
        #expect(positions.count > 50, "the trace of \(operation) looks too short: \(positions.count) calls")
        var killed = 0
        for (index, call) in positions.enumerated() {
            let id = sandbox.newID("kill\(index)")
            let arguments = try prepare(operation, id: id, in: sandbox, bundle: bundle)
            let result = try Subprocess.run(Self.strace, ["-qq", "-o", "/dev/null", "-e", "trace=\(call.name)",
                                                          "-e", "inject=\(call.name):signal=KILL:when=\(call.count)",
                                                          sandbox.runtime.binary, "--root", sandbox.runtime.root]
                                                + arguments, environment: sandbox.runtime.environment)
            if result.status != 0 { killed += 1 }
            let place = "\(operation) killed entering \(call.name) #\(call.count) (position \(index))"
            try checkListShows(id, in: sandbox, after: place)
            let deletion = try sandbox.runtime.delete(id, force: true)
            #expect(deletion.succeeded, "delete --force after \(place): \(deletion)")
            try checkNothingLeft(of: id, in: sandbox, after: place)
        }
        #expect(killed > positions.count / 2, "strace killed \(operation) only \(killed) of \(positions.count) times")
    }

    /// The system calls `operation` makes, in order, each with how many
    /// times its name was seen so far (strace's `when=` counts per call).
    func systemCalls(of operation: Operation, in sandbox: Sandbox, bundle: Bundle) throws -> [(name: String, count: Int)] {
        let id = sandbox.newID("trace")
        let arguments = try prepare(operation, id: id, in: sandbox, bundle: bundle)
        let trace = sandbox.path + "/trace-\(operation)"
        let result = try Subprocess.run(Self.strace, ["-qq", "-o", trace, sandbox.runtime.binary,
                                                      "--root", sandbox.runtime.root] + arguments,
                                        environment: sandbox.runtime.environment)
        #expect(result.succeeded, "\(operation) under strace: \(result)")
        _ = try sandbox.runtime.delete(id, force: true)
        var seen: [String: Int] = [:]
        return try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n").compactMap { line in
            guard let open = line.firstIndex(of: "("), line.first?.isLetter == true else { return nil }
            let name = String(line[..<open])
            seen[name, default: 0] += 1
            return (name, seen[name]!)
        }
    }

    /// Brings `id` to where `operation` applies and returns its arguments.
    func prepare(_ operation: Operation, id: String, in sandbox: Sandbox, bundle: Bundle) throws -> [String] {
        if operation != .create {
            try #require(sandbox.runtime.create(id, bundle: bundle.path).succeeded)
        }
        if operation == .exec || operation == .delete {
            try #require(sandbox.runtime.start(id).succeeded)
        }
        switch operation {
        case .create: return ["create", "--bundle", bundle.path, id]
        case .start: return ["start", id]
        case .exec: return ["exec", id, "true"]
        case .delete: return ["delete", "--force", id]
        }
    }

    func checkListShows(_ id: String, in sandbox: Sandbox, after place: String) throws {
        let list = try sandbox.runtime.run(["list", "--format", "json"])
        #expect(list.succeeded, "list after \(place): \(list)")
        let directory = sandbox.runtime.stateDirectory(id)
        if FileManager.default.fileExists(atPath: directory) {
            #expect(list.stdout.contains("\"\(id)\""), "list after \(place) hides \(id): \(list.stdout)")
        }
    }

    func checkNothingLeft(of id: String, in sandbox: Sandbox, after place: String) throws {
        let root = sandbox.runtime.root
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        #expect(entries.isEmpty, "state left after \(place) and delete --force: \(entries)")
        let cgroups = ["/sys/fs/cgroup/berth/\(id)", "/sys/fs/cgroup/unified/berth/\(id)"]
        #expect(!cgroups.contains { FileManager.default.fileExists(atPath: $0) },
                "cgroup left after \(place) and delete --force")
        // The init dies with berth through its parent-death signal, which
        // the kernel delivers without waiting for anyone.
        let gone = eventually(timeout: 5) { sandbox.leftoverProcesses().isEmpty }
        #expect(gone, "processes left after \(place) and delete --force: \(sandbox.leftoverProcesses().map(ProcessTable.describe))")
        if !gone { sandbox.killLeftoverProcesses() }
        #expect(sandbox.leftoverMounts().isEmpty, "mounts left after \(place)")
    }
}
