import Glibc
import LinuxSystem
import OCI

/// The container's init between clone and execve: it applies the launch
/// plan in the order runtime-linux.md and config-linux.md give and reports
/// any failure to berth as errno plus message (see InitMessage for the
/// sequence). It runs in a child of a single-threaded berth, so it may
/// allocate and call Swift freely.
struct ContainerInit {
    let plan: LaunchPlan
    let socket: SyncSocket
    /// exec.fifo, opened read-write by berth before clone: reading it blocks
    /// until `berth start` writes a byte.
    let execFifo: FileDescriptor
    /// The state directory's start-error file (see StateStore).
    var startError = FileDescriptor(rawValue: -1)
    /// Console socket and seccomp agent, connected by berth.
    var connections: InheritedDescriptors = .none
    let system: any SystemCalls

    /// Never returns: execs the user's process or exits.
    func run() -> Never {
        // Until execve the init is a copy of berth: not dumpable, so nothing
        // in the container can ptrace it or open /proc/<init>/exe to reach
        // the berth binary (the class of CVE-2019-5736). execve of the
        // user's program makes it dumpable again.
        try? system.setDumpable(false)
        let prepared: PreparedProcess
        do {
            prepared = try setUpContainer()
            try dropPrivileges(prepared)
        } catch {
            try? socket.send(.failed(error))
            _exit(1)
        }
        if (try? socket.send(.ready)) == nil { _exit(1) }
        socket.close()
        waitForStart()
        do {
            try runHooks(plan.hooks.startContainer, kind: "startContainer", status: .created, pid: prepared.hostPid)
            try execute(prepared)
        } catch {
            FileDescriptor.standardError.write("berth: \(error.summary)\n")
            try? startError.writeAll(Array(error.summary.utf8))
            _exit(127)
        }
    }

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
    }

    /// Everything up to the point where only `start` is missing.
    func setUpContainer() throws(RuntimeError) -> PreparedProcess {
        let hostPid = try waitForProceed()
        try setAffinity(plan.process.tuning.initialAffinity, "initial")
        try joinNamespaces()
        if plan.newNamespaces.contains(.cgroup) {
            try attempt("create a cgroup namespace") { () throws(Errno) in
                try system.unshare(.cgroup)
            }
        }
        if plan.newNamespaces.contains(.user) {
            // Root of the new user namespace, so files made now belong to it.
            try attempt("become root in the user namespace") { () throws(Errno) in
                try system.setGroupID(0)
                try system.setUserID(0)
            }
        }
        if !plan.options.noNewKeyring {
            // A keyring per container, so keys are not shared with the host
            // session; EPERM/ENOSYS where keyrings are off is not fatal (runc).
            do {
                try system.joinSessionKeyring(named: plan.id)
            } catch where error.rawValue == EPERM {
                // Denied by the host (a seccomp profile around berth, say):
                // the container then shares berth's session keyring.
                try? socket.send(.warning("join a new session keyring: \(error); the container shares berth's session keyring"))
            } catch where error.rawValue != ENOSYS {
                throw .system("join a new session keyring", error)
            } catch {}
        }

        let rootfs = try prepareRootfs()
        try attempt("ask berth to run hooks") { () throws(Errno) in try socket.send(.runHooks) }
        guard try attempt("wait for hooks", { () throws(Errno) in try socket.receiveMessage() }) == .hooksDone else {
            throw RuntimeError(.system, "wait for createRuntime hooks: berth went away")
        }
        try runHooks(plan.hooks.createContainer, kind: "createContainer", status: .creating, pid: hostPid)
        let terminal = try connections.console.map { (socket) throws(RuntimeError) -> FileDescriptor in
            try openTerminal(in: rootfs, sendingTo: socket)
        }
        rootfs.close()
        try applyProcessLimits()
        try enterRootfs()
        try applySysctl()
        try finishRootfs()
        try applyIdentity()
        try changeToWorkingDirectory()
        let executable = try resolveExecutable()
        if let terminal { try makeControllingTerminal(terminal) }
        return PreparedProcess(hostPid: hostPid, executable: executable, seccompListener: connections.seccompAgent,
                               seccompListenerPayload: seccompListenerPayload(hostPid: hostPid))
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

    func applyIdentity() throws(RuntimeError) {
        guard plan.has(.uts) else { return }
        if let hostname = plan.hostname {
            try attempt("set hostname \"\(hostname)\"") { () throws(Errno) in try system.setHostname(hostname) }
        }
        if let domainname = plan.domainname {
            try attempt("set domainname \"\(domainname)\"") { () throws(Errno) in try system.setDomainname(domainname) }
        }
    }

    /// Blocks until `berth start` writes into exec.fifo; exits quietly when
    /// the container is deleted instead (the fifo's writer never comes).
    func waitForStart() {
        var byte: UInt8 = 0
        let count = try? retryingInterrupts { read(execFifo.rawValue, &byte, 1) }
        if count != 1 { _exit(1) }
        execFifo.close()
    }

    func runHooks(_ hooks: [Hook]?, kind: String, status: ContainerStatus, pid: Int32) throws(RuntimeError) {
        let state = plan.state(status, pid: pid)
        for (index, hook) in (hooks ?? []).enumerated() {
            try HookRunner.run(hook, kind: kind, index: index, state: state, system: system)
        }
    }
}
