import Cgroups
import Glibc
import LinuxSystem
import OCI

extension Runtime {
    /// Deletes a stopped container; with `force`, kills it first in any
    /// state. Runs the poststop hooks and removes the state directory.
    /// A create that died half-way ("creating", its lock free) is undone
    /// either way: its init killed, the cgroup it made removed.
    public func delete(id: String, force: Bool) throws(RuntimeError) {
        if force { store.removeAbandonedStaging() }
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
        } catch let error where error.code == .corruptState && force {
            try deleteUnreadable(id, holding: lock, because: error)
            return
        }
        let status = status(of: record)
        if let record {
            if status == .creating {
                if initIsTheContainers(record) { try killAndWait(record) }
            } else if !status.canDelete {
                guard force else { throw status.refusal(of: .delete, id: id) }
                try killAndWait(record)
            }
        }
        if let record { unmountContainerMounts(record) }
        if let record, record.joinedCgroup != true, let cgroup = cgroupManager(of: record) {
            try cgroupAttempt { () throws(CgroupError) in try cgroup.remove() }
        }
        record?.intelRdt.map(IntelRdt.remove)
        if let record, status != .creating {
            runHooksWarning(record, kind: "poststop", status: .stopped)
        }
        try store.remove(holding: lock)
    }

    /// SIGKILL to everything of the container, then waits until the init is
    /// gone or a zombie (its parent, not berth, reaps it).
    /// With a cgroup berth made, cgroup.kill reaches every process of the
    /// container and a paused one is thawed (runc's delete --force of a
    /// paused container), so nothing stays frozen. In a joined cgroup only
    /// the container's own processes are killed: the others are not its.
    func killAndWait(_ record: ContainerRecord) throws(RuntimeError) {
        guard initIsTheContainers(record) else {
            // An init killed a moment ago leaves its cgroup before it turns
            // into a zombie: that one is no stranger, only slow to die.
            let dying = Polling.until(seconds: 1, first: 500, longest: 20_000) {
                !ProcFS.isAlive(record.pid, startedAt: record.initStartTime)
            }
            if dying { return }
            log.warning("container \(RuntimeError.quoted(record.id)): pid \(record.pid) is not its init any more; not signalled")
            return
        }
        if record.joinedCgroup != true, let cgroup = cgroupManager(of: record), cgroup.exists {
            try? system.signal(record.pid, SIGKILL)
            try? cgroup.killAll()
            try? cgroup.thaw(waiting: false)
        } else {
            for pid in Self.processesOfContainer(withInit: record.pid) {
                try? system.signal(pid, SIGKILL)
            }
        }
        let gone = Polling.until(seconds: 10, first: 500, longest: 20_000) {
            !ProcFS.isAlive(record.pid, startedAt: record.initStartTime)
        }
        guard gone else {
            throw RuntimeError(.system, "kill container \(record.id): init \(record.pid) still alive after 10s")
        }
    }

    /// `delete --force` of a container whose state.json does not decode:
    /// what it names cannot be trusted, so only what create would have
    /// made for this id is undone. The cgroup is the one the kept config
    /// plans (berth's default path when that is unreadable too): emptied and
    /// removed when berth chose its path, only removed when empty otherwise
    /// (it may be a shared one the container joined).
    func deleteUnreadable(_ id: String, holding lock: ContainerLock, because error: RuntimeError) throws(RuntimeError) {
        log.warning("container \(RuntimeError.quoted(id)): \(error.summary); removing what berth made for it")
        var cgroupsPath: String?
        if let bytes = try? store.loadConfig(id), let spec = try? SpecLoader.decode(bytes) {
            cgroupsPath = spec.linux?.cgroupsPath
        }
        let chosenByBerth = (cgroupsPath ?? "").isEmpty
        if let mount = CgroupMount.find(),
           case .success(let relativePath) = Cgroup.relativePath(cgroupsPath: cgroupsPath, id: id,
                                                                  callerCgroup: Cgroup.callerCgroup) {
            let cgroup = cgroupDriver.manager(in: mount, at: relativePath)
            if cgroup.exists {
                if chosenByBerth {
                    try cgroupAttempt { () throws(CgroupError) in try cgroup.remove() }
                } else {
                    do throws(CgroupError) {
                        try cgroup.removeIfEmpty()
                    } catch {
                        log.warning("container \(RuntimeError.quoted(id)): \(error); left in place, as berth cannot tell whether it made it")
                    }
                }
            }
        }
        try store.remove(holding: lock)
    }
}
