import CBerth
import Glibc
import LinuxSystem

extension ContainerInit {
    /// The child of `berth exec`: joins the container, becomes the process
    /// and execs it. Every failure goes to berth over the socket; a clean
    /// exec closes the socket (close-on-exec), which berth reads as success.
    func runExec() -> Never {
        _ = berth_prctl(Prctl.setDumpable, 0, 0, 0, 0)
        do throws(RuntimeError) {
            guard let proceed = try attempt("wait for berth", { () throws(Errno) in try socket.receiveMessage() }),
                  proceed.message == .proceed, let hostPid = Int32(proceed.payload) else {
                throw RuntimeError(.system, "wait for berth: it went away")
            }
            try setAffinity(plan.process.tuning.initialAffinity, "initial")
            try joinNamespaces()
            try applyProcessLimits()
            try changeToWorkingDirectory()
            let executable = try resolveExecutable()
            if let consoleSocket = connections.console {
                let root = try attempt("open /") { () throws(Errno) in try FileDescriptor.open("/", O_PATH | O_DIRECTORY) }
                defer { root.close() }
                try makeControllingTerminal(try openTerminal(in: root, sendingTo: consoleSocket))
            }
            let prepared = PreparedProcess(hostPid: hostPid, executable: executable,
                                           seccompListener: connections.seccompAgent,
                                           seccompListenerPayload: seccompListenerPayload(hostPid: hostPid),
                                           keptUntilExec: [socket.descriptor.rawValue])
            try dropPrivileges(prepared)
            try execute(prepared)
        } catch {
            try? socket.send(.failed, errno: error.errno?.rawValue ?? 0, payload: error.message)
            _exit(127)
        }
    }
}
