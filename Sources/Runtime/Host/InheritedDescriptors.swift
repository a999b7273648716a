import Glibc
import LinuxSystem

/// What berth opens for a container's process before the clone, with its
/// own credentials and view of the file system, and the child inherits: the
/// console socket that gets the pty master and the seccomp agent that gets
/// the notify fd (a child in a new user or mount namespace could not reach a
/// root-owned socket path itself), and the sealed exec helper.
struct InheritedDescriptors: Sendable {
    var console: FileDescriptor?
    /// `console` leads to berth's own relay (`run`/`exec` in the
    /// foreground), not to a manager's --console-socket.
    var consoleRelayedByBerth = false
    var seccompAgent: FileDescriptor?
    /// The program the child executes last (see helpers/exec-helper.c).
    var execHelper: FileDescriptor?

    static let none = InheritedDescriptors()

    /// `terminalThroughBerth`: the console end of a socket pair whose other
    /// end berth keeps, for `run`/`exec` relaying the terminal themselves.
    static func open(for plan: ProcessPlan, terminalThroughBerth: FileDescriptor?,
                     system: any SystemCalls) throws(RuntimeError) -> InheritedDescriptors {
        var connections = InheritedDescriptors()
        do throws(RuntimeError) {
            connections.execHelper = try ExecHelper.sealedCopy()
            if plan.process.terminal {
                if let terminalThroughBerth {
                    connections.console = terminalThroughBerth
                    connections.consoleRelayedByBerth = true
                } else if let path = plan.consoleSocket {
                    connections.console = try attempt("connect to the console socket \(path)") { () throws(Errno) in
                        try FileDescriptor.connectUnixSocket(path)
                    }
                }
            }
            if plan.seccomp?.usesNotify == true, let listener = plan.seccompListener {
                connections.seccompAgent = try attempt("connect to the seccomp agent at \(listener.path)") { () throws(Errno) in
                    try FileDescriptor.connectUnixSocket(listener.path)
                }
            }
        } catch {
            connections.close()
            throw error
        }
        return connections
    }

    /// Every descriptor held here.
    var descriptors: [Int32] {
        [console, seccompAgent, execHelper].compactMap { $0?.rawValue }
    }

    /// berth's copies, once the child has its own.
    func close() {
        console?.close()
        seccompAgent?.close()
        execHelper?.close()
    }
}
