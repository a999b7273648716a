import Foundation
import Glibc
import Testing

/// berth acts only on what is the container's: a cgroup it joined keeps the
/// processes that were there, a default cgroup path in use is not silently
/// shared, a record whose pid is not the container's init is not signalled,
/// and a state.json that does not decode still lets `delete --force` undo
/// the container while `list` warns about it. The cgroup tests need the
/// hybrid host's unified hierarchy (skipped elsewhere); the messages are berth's.
@Suite(.integration, .enabled(if: HybridCgroupHost.isHybrid), .timeLimit(.minutes(2)))
struct OwnershipTests {
    static let unified = HybridCgroupHost.unified

    /// A cgroup of the test's own with a host process in it, removed at the end.
    final class SharedCgroup {
        let relativePath = "/berth-it-shared-" + Host.randomHex()
        var path: String { OwnershipTests.unified + relativePath }
        let bystander: Subprocess

        init() throws {
            try FileManager.default.createDirectory(atPath: OwnershipTests.unified + relativePath,
                                                    withIntermediateDirectories: false)
            bystander = try Subprocess("/bin/sleep", ["300"])
            try "\(bystander.pid)".write(toFile: OwnershipTests.unified + relativePath + "/cgroup.procs",
                                         atomically: false, encoding: .utf8)
        }

        func remove() {
            bystander.stop()
            _ = eventually { rmdir(path) == 0 || errno == ENOENT }
        }
    }

    @Test func aJoinedCgroupKeepsItsOtherProcessesAndIsNotRemoved() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        guard sandbox.runtime.isBerth else { return Host.skip("runc kills the whole cgroup") }
        let shared = try SharedCgroup(); defer { shared.remove() }
        let id = sandbox.newID("join")
        let bundle = try sandbox.makeBundle(id)
        bundle.shell(Sandbox.waitingScript)
        bundle.linux["cgroupsPath"] = shared.relativePath
        try bundle.write()
        let created = try sandbox.runtime.create(id, bundle: bundle.path)
        try #require(created.succeeded, "\(created)")
        #expect(created.stderr.contains("joining cgroup \(shared.path), which already has 1 process(es)"), "\(created)")
        try #require(try sandbox.runtime.start(id).succeeded)
        try #require(eventually { bundle.readRootfsFile("ready") != nil })
        let initPid = try sandbox.runtime.state(id).pid

        let killedAll = try sandbox.runtime.run(["kill", "--all", id, "KILL"])
        #expect(killedAll.succeeded, "\(killedAll)")
        #expect(eventually { !ProcessTable.isAlive(initPid) }, "kill --all reaches the container's processes")
        #expect(ProcessTable.isAlive(shared.bystander.pid), "kill --all spared the process that was there before")

        let deleted = try sandbox.runtime.delete(id, force: true)
        #expect(deleted.succeeded, "\(deleted)")
        #expect(ProcessTable.isAlive(shared.bystander.pid), "delete spared the process that was there before")
        #expect(FileManager.default.fileExists(atPath: shared.path), "delete left the cgroup berth did not make")
    }

    /// Two containers with one id under two state roots would share
    /// /berth/<id>: the second is refused and the first keeps its cgroup.
    @Test func theDefaultCgroupPathOfAnotherRootIsRefused() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        guard sandbox.runtime.isBerth else { return Host.skip("the default cgroup layout is berth's") }
        let (id, bundle) = try sandbox.createContainer("twice")
        let otherRoot = Runtime(binary: sandbox.runtime.binary, root: sandbox.path + "/other-root",
                                environment: sandbox.runtime.environment)
        let second = try otherRoot.create(id, bundle: bundle.path)
        #expect(!second.succeeded)
        #expect(second.stderr.contains("cgroup \(Self.unified)/berth/\(id) already exists"), "\(second)")
        #expect(!FileManager.default.fileExists(atPath: otherRoot.stateDirectory(id)), "the refusal left state")
        #expect(FileManager.default.fileExists(atPath: Self.unified + "/berth/" + id), "the first keeps its cgroup")
        #expect(try sandbox.runtime.state(id).status == "created")
    }

    enum Damage: String, CaseIterable, Sendable { case garbage, empty, truncated }

    /// `list` warns instead of hiding it; `delete --force` kills the init
    /// (through the cgroup berth made at its default path) and removes all.
    @Test(arguments: Damage.allCases)
    func aCorruptRecordIsListedAsAWarningAndDeleteForceRemovesTheContainer(_ damage: Damage) throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        guard sandbox.runtime.isBerth else { return Host.skip("state.json is berth's") }
        let (id, _) = try sandbox.createContainer("corrupt")
        let initPid = try sandbox.runtime.state(id).pid
        let record = sandbox.runtime.stateDirectory(id) + "/state.json"
        let text = try String(contentsOfFile: record, encoding: .utf8)
        let damaged = switch damage {
        case .garbage: "not json at all"
        case .empty: ""
        case .truncated: String(text.prefix(text.count / 2))
        }
        try damaged.write(toFile: record, atomically: false, encoding: .utf8)

        let list = try sandbox.runtime.run(["list"])
        #expect(list.succeeded, "\(list)")
        #expect(list.stderr.contains(id) && list.stderr.contains("not listed") && list.stderr.contains("corrupt state file"),
                "\(list)")
        let state = try sandbox.runtime.run(["state", id])
        #expect(!state.succeeded && state.stderr.contains("corrupt state file"), "\(state)")

        let deleted = try sandbox.runtime.delete(id, force: true)
        #expect(deleted.succeeded, "\(deleted)")
        #expect(eventually { !ProcessTable.isAlive(initPid) }, "the init of the unreadable record is killed")
        #expect(!FileManager.default.fileExists(atPath: Self.unified + "/berth/" + id), "its cgroup is removed")
        #expect(!FileManager.default.fileExists(atPath: sandbox.runtime.stateDirectory(id)))
    }

    /// A record naming a pid outside the container's cgroup (planted, or
    /// stale) gets no signal: the process is not the container's.
    @Test func aRecordWhosePidIsNotInTheContainersCgroupIsNotSignalled() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        guard sandbox.runtime.isBerth else { return Host.skip("state.json is berth's") }
        let (id, _) = try sandbox.createContainer("planted")
        let stranger = try Subprocess("/bin/sleep", ["300"])
        defer { stranger.stop() }
        let path = sandbox.runtime.stateDirectory(id) + "/state.json"
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        let startTime = try #require(Host.read("/proc/\(stranger.pid)/stat").flatMap { line in
            line[line.index(after: line.lastIndex(of: ")")!)...].split(separator: " ").dropFirst(19).first.map(String.init)
        })
        json["pid"] = stranger.pid
        json["initStartTime"] = UInt64(startTime)
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: path))

        let killed = try sandbox.runtime.kill(id, "KILL")
        #expect(!killed.succeeded)
        #expect(killed.stderr.contains("pid \(stranger.pid) is not its init"), "\(killed)")
        _ = try sandbox.runtime.delete(id, force: true)
        #expect(ProcessTable.isAlive(stranger.pid), "neither kill nor delete --force signalled the stranger")
    }
}
