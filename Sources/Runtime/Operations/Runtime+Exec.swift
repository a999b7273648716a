import Cgroups
import Glibc
import LinuxSystem
import OCI

/// What `exec` runs and how: a process JSON (`--process`) or a command line
/// with the options that change the container's process settings.
public struct ExecOptions: Sendable {
    public var processFile: String?
    public var command: [String] = []
    public var detach = false
    public var tty = false
    public var consoleSocket: String?
    public var pidFile: String?
    public var cwd: String?
    public var env: [String] = []
    /// `UID[:GID]`.
    public var user: String?
    public var additionalGids: [UInt32] = []
    public var capabilities: [String] = []
    public var noNewPrivileges = false
    public var apparmorProfile: String?
    public var processLabel: String?
    public var preserveFds = 0
    /// A sub-cgroup of the container's to run the process in.
    public var cgroup: String?
    public var ignorePaused = false
    public var pidfdSocket: String?

    public init() {}
}

extension Runtime {
    /// Runs a new process inside a running container: in all of its init's
    /// namespaces and its cgroup, with the process's user, capabilities,
    /// seccomp filter and terminal. In the foreground returns the process's
    /// exit code; with `detach`, 0 once it runs.
    public func exec(id: String, options: ExecOptions) throws(RuntimeError) -> Int32 {
        var timer = PhaseTimer("exec \(id)", log: log)
        // The lock is held only while checking: execs into one container
        // run in parallel, as with runc.
        let lock = try store.lock(id)
        let record: ContainerRecord
        do throws(RuntimeError) {
            record = try loadRecord(id)
            let status = status(of: record)
            guard status.canExec || (status == .paused && options.ignorePaused) else {
                throw status.refusal(of: .exec, id: id)
            }
        } catch {
            lock.unlock()
            throw error
        }
        lock.unlock()
        timer.end("state check (\(record.id), init pid \(record.pid))")

        // What create kept, not the bundle: config.json may have changed.
        let spec = try recordedSpec(of: record)
        let plan = try ProcessPlan.forExec(record: record, spec: spec,
                                          process: try execProcess(options, base: spec.process), options: options,
                                          seccompCache: store.seccompCache)
        plan.warnings.forEach(log.warning)
        timer.end("plan")
        logPlan(plan)
        var signals = Self.forwardedSignalSet()
        if !options.detach { sigprocmask(SIG_BLOCK, &signals, nil) }

        let relay = plan.process.terminal && options.consoleSocket == nil ? try TerminalRelay.make() : nil
        let pid = try launchExec(plan, into: record, cgroupOption: options.cgroup, terminalThroughBerth: relay?.childEnd)
        timer.end("clone, join and execve (pid \(pid))")
        try publishOrKill(pid, options)
        if options.detach { return 0 }
        if let relay { return try relay.relay(until: pid, signals: signals, system: system) }
        return waitForwardingSignals(to: pid, signals: &signals)
    }

    /// The pidfd and the pid file. A process whose pid cannot be handed
    /// over is not left running where nobody knows of it: it is killed, as
    /// runc does.
    func publishOrKill(_ pid: pid_t, _ options: ExecOptions) throws(RuntimeError) {
        do throws(RuntimeError) {
            try publish(pid, pidfdSocket: options.pidfdSocket, pidFile: options.pidFile)
        } catch {
            log.debug("exec: killing process \(pid): \(error.summary)")
            system.killAndReap(pid)
            throw error
        }
    }

    /// `--debug`: what the exec'd process will be, before it is made.
    func logPlan(_ plan: ProcessPlan) {
        let process = plan.process
        log.debug("exec \(plan.id): runs \(process.args.joined(separator: " ")) in \(process.cwd) as uid \(process.uid)"
                  + " gid \(process.gid)\(process.terminal ? " on a terminal" : "")")
        log.debug("exec \(plan.id): joins the init's \(plan.joinedNamespaces.map(\.kind.rawValue).joined(separator: ", "))"
                  + " namespaces" + (plan.seccomp == nil ? "" : ", with the container's seccomp filter"))
    }

    /// The process to run: `--process` JSON as conmon and containerd write
    /// it, or the container's own process (`base`) with the command line's
    /// changes.
    func execProcess(_ options: ExecOptions, base: Process?) throws(RuntimeError) -> Process {
        var process: Process
        if let file = options.processFile {
            let bytes = try attempt("read process file \(file)") { () throws(Errno) in try FileSystem.readFile(file) }
            do {
                process = try SpecLoader.decode(Process.self, from: bytes)
            } catch {
                throw RuntimeError(.invalidConfig, "\(file): invalid process", details: error.problems.map(\.description))
            }
        } else {
            guard !options.command.isEmpty else {
                throw RuntimeError(.invalidArgument, "exec: a command or --process is needed")
            }
            process = base ?? Process(args: [], cwd: "/")
            process.args = options.command
            process.terminal = options.tty
            process.consoleSize = nil
        }
        if let cwd = options.cwd { process.cwd = cwd }
        for variable in options.env {
            let name = variable.prefix { $0 != "=" }
            process.env = (process.env ?? []).filter { !$0.hasPrefix(name + "=") } + [variable]
        }
        if let user = options.user {
            let parts = user.split(separator: ":", omittingEmptySubsequences: false)
            guard (1...2).contains(parts.count), let uid = UInt32(parts[0]),
                  parts.count == 1 || UInt32(parts[1]) != nil else {
                throw RuntimeError(.invalidArgument, "--user: expected UID[:GID], not \"\(user)\"")
            }
            process.user = User(uid: uid, gid: parts.count == 2 ? UInt32(parts[1])! : 0)
        }
        if !options.additionalGids.isEmpty {
            process.user = process.user ?? User(uid: 0, gid: 0)
            process.user?.additionalGids = options.additionalGids
        }
        for capability in options.capabilities {
            let name = capability.uppercased().hasPrefix("CAP_") ? capability.uppercased() : "CAP_" + capability.uppercased()
            guard Capability.number(of: name) != nil else {
                throw RuntimeError(.invalidArgument, "--cap: unknown capability \"\(capability)\"")
            }
            var sets = process.capabilities ?? LinuxCapabilities()
            sets.bounding = (sets.bounding ?? []) + [name]
            sets.effective = (sets.effective ?? []) + [name]
            sets.permitted = (sets.permitted ?? []) + [name]
            // Never inheritable (CVE-2022-29162: across execve of a program
            // whose file capabilities name it inheritable, an inheritable
            // capability becomes permitted, even for a non-root user).
            // Ambient needs inheritable: only where the config has it so.
            if sets.inheritable?.contains(name) == true {
                sets.ambient = (sets.ambient ?? []) + [name]
            }
            process.capabilities = sets
        }
        if options.noNewPrivileges { process.noNewPrivileges = true }
        if let profile = options.apparmorProfile { process.apparmorProfile = profile }
        if let label = options.processLabel { process.selinuxLabel = label }
        guard !(process.args ?? []).isEmpty else {
            throw RuntimeError(.invalidConfig, "process.args: the process needs a program to run")
        }
        guard process.cwd.hasPrefix("/") else {
            throw RuntimeError(.invalidConfig, "process.cwd: not an absolute path: \"\(process.cwd)\"")
        }
        return process
    }

    /// Clones the process into the container's pid and time namespaces and
    /// its cgroup; the child joins the rest itself. Returns its host pid
    /// once it has exec'd.
    func launchExec(_ plan: ProcessPlan, into record: ContainerRecord, cgroupOption: String?,
                    terminalThroughBerth: FileDescriptor? = nil) throws(RuntimeError) -> pid_t {
        let sockets = try attempt("create the exec socket pair") { () throws(Errno) in try SyncSocket.pair() }
        defer { sockets.parent.close() }
        for (kind, path) in plan.joinedNamespaces where kind == .pid || kind == .time {
            // Both apply to children only: the exec'd process is born there.
            try attempt("join \(kind.rawValue) namespace of the container") { () throws(Errno) in
                try system.joinNamespace(path: path, kind: kind)
            }
        }
        var cgroupDirectory: FileDescriptor?
        if let cgroup = cgroupManager(of: record) {
            cgroupDirectory = try cgroupAttempt { () throws(CgroupError) in try cgroup.openDirectory(subgroup: cgroupOption) }
            log.debug("exec \(plan.id): into cgroup \(cgroup.path)\(cgroupOption.map { " (sub-cgroup \($0))" } ?? "")")
        }
        defer { cgroupDirectory?.close() }

        let connections = try InheritedDescriptors.open(for: plan, terminalThroughBerth: terminalThroughBerth, system: system)
        defer { connections.close() }
        let pid = try Self.cloneChild("clone the exec'd process", into: cgroupDirectory)
        if pid == 0 {
            sockets.parent.close()
            ProcessInit(plan: plan, socket: sockets.child, connections: connections, system: system).runExec()
        }
        sockets.child.close()
        log.debug("exec \(plan.id): cloned pid \(pid); it joins the container and execs \(plan.process.args[0])")
        try attempt("start the exec'd process") { () throws(Errno) in
            try sockets.parent.send(.proceed(hostPid: pid))
        }
        // The socket is close-on-exec, and the exec helper makes it so again
        // before its own execve: EOF means the user's program runs.
        while let reply = try attempt("wait for the exec'd process", { () throws(Errno) in
            try sockets.parent.receiveMessage()
        }) {
            switch reply {
            case .failed(let error):
                _ = try? system.wait(for: pid, block: true)
                throw error
            case .execFailed(let path, let errno):
                _ = try? system.wait(for: pid, block: true)
                throw RuntimeError.system("exec \(path)", Errno(errno))
            case .warning(let text):
                log.warning(text)
            default:
                system.killAndReap(pid)
                throw RuntimeError(.system, "wait for the exec'd process: unexpected message \(reply)")
            }
        }
        let startTime = ProcFS.startTime(of: pid)
        _ = Self.waitUntilExecuted(pid: pid) { ProcFS.isAlive(pid, startedAt: startTime) }
        return pid
    }
}
