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

    /// Joins the namespaces given by path. With a user namespace among
    /// them, first every other one the host's privileges allow, then the
    /// user namespace, then the rest with its privileges: a namespace that
    /// user namespace does not own (one root made on the host) can only be
    /// entered before, one it owns whose owner berth cannot reach only
    /// after (runc's two-stage join, opencontainers/runc#4492, as nsenter(1)).
    func joinNamespaces() throws(RuntimeError) {
        // berth joined the pid and time namespaces itself before the clone:
        // a process enters those only at birth.
        let joins = plan.joinedNamespaces.filter { $0.kind != .pid && $0.kind != .time }
        guard joins.contains(where: { $0.kind == .user }) else {
            // The mount namespace is last in the join order, so every path
            // is read where berth's own mounts are.
            for (kind, path) in joins {
                try attempt("join \(kind.rawValue) namespace \(path)") { () throws(Errno) in
                    try system.joinNamespace(path: path, kind: kind)
                }
            }
            return
        }
        // All opened first: here the mount namespace may be entered before
        // the user namespace, and a path read after it would be read in
        // the container's mounts.
        var opened: [Namespace] = []
        defer { opened.forEach { $0.descriptor.close() } }
        for (kind, path) in joins {
            let descriptor = try attempt("open \(kind.rawValue) namespace \(path)") { () throws(Errno) in
                try FileDescriptor.open(path, O_RDONLY)
            }
            opened.append(Namespace(kind: kind, path: path, descriptor: descriptor))
        }
        var refused: [Namespace] = []
        for namespace in opened where namespace.kind != .user {
            do {
                try system.joinNamespace(namespace.descriptor, kind: namespace.kind)
            } catch where error.rawValue == EPERM {
                refused.append(namespace)
            } catch {
                throw .system("join \(namespace.kind.rawValue) namespace \(namespace.path)", error)
            }
        }
        for namespace in opened.filter({ $0.kind == .user }) + refused {
            try attempt("join \(namespace.kind.rawValue) namespace \(namespace.path)") { () throws(Errno) in
                try system.joinNamespace(namespace.descriptor, kind: namespace.kind)
            }
        }
    }

    /// A namespace to join, opened.
    private struct Namespace {
        var kind: NamespaceKind
        var path: String
        var descriptor: FileDescriptor
    }
}
