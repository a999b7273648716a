import Glibc
import LinuxSystem
import OCI

extension Runtime {

    /// create + start; in the foreground it waits for the process, forwards
    /// signals to it, deletes the container and returns the exit code
    /// (128 + signal when the process was killed). With `keep` (runc 1.2's
    /// --keep) the stopped container stays, state and cgroup, until
    /// `delete`, which runs its poststop hooks.
    public func run(id: String, options: CreateOptions, detach: Bool, keep: Bool = false) throws(RuntimeError) -> Int32 {
        // Blocked before the init exists, so none is lost; the init unblocks
        // them just before execve. sigwaitinfo then receives them here
        // synchronously, keeping berth single-threaded.
        var signals = Self.forwardedSignalSet()
        if !detach { sigprocmask(SIG_BLOCK, &signals, nil) }

        // In the foreground a terminal without a console socket is relayed
        // through berth.
        let (record, relay) = try create(id: id, options: options, mayRelayTerminal: !detach)
        do {
            try start(id: id)
        } catch {
            try? delete(id: id, force: true)
            throw error
        }
        if detach { return 0 }
        let exitCode = try relay.map { (relay) throws(RuntimeError) -> Int32 in
            try relay.relay(until: record.pid, signals: signals, system: system)
        } ?? waitForwardingSignals(to: record.pid, signals: &signals)
        if !keep {
            try delete(id: id, force: true)
        }
        return exitCode
    }
}
