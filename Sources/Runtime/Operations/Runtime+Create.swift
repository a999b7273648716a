import Cgroups
import Glibc
import LinuxSystem
import OCI

extension Runtime {
    /// Creates a container and leaves its init blocked before execve of the
    /// user's process. On any failure the half-made init is killed and
    /// nothing is left: no state directory, no process.
    @discardableResult
    public func create(id: String, options: CreateOptions) throws(RuntimeError) -> ContainerRecord {
        try create(id: id, options: options, mayRelayTerminal: false).record
    }

    /// With `mayRelayTerminal` (a foreground `run`), a terminal without a
    /// console socket is relayed through berth: the relay is returned.
    func create(id: String, options: CreateOptions,
                mayRelayTerminal: Bool) throws(RuntimeError) -> (record: ContainerRecord, relay: TerminalRelay?) {
        try ContainerID.validate(id)
        var timer = PhaseTimer("create \(id)", log: log)
        var options = options
        options.bundle = try attempt("find bundle \(options.bundle)") { () throws(Errno) in
            try FileSystem.absolute(options.bundle)
        }
        let (spec, configBytes) = try loadSpec(bundle: options.bundle)
        timer.end("decode and validate")
        var terminalRelay: TerminalRelay?
        if mayRelayTerminal && options.consoleSocket == nil && spec.process?.terminal == true {
            terminalRelay = try TerminalRelay.make()
            options.relaysTerminal = true
        }
        var host = HostFacts.current()
        host.seccompCache = store.seccompCache
        let plan = try LaunchPlan.build(id: id, spec: spec, options: options, host: host)
        timer.end("plan")
        timer.report("seccomp compile (part of plan)", nanoseconds: plan.seccompCompileTime)
        plan.warnings.forEach(log.warning)
        for name in plan.seccomp?.skippedSyscalls ?? [] {
            log.debug("seccomp: skipping unknown system call \"\(name)\"")
        }
        // The rootfs is the container's "/": a symlink there would let
        // whoever can change the link swap the root between this check and
        // the init's use of it, and runc refuses one too.
        if let target = FileSystem.readLink(plan.rootfs) {
            throw RuntimeError(.invalidConfig, "root.path: rootfs \(plan.rootfs) is a symbolic link (to \(target)); "
                                   + "name the directory itself")
        }
        guard FileSystem.isDirectory(plan.rootfs) else {
            throw RuntimeError(.invalidConfig, "root.path: rootfs \(plan.rootfs) does not exist or is not a directory")
        }

        let record = try firstRecord(of: plan)
        // From here on every change to the host has a record that names it,
        // so `delete --force` can undo a create killed at any point.
        let lock = try store.claim(record, config: configBytes)
        defer { lock.unlock() }
        timer.end("state claim")
        var made = LaunchRollback()
        do {
            let launched = launch(plan, record: record, holding: lock, timer: &timer,
                                  terminalThroughBerth: terminalRelay?.childEnd)
            made = launched.made
            let record = try launched.result.get()
            try publish(record.pid, pidfdSocket: options.pidfdSocket, pidFile: options.pidFile)
            return (record, terminalRelay)
        } catch {
            made.undo(system: system)
            unmountContainerMounts(record)
            try? store.remove(holding: lock)
            throw error
        }
    }

    /// The record `create` claims the id with, before it changes anything:
    /// still creating, no init yet, and the cgroup it is about to make or
    /// join.
    func firstRecord(of plan: LaunchPlan) throws(RuntimeError) -> ContainerRecord {
        let cgroup = plan.cgroup.map(cgroupManager(for:))
        let joinsCgroup = cgroup?.exists ?? false
        if joinsCgroup, let cgroup, plan.cgroup?.pathIsDefault == true {
            throw RuntimeError(.alreadyExists,
                "cgroup \(cgroup.path) already exists: another container with id \(RuntimeError.quoted(plan.id)) (under another --root) or one a killed berth left has it; set linux.cgroupsPath or remove that cgroup")
        }
        let laterHooks = Hooks(startContainer: plan.hooks.startContainer, poststart: plan.hooks.poststart,
                               poststop: plan.hooks.poststop)
        return ContainerRecord(
            ociVersion: plan.ociVersion, id: plan.id, pid: 0, initStartTime: 0, bundle: plan.bundle,
            rootfs: plan.rootfs, created: Clock.rfc3339Now(), owner: Self.ownerName(), annotations: plan.annotations,
            cgroupPath: cgroup?.path, joinedCgroup: joinsCgroup ? true : nil,
            hooks: laterHooks.all.isEmpty ? nil : laterHooks, creating: true,
            mountsBeforeCreate: plan.sharesMountNamespace ? SharedMountNamespace.mountIDs(below: plan.rootfs) : nil)
    }

    /// What a container sharing berth's mount namespace mounted there.
    func unmountContainerMounts(_ record: ContainerRecord) {
        guard let kept = record.mountsBeforeCreate else { return }
        SharedMountNamespace.unmountAdded(below: record.rootfs, keeping: kept, system: system, log: log)
    }

    /// Clones the init and drives it to `ready` (see InitMessage), keeping
    /// `record` up to date under `lock` on the way. Whether it succeeds or
    /// fails, the result carries what was made on the host (the init, a new
    /// cgroup, an RDT group), so the caller can undo it.
    func launch(_ plan: LaunchPlan, record: ContainerRecord, holding lock: ContainerLock, timer: inout PhaseTimer,
                terminalThroughBerth: FileDescriptor? = nil) -> LaunchOutcome {
        var made = LaunchRollback()
        var record = record
        do throws(RuntimeError) {
            try launch(plan, record: &record, holding: lock, made: &made, timer: &timer,
                       terminalThroughBerth: terminalThroughBerth)
            return LaunchOutcome(result: .success(record), made: made)
        } catch {
            return LaunchOutcome(result: .failure(error), made: made)
        }
    }

    private func launch(_ plan: LaunchPlan, record: inout ContainerRecord, holding lock: ContainerLock,
                        made: inout LaunchRollback, timer: inout PhaseTimer,
                        terminalThroughBerth: FileDescriptor?) throws(RuntimeError) {
        let fifoPath = store.execFifo(of: plan.id)
        let execFifo = try attempt("create \(fifoPath)") { () throws(Errno) in
            _ = try retryingInterrupts { mkfifo(fifoPath, 0o622) }
            // Read-write, so opening never blocks; the init's read blocks
            // until `start` writes.
            return try FileDescriptor.open(fifoPath, O_RDWR)
        }
        defer { execFifo.close() }
        // Opened by berth: the init, by then perhaps an unprivileged user,
        // keeps only this descriptor to it.
        let startError = try attempt("create \(store.startError(of: plan.id))") { () throws(Errno) in
            try FileDescriptor.open(store.startError(of: plan.id), O_WRONLY | O_CREAT | O_EXCL, mode: 0o600)
        }
        defer { startError.close() }
        let sockets = try attempt("create the init's socket pair") { () throws(Errno) in try SyncSocket.pair() }
        defer { sockets.parent.close() }

        if let pidNamespace = plan.joinedNamespaces.first(where: { $0.kind == .pid }) {
            // setns(CLONE_NEWPID) moves only our future children.
            try attempt("join pid namespace \(pidNamespace.path)") { () throws(Errno) in
                try system.joinNamespace(path: pidNamespace.path, kind: .pid)
            }
        }

        let cgroup = try plan.cgroup.map { (planned) throws(RuntimeError) -> any CgroupManager in
            let cgroup = try prepareCgroup(planned, made: &made.cgroup)
            let joined: Bool? = made.cgroup == nil ? true : nil
            if joined != record.joinedCgroup {
                // The cgroup came or went since the record was claimed.
                record.joinedCgroup = joined
                try store.save(record, holding: lock)
            }
            return cgroup
        }
        if cgroup == nil {
            log.debug("container \(plan.id): no cgroup v2 hierarchy on this host, so no cgroup is made")
        }
        timer.end("cgroup")
        // clone3 puts the init straight into its cgroup: no user code of the
        // container ever runs outside it.
        let cgroupDirectory = try cgroup.map { (cgroup) throws(RuntimeError) -> FileDescriptor in
            try cgroupAttempt { () throws(CgroupError) in try cgroup.openDirectory() }
        }
        defer { cgroupDirectory?.close() }
        let connections = try InheritedDescriptors.open(for: plan.processPlan, terminalThroughBerth: terminalThroughBerth,
                                                        system: system)
        defer { connections.close() }
        // The idmapped mounts' user namespaces, made before the clone: a
        // failure then leaves no init to undo.
        let idmapNamespaces = try IDMappedMounts.userNamespaces(for: plan.mounts, system: system)
        defer { idmapNamespaces.values.forEach { $0.close() } }
        let timeNamespace = try TimeNamespaceSwitch.prepare(for: plan, offsets: plan.timeOffsets, system: system)
        let pid: pid_t
        do throws(RuntimeError) {
            pid = try Self.cloneChild("clone the container's init", flags: plan.cloneFlags, into: cgroupDirectory)
        } catch {
            timeNamespace?.restore()
            throw error
        }
        if pid != 0 { timeNamespace?.restore() }
        if pid == 0 {
            // The child's copies of berth's descriptors would keep the
            // container's lock (an flock on the open file) held until exec.
            sockets.parent.close()
            lock.unlock()
            ContainerInit(plan: plan, socket: sockets.child, execFifo: execFifo, startError: startError,
                          connections: connections, system: system).run()
        }
        made.initPid = pid
        sockets.child.close()
        log.debug("container \(plan.id): init is pid \(pid)")
        timer.end("clone")

        if plan.newNamespaces.contains(.user) {
            try Self.writeIdMappings(IDMappings(uid: plan.uidMappings, gid: plan.gidMappings), pid: pid)
        }
        record.pid = pid
        record.initStartTime = ProcFS.startTime(of: pid) ?? 0
        if let rdt = plan.process.tuning.intelRdt, let root = plan.process.tuning.resctrlRoot {
            // Before the init runs any code of the container's.
            record.intelRdt = try IntelRdt.apply(rdt, id: plan.id, pid: pid, root: root)
            made.intelRdt = record.intelRdt
        }
        // Until this write the init dies with berth (its parent-death
        // signal); from here `delete --force` finds it by pid and start time.
        try store.save(record, holding: lock)
        // The init waits for `proceed`, so it sees the devices from the start.
        try NetworkDevices.move(plan.networkDevices, intoNetworkNamespaceOf: pid)
        if let score = plan.process.oomScoreAdj {
            // Written by berth: the init is not dumpable, so in a user
            // namespace its own /proc/self files are not writable by it.
            try ProcFile.write(String(score), to: "/proc/\(pid)/oom_score_adj")
        }
        try attempt("start the container's init") { () throws(Errno) in
            try sockets.parent.send(.proceed(hostPid: pid))
        }
        timer.end("id maps, devices, record of the init")
        while true {
            let message: InitMessage?
            do {
                message = try sockets.parent.receiveMessage()
            } catch where error.meansPeerGone {
                throw initExited(pid, made: &made)
            } catch {
                throw .system("wait for the container's init", error)
            }
            switch message {
            case .runHooks?:
                timer.end("init: namespaces, mounts, devices")
                let state = record.state(.creating, pid: record.pid)
                for kind in ["prestart", "createRuntime"] {
                    let hooks = kind == "prestart" ? plan.hooks.prestart : plan.hooks.createRuntime
                    for (index, hook) in (hooks ?? []).enumerated() {
                        try HookRunner.run(hook, kind: kind, index: index, state: state,
                                           context: .runtimeNamespace(directory: plan.bundle), system: system)
                    }
                }
                timer.end("prestart and createRuntime hooks")
                do {
                    try sockets.parent.send(.hooksDone)
                } catch where error.meansPeerGone {
                    throw initExited(pid, made: &made)
                } catch {
                    throw .system("resume the container's init", error)
                }
            case .ready?:
                timer.end("init: createContainer hooks, pivot_root, sysctl, privileges")
                record.creating = nil
                try store.save(record, holding: lock)
                try handOver(to: sockets.parent, pid: pid, made: &made)
                timer.end("state write and hand-over")
                return
            case .failed(let error)?:
                throw error
            case .warning(let text)?:
                log.warning(text)
            case .openMountSource(let index)?:
                do {
                    try openMountSource(index, of: plan, forInit: pid, idmapNamespaces: idmapNamespaces,
                                        over: sockets.parent)
                } catch where error.meansPeerGone {
                    throw initExited(pid, made: &made)
                } catch {
                    throw .system("answer the container's init", error)
                }
            default:
                throw initExited(pid, made: &made)
            }
        }
    }

    /// Opens a bind mount's source for the init (InitMessage.openMountSource):
    /// an idmapped one, which the init cannot make, and one the init in its
    /// user namespace could not reach. With berth's credentials, but
    /// resolved in the init's mount namespace, so the mounts it has made so
    /// far are seen as by the init: a plain source from the init's root (an
    /// absolute symlink stays in that view), an idmapped one by a helper
    /// in that namespace (IDMappedMounts). A failure goes back to the init,
    /// which reports it.
    func openMountSource(_ index: Int, of plan: LaunchPlan, forInit pid: pid_t,
                         idmapNamespaces: [IDMappings: FileDescriptor], over socket: SyncSocket) throws(Errno) {
        guard plan.mounts.indices.contains(index), plan.mounts[index].options.isBind else { throw Errno(EPROTO) }
        let mount = plan.mounts[index]
        let opened = Result { () throws(RuntimeError) -> FileDescriptor in
            if let mappings = mount.idMappings {
                guard let userNamespace = idmapNamespaces[mappings] else {
                    throw RuntimeError(.system, "make an idmapped copy of \(mount.source) for \(mount.destination): "
                                           + "no user namespace was made for its mapping")
                }
                return try IDMappedMounts.cloneTree(of: mount, userNamespace: userNamespace, inMountNamespaceOf: pid,
                                                    system: system)
            }
            return try attempt("open bind mount source \(mount.source) for \(mount.destination) "
                               + "(as berth, in the init's mount namespace)") { () throws(Errno) in
                let root = try FileDescriptor.open("/proc/\(pid)/root", O_PATH | O_DIRECTORY)
                defer { root.close() }
                return try RootedPath.open(mount.source, in: root)
            }
        }
        switch opened {
        case .success(let source):
            defer { source.close() }
            try socket.send(.mountSourceOpened)
            try socket.descriptor.sendDescriptor(source.rawValue)
        case .failure(let error):
            try socket.send(.failed(error))
        }
    }

    /// Tells the init its record is written and waits until it has turned
    /// its parent-death signal off (it closes the socket): only then may
    /// berth exit without taking the container with it.
    private func handOver(to socket: SyncSocket, pid: pid_t, made: inout LaunchRollback) throws(RuntimeError) {
        let reply: InitMessage?
        do throws(Errno) {
            try socket.send(.recorded)
            reply = try socket.receiveMessage()
        } catch where error.meansPeerGone {
            throw initExited(pid, made: &made)
        } catch {
            throw .system("hand the container over to its init", error)
        }
        if let reply {
            throw RuntimeError(.system, "hand the container over to its init: unexpected message \(reply)")
        }
    }

    /// The init's socket closed: the init is gone, and how it ended is the
    /// only trace of a crash in it (a trap is a signal). Reaped here, so
    /// the rollback has no process left to kill.
    func initExited(_ pid: pid_t, made: inout LaunchRollback) -> RuntimeError {
        let status = try? system.wait(for: pid, block: true)
        made.initPid = 0
        let ending = status.map { ": \(ProcessExit(waitStatus: $0))" } ?? ""
        return RuntimeError(.system, "container init exited before it was ready" + ending)
    }

    /// Creates the cgroup and writes the resource limits; `made` is set when
    /// the cgroup is new, so a failed create removes exactly that.
    func prepareCgroup(_ planned: PlannedCgroup, made: inout (any CgroupManager)?) throws(RuntimeError) -> any CgroupManager {
        let cgroup = cgroupManager(for: planned)
        let created = try cgroupAttempt { () throws(CgroupError) in
            try cgroup.create(controllers: planned.controllers)
        }
        if created { made = cgroup }
        log.debug("container cgroup \(cgroup.path)\(created ? "" : " (existing)")")
        if !created, planned.pathIsDefault {
            throw RuntimeError(.alreadyExists, "cgroup \(cgroup.path) appeared while the container was being created")
        }
        if !created, case let others = cgroup.processes(), !others.isEmpty {
            // runc joins too; the container's limits then bind these as well,
            // and delete leaves them alone (it kills only the container's own).
            log.warning("joining cgroup \(cgroup.path), which already has \(others.count) process(es)")
        }
        try cgroupAttempt { () throws(CgroupError) in
            try cgroup.apply(planned.settings)
            try cgroup.restrictDevices(to: planned.deviceRules)
        }
        return cgroup
    }
}

/// What a create has made on the host so far, to be undone if it fails:
/// the init (killed and reaped), a cgroup it made (not one it joined), an
/// Intel RDT group.
struct LaunchRollback {
    var initPid: pid_t = 0
    var cgroup: (any CgroupManager)?
    var intelRdt: IntelRdtPlacement?

    func undo(system: any SystemCalls) {
        if initPid > 0 { system.killAndReap(initPid) }
        try? cgroup?.remove()
        intelRdt.map(IntelRdt.remove)
    }
}

/// The record of a launched container or the reason it failed, and what
/// was made either way.
struct LaunchOutcome {
    var result: Result<ContainerRecord, RuntimeError>
    var made: LaunchRollback
}
