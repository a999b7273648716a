import Cgroups
import Glibc
import LinuxSystem

/// The runtime's operations, one file each (`Runtime+State.swift`, …). The
/// CLI builds one of these from the global options and calls one operation.
public struct Runtime: Sendable {
    public let store: StateStore
    public let log: Log
    /// The kernel, or a recording stand-in in unit tests: the one instance
    /// every operation and the container's init go through.
    public let system: any SystemCalls
    /// Makes the manager of every container's cgroup (see Runtime+Cgroup).
    let cgroupDriver: any CgroupDriver

    public init(root: String, log: Log, system: any SystemCalls = LiveSystemCalls(),
                cgroupDriver: any CgroupDriver = CgroupfsDriver()) {
        self.store = StateStore(root: root)
        self.log = log
        self.system = system
        self.cgroupDriver = cgroupDriver
    }

    /// runc's default: /run/berth for root, $XDG_RUNTIME_DIR/berth otherwise.
    public static func defaultRoot() -> String {
        if geteuid() != 0, let runtimeDirectory = getenv("XDG_RUNTIME_DIR") {
            let path = String(cString: runtimeDirectory)
            if !path.isEmpty { return path + "/berth" }
        }
        return "/run/berth"
    }

    /// The status of a recorded container, computed from its live init so an
    /// exited (or reaped and recycled) pid reads as stopped.
    public func status(of record: ContainerRecord?) -> ContainerStatus {
        guard let record, record.pid > 0, record.creating != true else { return .creating }
        guard ProcFS.isAlive(record.pid, startedAt: record.initStartTime) else { return .stopped }
        // Paused: the kernel reports the cgroup frozen (berth pause).
        if let cgroup = cgroupManager(of: record), cgroup.isFrozen { return .paused }
        // The init blocks opening exec.fifo until start; start removes it.
        return FileSystem.exists(store.execFifo(of: record.id)) ? .created : .running
    }

    /// Whether the record's pid is still the container's init: started when
    /// the record says, and in the container's cgroup. Only then is it
    /// signalled; a planted or stale record names someone else's process.
    func initIsTheContainers(_ record: ContainerRecord) -> Bool {
        guard record.pid > 0, ProcFS.isAlive(record.pid, startedAt: record.initStartTime) else { return false }
        return cgroupManager(of: record)?.contains(record.pid) ?? true
    }

    /// The record's init, once `initIsTheContainers`; the reason not otherwise.
    func requireContainersInit(_ record: ContainerRecord) throws(RuntimeError) -> pid_t {
        guard initIsTheContainers(record) else {
            throw RuntimeError(.invalidState,
                "container \(RuntimeError.quoted(record.id)): pid \(record.pid) is not its init (not in its cgroup \(record.cgroupPath ?? "")); refusing to signal it")
        }
        return record.pid
    }
}
