import Cgroups

/// The one place the operations get a container's cgroup manager: from the
/// runtime's driver, so a second driver changes no operation.
extension Runtime {
    /// The manager of the cgroup a launch plan puts the container in.
    func cgroupManager(for planned: PlannedCgroup) -> any CgroupManager {
        cgroupDriver.manager(in: planned.mount, at: planned.relativePath)
    }

    /// The manager of a recorded container's cgroup; nil when it was made
    /// without one (a host without a cgroup v2 hierarchy).
    func cgroupManager(of record: ContainerRecord) -> (any CgroupManager)? {
        record.cgroupPath.map { cgroupDriver.manager(recordedPath: $0) }
    }

    /// The container's cgroup, for an operation that cannot work without one.
    func requireCgroup(of record: ContainerRecord, for operation: String) throws(RuntimeError) -> any CgroupManager {
        guard let cgroup = cgroupManager(of: record) else {
            throw RuntimeError(.invalidState, "\(operation) container \(record.id): it has no cgroup (this host has no cgroup v2 hierarchy)")
        }
        guard cgroup.exists else {
            throw RuntimeError(.system, "\(operation) container \(record.id): its cgroup \(cgroup.path) is gone")
        }
        return cgroup
    }
}
