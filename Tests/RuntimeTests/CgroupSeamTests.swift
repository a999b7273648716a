import Cgroups
import Glibc
import LinuxSystem
import OCI
import Testing
@testable import Runtime

/// The operations reach a container's cgroup only through the runtime's
/// `CgroupDriver`: with a recording driver injected, each operation's calls
/// show up in the recording and nothing touches a real hierarchy.
@Suite struct CgroupSeamTests {
    /// What the managers of one test were asked to do.
    final class Recording: @unchecked Sendable {
        var calls: [String] = []
        var updates: [LinuxResources] = []
        var frozen = false
        var updateFailure: CgroupUpdateError?
        /// Pids `contains` says are not in the cgroup.
        var strangers: Set<pid_t> = []
    }

    struct RecordingManager: CgroupManager {
        let path: String
        let recording: Recording

        var exists: Bool { true }
        func create(controllers: Set<String>) throws(CgroupError) -> Bool {
            recording.calls.append("create \(controllers.sorted().joined(separator: ","))")
            return true
        }
        func apply(_ settings: [CgroupSetting]) throws(CgroupError) {
            recording.calls.append("apply " + settings.map(\.description).joined(separator: " "))
        }
        func restrictDevices(to rules: [DeviceRule]) throws(CgroupError) {
            recording.calls.append("restrictDevices \(rules.count)")
        }
        func openDirectory(subgroup: String?) throws(CgroupError) -> FileDescriptor {
            recording.calls.append("openDirectory")
            throw CgroupError("open cgroup \(path)", errno: .notFound)
        }
        func freeze() throws(CgroupError) {
            recording.calls.append("freeze")
            recording.frozen = true
        }
        func thaw(waiting: Bool) throws(CgroupError) {
            recording.calls.append(waiting ? "thaw" : "thaw without waiting")
            recording.frozen = false
        }
        var isFrozen: Bool { recording.frozen }
        func killAll() throws(CgroupError) { recording.calls.append("killAll") }
        func processes() -> [pid_t] {
            recording.calls.append("processes")
            return [41, 42]
        }
        func contains(_ pid: pid_t) -> Bool { !recording.strangers.contains(pid) }
        func stats() -> CgroupStats {
            recording.calls.append("stats")
            var stats = CgroupStats()
            stats.pids.current = 2
            return stats
        }
        var oomKillCount: UInt64 { 0 }
        var eventFiles: [String] { [] }
        func update(_ resources: LinuxResources) throws(CgroupUpdateError) -> [CgroupSetting] {
            recording.calls.append("update")
            recording.updates.append(resources)
            if let failure = recording.updateFailure { throw failure }
            return CgroupSettings.translate(resources).settings
        }
        func remove() throws(CgroupError) { recording.calls.append("remove") }
        func removeIfEmpty() throws(CgroupError) { recording.calls.append("removeIfEmpty") }
    }

    struct RecordingDriver: CgroupDriver {
        let recording: Recording
        func manager(in mount: CgroupMount, at relativePath: String) -> any CgroupManager {
            RecordingManager(path: mount.path + relativePath, recording: recording)
        }
        func manager(recordedPath: String) -> any CgroupManager {
            RecordingManager(path: recordedPath, recording: recording)
        }
    }

    let temporary = TemporaryDirectory()
    let recording = Recording()
    var runtime: Runtime {
        Runtime(root: temporary.path, log: .standardError,
                cgroupDriver: RecordingDriver(recording: recording))
    }

    /// A container whose init is this test process: alive, so running.
    func saveRunningContainer(cgroupPath: String? = "/fake/c") throws {
        let me = getpid()
        try save(pid: me, startTime: try #require(ProcFS.startTime(of: me)), cgroupPath: cgroupPath)
    }

    func save(pid: pid_t, startTime: UInt64, cgroupPath: String?) throws {
        let record = ContainerRecord(ociVersion: "1.3.0", id: "c", pid: pid, initStartTime: startTime, bundle: temporary.path,
                                     rootfs: temporary.path + "/rootfs", created: "2026-12-02T00:00:00Z", owner: "root",
                                     cgroupPath: cgroupPath)
        // With what create keeps of the config, which update reads.
        let lock = try runtime.store.claim(record, config: Array(#"{"ociVersion": "1.3.0"}"#.utf8))
        defer { lock.unlock() }
    }

    @Test func pauseFreezesThroughTheManager() throws {
        try saveRunningContainer()
        try runtime.pause(id: "c")
        #expect(recording.calls == ["freeze"])
        #expect(try runtime.state(of: "c").status == "paused", "the manager's isFrozen makes the status")
    }

    @Test func resumeThawsThroughTheManager() throws {
        try saveRunningContainer()
        recording.frozen = true
        try runtime.resume(id: "c")
        #expect(recording.calls == ["thaw"])
    }

    @Test func updateUpdatesThroughTheManager() throws {
        try saveRunningContainer()
        try runtime.update(id: "c", resources: LinuxResources(memory: LinuxMemory(limit: 1 << 20)))
        #expect(recording.calls == ["update"])
        #expect(recording.updates == [LinuxResources(memory: LinuxMemory(limit: 1 << 20))])
    }

    @Test func devicesAreRefusedBeforeTheManagerIsAsked() throws {
        try saveRunningContainer()
        #expect {
            try runtime.update(id: "c", resources: LinuxResources(devices: [LinuxDeviceCgroup(allow: true)]))
        } throws: { error in
            (error as? RuntimeError)?.message == "update container c: linux.resources.devices cannot be updated"
        }
        #expect(recording.calls.isEmpty)
    }

    @Test(arguments: [
        (CgroupUpdateError.refused("memory limit 1 is not above the current usage 2"), RuntimeError.Code.invalidState,
         "update container c: memory limit 1 is not above the current usage 2"),
        (.unavailable("cpu controller not available"), .invalidConfig, "update container c: cpu controller not available"),
        (.misplaced("its cgroup /x is not in the cgroup v2 hierarchy"), .system,
         "update container c: its cgroup /x is not in the cgroup v2 hierarchy"),
        (.failed(CgroupError("write 5 to /x/pids.max")), .system, "write 5 to /x/pids.max"),
    ])
    func aManagersRefusalBecomesTheRuntimesError(_ failure: CgroupUpdateError, _ code: RuntimeError.Code, _ message: String) throws {
        try saveRunningContainer()
        recording.updateFailure = failure
        #expect {
            try runtime.update(id: "c", resources: LinuxResources(pids: LinuxPids(limit: 5)))
        } throws: { error in
            (error as? RuntimeError)?.code == code && (error as? RuntimeError)?.message == message
        }
    }

    @Test func statsAndProcessesAreReadThroughTheManager() throws {
        try saveRunningContainer()
        #expect(try runtime.stats(id: "c").data?.pids.current == 2)
        #expect(try runtime.processes(id: "c") == [41, 42])
        #expect(recording.calls == ["stats", "processes"])
    }

    @Test func deleteRemovesTheCgroupThroughTheManager() throws {
        let me = getpid()
        try save(pid: me, startTime: try #require(ProcFS.startTime(of: me)) + 1, cgroupPath: "/fake/c")
        try runtime.delete(id: "c", force: false)
        #expect(recording.calls == ["remove"])
    }

    @Test func aContainerWithoutACgroupAsksNoManager() throws {
        try saveRunningContainer(cgroupPath: nil)
        #expect {
            try runtime.pause(id: "c")
        } throws: { error in
            (error as? RuntimeError)?.message == "pause container c: it has no cgroup (this host has no cgroup v2 hierarchy)"
        }
        #expect(recording.calls.isEmpty)
    }

    @Test func createMakesThePlannedCgroupThroughTheManager() throws {
        let planned = PlannedCgroup(mount: CgroupMount(path: "/fake", controllers: ["memory"]), relativePath: "/berth/c",
                                    settings: [CgroupSetting("memory.max", "1024")], controllers: ["memory"],
                                    deviceRules: DeviceFilter.defaultAllowed)
        var made: (any CgroupManager)?
        let cgroup = try runtime.prepareCgroup(planned, made: &made)
        #expect(cgroup.path == "/fake/berth/c")
        #expect(made?.path == "/fake/berth/c", "a new cgroup is the create's to remove on failure")
        #expect(recording.calls == ["create memory", "apply memory.max=1024",
                                    "restrictDevices \(DeviceFilter.defaultAllowed.count)"])
    }
}
