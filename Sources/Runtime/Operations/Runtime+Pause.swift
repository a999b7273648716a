import Cgroups
import LinuxSystem

extension Runtime {
    /// Freezes every process of the container (cgroup.freeze 1) and waits
    /// until the kernel reports the cgroup frozen. As runc, a created
    /// container can be paused too; anything else is "container not running".
    public func pause(id: String) throws(RuntimeError) {
        let lock = try store.lock(id)
        defer { lock.unlock() }
        let record = try record(id, allowing: .pause).record
        let cgroup = try requireCgroup(of: record, for: "pause")
        try cgroupAttempt { () throws(CgroupError) in try cgroup.freeze() }
        log.debug("container \(id): paused")
    }

    /// Thaws a paused container (cgroup.freeze 0) and waits until the kernel
    /// reports it thawed.
    public func resume(id: String) throws(RuntimeError) {
        let lock = try store.lock(id)
        defer { lock.unlock() }
        let record = try record(id, allowing: .resume).record
        let cgroup = try requireCgroup(of: record, for: "resume")
        try cgroupAttempt { () throws(CgroupError) in try cgroup.thaw() }
        log.debug("container \(id): resumed")
    }
}
