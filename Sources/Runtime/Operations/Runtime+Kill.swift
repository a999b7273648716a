import Cgroups
import Glibc
import LinuxSystem
import OCI

extension Runtime {
    /// Sends a signal to the container's init or, with `all`, to every
    /// process of the container: those of its cgroup (and the cgroup's
    /// descendants) when berth made it, else those `processesOfContainer`
    /// finds. Only a pid that is still the container's init is signalled.
    public func kill(id: String, signal text: String, all: Bool) throws(RuntimeError) {
        // Signal 0 only asks whether the init is there, as with kill(1) and runc.
        guard let signal = text == "0" ? 0 : SignalName.number(of: text) else {
            throw RuntimeError(.invalidArgument, "unknown signal \"\(text)\"")
        }
        let lock = try store.lock(id)
        defer { lock.unlock() }
        let (record, status) = try record(id, allowing: .kill)
        let paused = status == .paused
        let initPid = try requireContainersInit(record)
        if all, record.joinedCgroup != true, let cgroup = cgroupManager(of: record) {
            try signalCgroup(cgroup, signal, text, paused: paused)
        } else {
            let targets = all ? Self.processesOfContainer(withInit: initPid) : [initPid]
            try send(signal, text, to: targets)
        }
        // runc: a SIGKILLed paused container is thawed, so that it dies and
        // is not left frozen (other signals wait for resume, as in runc).
        if paused && signal == SIGKILL, let cgroup = cgroupManager(of: record) {
            try? cgroup.thaw(waiting: false)
        }
    }

    /// `kill --all` with a cgroup: SIGKILL through cgroup.kill; any other
    /// signal to every pid of the cgroup and its descendants, with the cgroup
    /// frozen meanwhile so that no process forks away from the signal (as
    /// runc's signalAllProcesses; a paused container stays frozen).
    func signalCgroup(_ cgroup: any CgroupManager, _ signal: Int32, _ text: String, paused: Bool) throws(RuntimeError) {
        if signal == SIGKILL {
            try cgroupAttempt { () throws(CgroupError) in try cgroup.killAll() }
            return
        }
        let froze = !paused && (try? cgroup.freeze()) != nil
        defer { if froze { try? cgroup.thaw() } }
        try send(signal, text, to: cgroup.processes())
    }

    /// Signals each pid; one that has exited meanwhile (ESRCH) is skipped.
    func send(_ signal: Int32, _ text: String, to pids: [pid_t]) throws(RuntimeError) {
        for pid in pids {
            do {
                try system.signal(pid, signal)
            } catch where error != .noSuchProcess {
                throw .system("kill \(pid) with signal \(text)", error)
            } catch {}
        }
    }
}
