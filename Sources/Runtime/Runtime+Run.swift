import Glibc
import LinuxSystem
import OCI

extension Runtime {
    /// The signals `run` forwards to the container's process. SIGCHLD tells
    /// it the process ended; the rest are the ones a terminal or a manager
    /// sends to stop, suspend or notify a foreground program.
    static let forwardedSignals: [Int32] = [
        SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT, SIGALRM, SIGPIPE,
    ]

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

    /// The forwarded signals plus SIGCHLD, to block and then wait for.
    static func forwardedSignalSet() -> sigset_t {
        var signals = sigset_t()
        sigemptyset(&signals)
        for signal in forwardedSignals + [SIGCHLD] { sigaddset(&signals, signal) }
        return signals
    }

    /// Waits for a child of berth, passing on every forwarded signal berth
    /// receives; returns its exit code, 128 + signal when it was killed.
    func waitForwardingSignals(to pid: pid_t, signals: inout sigset_t) -> Int32 {
        while true {
            var info = siginfo_t()
            let signal = sigwaitinfo(&signals, &info)
            if signal == SIGCHLD || signal < 0 {
                do {
                    if let status = try system.wait(for: pid, block: false) {
                        return ProcessExit(waitStatus: status).shellCode
                    }
                } catch {
                    if error.rawValue == ECHILD { return 0 }
                }
            } else if signal > 0 {
                try? system.signal(pid, signal)
            }
        }
    }
}
