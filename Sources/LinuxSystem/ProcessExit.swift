import OCI

/// How a child ended, decoded once from waitpid(2)'s status word.
public enum ProcessExit: Equatable, Sendable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    public init(waitStatus status: Int32) {
        let signal = status & 0x7f
        self = signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
    }

    /// The shell's convention, which `run` and `exec` relay: the exit code,
    /// or 128 + the signal that killed the process.
    public var shellCode: Int32 {
        switch self {
        case .exited(let code): return code
        case .signaled(let signal): return 128 + signal
        }
    }

    /// "exit status 1", "killed by signal SIGILL (4)".
    public var description: String {
        switch self {
        case .exited(let code): return "exit status \(code)"
        case .signaled(let signal): return "killed by signal \(SignalName.name(of: signal) ?? "") (\(signal))"
        }
    }
}
