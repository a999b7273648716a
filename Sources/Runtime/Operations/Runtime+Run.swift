import Glibc
import LinuxSystem
import OCI

extension Runtime {

    /// create + start; in the foreground it waits for the process, forwards
    /// signals to it, deletes the container and returns the exit code
    /// (128 + signal when the process was killed).
    public func run(id: String, options: CreateOptions, detach: Bool) throws(RuntimeError) -> Int32 {
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
        try delete(id: id, force: true)
        return exitCode
    }
}
