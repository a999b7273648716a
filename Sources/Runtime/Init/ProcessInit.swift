import Glibc
import LinuxSystem
import OCI

/// A process berth starts in a container, between clone and execve: the
/// steps the container's init (ContainerInit) and an exec'd process share
/// — berth's word to go on, the namespaces joined, limits, cwd, terminal,
/// privileges, seccomp, execve — driven by a ProcessPlan. Any failure goes
/// to berth over the socket (see InitMessage).
struct ProcessInit {
    let plan: ProcessPlan
    let socket: SyncSocket
    /// The state directory's start-error file (see StateStore); only the
    /// container's init has one.
    var startError = FileDescriptor(rawValue: -1)
    /// Console socket, seccomp agent and exec helper, connected by berth.
    var connections: InheritedDescriptors = .none
    let system: any SystemCalls

    /// What the set-up leaves for the steps after `start`.
    struct PreparedProcess {
        var hostPid: Int32
        var executable: String
        /// Connected to linux.seccomp.listenerPath while the host's paths
        /// were reachable; the notify fd goes over it once the filter is in.
        var seccompListener: FileDescriptor?
        var seccompListenerPayload: String
        /// Left open until execve closes them (close-on-exec): for `exec`,
        /// the socket whose end tells berth the program started.
        var keptUntilExec: [Int32] = []
        /// The process's environment with HOME filled in (see
        /// environmentWithHome); nil: the plan's, unchanged.
        var environment: [String]? = nil
        /// `exec`: the exec helper reports a failed execve of the user's
        /// program on the socket (see execHelperReport).
        var reportsExecFailureOnSocket = false
    }

    /// Blocks until berth says `proceed` (see InitMessage), and returns the
    /// host pid it sends with it.
    func waitForProceed() throws(RuntimeError) -> Int32 {
        guard case .proceed(let hostPid)? = try attempt("wait for berth", { () throws(Errno) in try socket.receiveMessage() }) else {
            throw RuntimeError(.system, "wait for berth: it went away")
        }
        return hostPid
    }

    func joinNamespaces() throws(RuntimeError) {
        // berth joined the pid and time namespaces itself before the clone:
        // a process enters those only at birth.
        for (kind, path) in plan.joinedNamespaces where kind != .pid && kind != .time {
            try attempt("join \(kind.rawValue) namespace \(path)") { () throws(Errno) in
                try system.joinNamespace(path: path, kind: kind)
            }
        }
    }
}
