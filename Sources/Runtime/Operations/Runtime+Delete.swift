import Cgroups
import Glibc
import LinuxSystem
import OCI

extension Runtime {
    /// Deletes a stopped container; with `force`, kills it first in any
    /// state. Runs the poststop hooks and removes the state directory.
    public func delete(id: String, force: Bool) throws(RuntimeError) {
        let lock: ContainerLock
        do {
            lock = try store.lock(id)
        } catch let error where error.code == .notFound && force {
            return
        }
        defer { lock.unlock() }
        let record: ContainerRecord?
        do {
            record = try store.load(id)
        } catch let error where error.code == .notFound && force {
            // Another delete removed it while this one waited for the lock:
            // what --force asks for is done.
            return
        }
        let status = status(of: record)
        if let record, !status.canDelete {
            guard force else { throw status.refusal(of: .delete, id: id) }
            try killAndWait(record)
        }
        if let cgroup = record.flatMap(cgroupManager(of:)) {
            try cgroupAttempt { () throws(CgroupError) in try cgroup.remove() }
        }
        record?.intelRdt.map(IntelRdt.remove)
        if let record {
            runHooksWarning(record, kind: "poststop", status: .stopped)
        }
        try store.remove(holding: lock)
    }

    /// SIGKILL to everything in the container, then waits until the init is
    /// gone or a zombie (its parent, not berth, reaps it).
    /// With a cgroup, cgroup.kill reaches every process of the container
    /// and a paused one is thawed (runc's delete --force of a paused
    /// container), so nothing stays frozen.
    func killAndWait(_ record: ContainerRecord) throws(RuntimeError) {
        if let cgroup = cgroupManager(of: record), cgroup.exists {
            try? system.signal(record.pid, SIGKILL)
            try? cgroup.killAll()
            try? cgroup.thaw(waiting: false)
        } else {
            for pid in Self.processesSharingPidNamespace(with: record.pid) {
                try? system.signal(pid, SIGKILL)
            }
        }
        guard Polling.until(seconds: 10, first: 500, longest: 20_000, { status(of: record) == .stopped }) else {
            throw RuntimeError(.system, "kill container \(record.id): init \(record.pid) still alive after 10s")
        }
    }
}
