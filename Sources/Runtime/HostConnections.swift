import Glibc
import LinuxSystem

/// The unix sockets a container's process talks to on the host: the console
/// socket that gets the pty master, and the seccomp agent that gets the
/// notify fd. berth connects them before the clone, with its own
/// credentials and view of the file system, and the child inherits the
/// descriptors: a child in a new user or mount namespace could not reach a
/// root-owned socket path itself.
struct HostConnections: Sendable {
    var console: FileDescriptor?
    var seccompAgent: FileDescriptor?

    static let none = HostConnections()

    /// `terminalThroughBerth`: the console end of a socket pair whose other
    /// end berth keeps, for `run`/`exec` relaying the terminal themselves.
    static func open(for plan: LaunchPlan, terminalThroughBerth: FileDescriptor?) throws(RuntimeError) -> HostConnections {
        var connections = HostConnections()
        do throws(RuntimeError) {
            if plan.process.terminal {
                if let terminalThroughBerth {
                    connections.console = terminalThroughBerth
                } else if let path = plan.options.consoleSocket {
                    connections.console = try attempt("connect to the console socket \(path)") { () throws(Errno) in
                        try UnixSocket.connect(to: path)
                    }
                }
            }
            if plan.seccomp?.usesNotify == true, let listener = plan.seccompListener {
                connections.seccompAgent = try attempt("connect to the seccomp agent at \(listener.path)") { () throws(Errno) in
                    try UnixSocket.connect(to: listener.path)
                }
            }
        } catch {
            connections.close()
            throw error
        }
        return connections
    }

    /// berth's copies, once the child has its own.
    func close() {
        console?.close()
        seccompAgent?.close()
    }
}
