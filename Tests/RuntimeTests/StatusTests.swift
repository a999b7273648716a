import Glibc
import LinuxSystem
import Testing
@testable import Runtime

@Suite struct StatusTests {
    func runtime(_ temporary: TemporaryDirectory) -> Runtime {
        Runtime(root: temporary.path, log: .standardError)
    }

    func record(pid: Int32, startTime: UInt64) -> ContainerRecord {
        ContainerRecord(ociVersion: "1.3.0", id: "c", pid: pid, initStartTime: startTime, bundle: "/b",
                        rootfs: "/b/rootfs", created: "2026-11-29T00:00:00Z", owner: "root")
    }

    @Test func aLiveInitWithItsFifoIsCreatedAndWithoutItRunning() throws {
        let temporary = TemporaryDirectory()
        let runtime = runtime(temporary)
        try runtime.store.claim(.claimed("c")).unlock()
        let me = getpid()
        let live = record(pid: me, startTime: try #require(ProcFS.startTime(of: me)))
        #expect(runtime.status(of: live) == .running)
        try FileSystem.writeNewFile(runtime.store.execFifo(of: "c"), [])
        #expect(runtime.status(of: live) == .created)
    }

    @Test func aRecycledPidIsStopped() throws {
        let temporary = TemporaryDirectory()
        let me = getpid()
        let recycled = record(pid: me, startTime: try #require(ProcFS.startTime(of: me)) + 1)
        #expect(runtime(temporary).status(of: recycled) == .stopped)
    }

    @Test func aContainerWithoutRecordOrPidIsCreating() {
        let temporary = TemporaryDirectory()
        #expect(runtime(temporary).status(of: nil) == .creating)
        #expect(runtime(temporary).status(of: record(pid: 0, startTime: 0)) == .creating)
    }

    @Test func theStartTimeIsFieldTwentyTwoEvenWithParenthesesInTheName() {
        let line = "1234 (a (weird) name) S 1 1234 1234 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 987654 1000 10"
        #expect(ProcFS.parseStartTime(statLine: line) == 987654)
    }

    /// A create under way or killed half-way: the claimed record already
    /// names the bundle, so `state` never reports an empty one.
    @Test func stateOfACreatingContainerReportsItsBundle() throws {
        let temporary = TemporaryDirectory()
        let runtime = runtime(temporary)
        var record = ContainerRecord.claimed("c", bundle: "/bundles/c")
        record.pid = getpid()
        record.initStartTime = try #require(ProcFS.startTime(of: getpid()))
        try runtime.store.claim(record).unlock()
        let state = try runtime.state(of: "c")
        #expect(state.status == "creating", "a live init whose record is still creating is not created yet")
        #expect(state.pid == 0)
        #expect(state.bundle == "/bundles/c")
    }

    @Test func stateOfAStoppedContainerReportsPidZero() throws {
        let temporary = TemporaryDirectory()
        let runtime = runtime(temporary)
        let lock = try runtime.store.claim(.claimed("c"))
        try runtime.store.save(record(pid: getpid(), startTime: 1), holding: lock)
        lock.unlock()
        let state = try runtime.state(of: "c")
        #expect(state.status == "stopped")
        #expect(state.pid == 0)
        #expect(state.bundle == "/b")
    }
}

/// The state document comes from one function, whether the init builds it
/// from its plan or berth from the record.
@Suite struct ContainerIdentityTests {
    @Test(arguments: ContainerStatus.allCases)
    func thePlanAndTheRecordDescribeTheContainerAlike(status: ContainerStatus) throws {
        var spec = LaunchPlanTests.spec()
        spec.annotations = ["org.example/key": "value"]
        let plan = try LaunchPlan.build(id: "c", spec: spec, options: CreateOptions(bundle: "/bundles/c"))
        let record = ContainerRecord(ociVersion: plan.ociVersion, id: "c", pid: 42, initStartTime: 1, bundle: "/bundles/c",
                                     rootfs: plan.rootfs, created: "2026-12-02T00:00:00Z", owner: "root",
                                     annotations: plan.annotations)
        #expect(plan.state(status, pid: 42) == record.state(status, pid: 42))
        #expect(record.state(status, pid: 42).status == status.rawValue)
        #expect(record.state(status, pid: 42).annotations == ["org.example/key": "value"])
    }
}
