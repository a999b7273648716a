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
    /// Console socket, seccomp agent, exec helper and idmapped mounts,
    /// connected or made by berth.
    let connections: InheritedDescriptors
    let system: any SystemCalls
    /// The steps it shares with an exec'd process.
    let process: ProcessInit

    init(plan: LaunchPlan, socket: SyncSocket, execFifo: FileDescriptor, startError: FileDescriptor = FileDescriptor(rawValue: -1),
         connections: InheritedDescriptors = .none, system: any SystemCalls) {
        self.plan = plan
        self.socket = socket
        self.execFifo = execFifo
        self.connections = connections
        self.system = system
        process = ProcessInit(plan: plan.processPlan, socket: socket, startError: startError, connections: connections,
                              system: system)
    }

    /// Never returns: execs the user's process or exits.
    func run() -> Never {
        closeWhatWasNotHandedOver()
        // Until berth has recorded the container, nothing but this init
        // knows it exists: if berth dies (killed, a crash) the init must go
        // too, not linger blocked on exec.fifo. A berth that died before
        // this call is seen when the init first reads the socket (EOF).
        try? system.setParentDeathSignal(SIGKILL)
        // Until execve the init is a copy of berth: not dumpable, so nothing
        // in the container can ptrace it or open /proc/<init>/exe to reach
        // the berth binary (the class of CVE-2019-5736). execve of the
        // user's program makes it dumpable again.
        try? system.setDumpable(false)
        let prepared: ProcessInit.PreparedProcess
        do {
            prepared = try setUpContainer()
            try process.dropPrivileges(prepared)
        } catch {
            try? socket.send(.failed(error))
            _exit(1)
        }
        if (try? socket.send(.ready)) == nil { _exit(1) }
        waitUntilRecorded()
        waitForStart()
        do {
            let report = try process.confine(prepared)
            try runHooks(plan.hooks.startContainer, kind: "startContainer", status: .created,
                         context: HookRunner.Context(environment: prepared.environment ?? plan.process.env))
            try process.execute(prepared, report: report)
        } catch {
            FileDescriptor.standardError.write("berth: \(error.summary)\n")
            try? process.startError.writeAll(Array(error.summary.utf8))
            _exit(127)
        }
    }

    /// The init is a copy of berth, descriptors included: one berth
    /// inherited from its caller must not stay open in a created container
    /// until `start` (and its hooks). Only stdio, the --preserve-fds
    /// descriptors and what berth opened for the init are kept.
    func closeWhatWasNotHandedOver() {
        let handedOver = [socket.descriptor.rawValue, execFifo.rawValue, process.startError.rawValue]
            + connections.descriptors
        system.closeDescriptors(from: 3 + Int32(plan.processPlan.preserveFds), keeping: handedOver.filter { $0 >= 0 })
    }

    /// Everything up to the point where only `start` is missing.
    func setUpContainer() throws(RuntimeError) -> ProcessInit.PreparedProcess {
        let hostPid = try process.waitForProceed()
        try process.setInitialAffinity()
        try process.joinNamespaces()
        for kind in plan.namespacesMadeInJoinedUserNamespace {
            try attempt("create a \(kind.rawValue) namespace in the joined user namespace") { () throws(Errno) in
                try system.unshare(kind)
            }
        }
        if plan.newNamespaces.contains(.cgroup) {
            try attempt("create a cgroup namespace") { () throws(Errno) in
                try system.unshare(.cgroup)
            }
        }
        if plan.has(.user) {
            // Root of the user namespace (new or joined: setns keeps the
            // ids, which a joined one may not map), so files made now
            // belong to it.
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
        // In the rootfs, as runc: before pivot_root, where the hook sees
        // the container's mounts under that path.
        try runHooks(plan.hooks.createContainer, kind: "createContainer", status: .creating,
                     context: HookRunner.Context(environment: plan.process.env, directory: plan.rootfs))
        let terminal = try connections.console.map { (socket) throws(RuntimeError) -> FileDescriptor in
            try process.openTerminal(in: rootfs, sendingTo: socket)
        }
        if let terminal { try bindConsole(terminal, root: rootfs) }
        rootfs.close()
        try process.applyProcessLimits()
        try enterRootfs()
        try process.applySysctl()
        try finishRootfs()
        try applyIdentity()
        try process.changeToWorkingDirectory()
        let executable = try process.resolveExecutable()
        if let terminal { try process.makeControllingTerminal(terminal) }
        return ProcessInit.PreparedProcess(hostPid: hostPid, executable: executable, seccompListener: connections.seccompAgent,
                               seccompListenerPayload: process.seccompListenerPayload(hostPid: hostPid),
                               environment: process.environmentWithHome())
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

    /// The container now outlives berth: `create` returns once the init has
    /// closed the socket, so the signal is off before berth exits. EOF
    /// instead means berth died before it wrote the record: nothing would
    /// ever start or delete this init.
    func waitUntilRecorded() {
        guard (try? socket.receiveMessage()) == .recorded else { _exit(1) }
        try? system.setParentDeathSignal(0)
        socket.close()
    }

    /// Blocks until `berth start` writes into exec.fifo; exits quietly when
    /// the container is deleted instead (the fifo's writer never comes).
    func waitForStart() {
        Self.exitOnTerminate()
        var byte: UInt8 = 0
        let count = try? retryingInterrupts { read(execFifo.rawValue, &byte, 1) }
        if count != 1 { _exit(1) }
        execFifo.close()
    }

    /// `berth kill ID TERM` stops a created container, as with runc (whose
    /// init, a Go program, dies of SIGTERM). As pid 1 of its own pid
    /// namespace the init would ignore a signal it has no handler for, and
    /// `run` handed it SIGTERM blocked. The handler only calls _exit, which
    /// is async-signal-safe; execve of the user's program resets it.
    static func exitOnTerminate() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in _exit(128 + SIGTERM) }
        sigemptyset(&action.sa_mask)
        sigaction(SIGTERM, &action, nil)
        var terminate = sigset_t()
        sigemptyset(&terminate)
        sigaddset(&terminate, SIGTERM)
        sigprocmask(SIG_UNBLOCK, &terminate, nil)
    }

    /// The hooks run in the container's namespaces: runtime.md gives them
    /// the pid as seen there (1 in a new pid namespace), as runc does.
    func runHooks(_ hooks: [Hook]?, kind: String, status: ContainerStatus,
                  context: HookRunner.Context) throws(RuntimeError) {
        let state = plan.state(status, pid: getpid())
        for (index, hook) in (hooks ?? []).enumerated() {
            try HookRunner.run(hook, kind: kind, index: index, state: state, context: context, system: system)
        }
    }
}
