import Glibc
import LinuxSystem

extension ProcessInit {
    /// The child of `berth exec`: joins the container, becomes the process
    /// and execs it. Every failure goes to berth over the socket; a clean
    /// exec closes the socket (close-on-exec), which berth reads as success.
    func runExec() -> Never {
        try? system.setDumpable(false)
        do throws(RuntimeError) {
            let prepared = try prepareExec()
            try dropPrivileges(prepared)
            let report = try confine(prepared)
            try execute(prepared, report: report)
        } catch {
            try? socket.send(.failed(error))
            _exit(127)
        }
    }

    /// The exec'd process's steps up to the change of user: berth's word,
    /// then the container's namespaces, limits, cwd and terminal.
    func prepareExec() throws(RuntimeError) -> PreparedProcess {
        let hostPid = try waitForProceed()
        try setInitialAffinity()
        try joinNamespaces()
        if let root = plan.rootOfInit {
            // Through the host's /proc: this process is still in the mount
            // namespace it shares with the container's init.
            try attempt("chroot into the container's root \(root)") { () throws(Errno) in
                try system.changeDirectory(root)
                try system.changeRoot(".")
                try system.changeDirectory("/")
            }
        }
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
                                       keptUntilExec: [socket.descriptor.rawValue], environment: environmentWithHome(),
                                       reportsExecFailureOnSocket: true)
        return prepared
    }
}
