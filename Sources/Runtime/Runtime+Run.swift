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
        var signals = sigset_t()
        sigemptyset(&signals)
        for signal in Self.forwardedSignals + [SIGCHLD] { sigaddset(&signals, signal) }
        if !detach { sigprocmask(SIG_BLOCK, &signals, nil) }

        let record = try create(id: id, options: options)
        do {
            try start(id: id)
        } catch {
            try? delete(id: id, force: true)
            throw error
        }
        if detach { return 0 }

        var exitCode: Int32 = 0
        waiting: while true {
            var info = siginfo_t()
            let signal = sigwaitinfo(&signals, &info)
            if signal == SIGCHLD || signal < 0 {
                var status: Int32 = 0
                let reaped = waitpid(record.pid, &status, WNOHANG)
                if reaped == record.pid {
                    exitCode = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
                    break waiting
                }
                if reaped < 0 && errno == ECHILD { break waiting }
            } else if signal > 0 {
                Glibc.kill(record.pid, signal)
            }
        }
        try delete(id: id, force: true)
        return exitCode
    }
}
