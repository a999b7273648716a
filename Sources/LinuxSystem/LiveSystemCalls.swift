import CBerth
import Glibc
import OCI

/// The real kernel. Every call that can be interrupted is retried on EINTR
/// by `retryingInterrupts`, the one place that does so. Each call is one
/// system call (async-signal-safe), so this runs in the container's init.
public struct LiveSystemCalls: SystemCalls {
    public init() {}

    // MARK: Mounts and the root

    public func mount(source: String?, target: String, type: String?, flags: MountFlags, data: String?) throws(Errno) {
        _ = try retryingInterrupts { Glibc.mount(source, target, type, flags.rawValue, data) }
    }

    public func unmount(_ target: String, detach: Bool) throws(Errno) {
        _ = try retryingInterrupts { umount2(target, detach ? Int32(MNT_DETACH) : 0) }
    }

    public func pivotRoot(newRoot: String, putOld: String) throws(Errno) {
        _ = try retryingInterrupts { berth_pivot_root(newRoot, putOld) }
    }

    public func changeRoot(_ path: String) throws(Errno) {
        _ = try retryingInterrupts { chroot(path) }
    }

    public func changeDirectory(_ path: String) throws(Errno) {
        _ = try retryingInterrupts { chdir(path) }
    }

    public func changeDirectory(to directory: FileDescriptor) throws(Errno) {
        _ = try retryingInterrupts { fchdir(directory.rawValue) }
    }

    public func setMountAttributes(fd: FileDescriptor, set: MountAttributes, clear: MountAttributes, recursive: Bool,
                                   userNamespace: FileDescriptor?) throws(Errno) {
        let flags: UInt32 = 0x1000 | (recursive ? 0x8000 : 0) // AT_EMPTY_PATH | AT_RECURSIVE
        let namespace = userNamespace.map { UInt64($0.rawValue) } ?? 0
        _ = try retryingInterrupts {
            berth_mount_setattr(fd.rawValue, "", flags, set.rawValue, clear.rawValue, 0, namespace)
        }
    }

    public func cloneMountTree(_ path: String, recursive: Bool) throws(Errno) -> FileDescriptor {
        FileDescriptor(rawValue: try retryingInterrupts { berth_open_tree_clone(path, recursive ? 1 : 0) })
    }

    public func moveMount(_ mount: FileDescriptor, to target: FileDescriptor) throws(Errno) {
        _ = try retryingInterrupts { berth_move_mount(mount.rawValue, target.rawValue) }
    }

    // MARK: Files inside the container's root

    public func makeNode(_ name: String, in directory: FileDescriptor, mode: mode_t, device: dev_t) throws(Errno) {
        _ = try retryingInterrupts { mknodat(directory.rawValue, name, mode, device) }
    }

    public func changeOwner(_ name: String, in directory: FileDescriptor, uid: uid_t, gid: gid_t) throws(Errno) {
        _ = try retryingInterrupts { fchownat(directory.rawValue, name, uid, gid, AT_SYMLINK_NOFOLLOW) }
    }

    public func changeOwner(of file: FileDescriptor, uid: uid_t, gid: gid_t) throws(Errno) {
        _ = try retryingInterrupts { fchown(file.rawValue, uid, gid) }
    }

    public func changeMode(_ name: String, in directory: FileDescriptor, mode: mode_t) throws(Errno) {
        _ = try retryingInterrupts { fchmodat(directory.rawValue, name, mode, 0) }
    }

    public func makeSymbolicLink(_ name: String, in directory: FileDescriptor, to target: String) throws(Errno) {
        do {
            _ = try retryingInterrupts { symlinkat(target, directory.rawValue, name) }
        } catch .exists {
            return
        }
    }

    public func removeFile(_ name: String, in directory: FileDescriptor) throws(Errno) {
        do {
            _ = try retryingInterrupts { unlinkat(directory.rawValue, name, 0) }
        } catch .notFound {
            return
        }
    }

    // MARK: Namespaces and identity

    public func joinNamespace(path: String, kind: NamespaceKind) throws(Errno) {
        let fd = try FileDescriptor.open(path, O_RDONLY)
        defer { fd.close() }
        try joinNamespace(fd, kind: kind)
    }

    public func joinNamespace(_ namespace: FileDescriptor, kind: NamespaceKind) throws(Errno) {
        _ = try retryingInterrupts { berth_setns(namespace.rawValue, kind.cloneFlag) }
    }

    public func unshare(_ kind: NamespaceKind) throws(Errno) {
        _ = try retryingInterrupts { berth_unshare(kind.cloneFlag) }
    }

    public func setHostname(_ name: String) throws(Errno) {
        _ = try retryingInterrupts { sethostname(name, name.utf8.count) }
    }

    public func setDomainname(_ name: String) throws(Errno) {
        _ = try retryingInterrupts { setdomainname(name, name.utf8.count) }
    }

    public func joinSessionKeyring(named name: String) throws(Errno) {
        _ = try retryingInterrupts { berth_join_session_keyring(name) }
    }

    // MARK: Credentials and capabilities

    public func setGroups(_ groups: [UInt32]) throws(Errno) {
        _ = try retryingInterrupts { berth_setgroups(groups.count, groups) }
    }

    public func setGroupID(_ gid: UInt32) throws(Errno) {
        _ = try retryingInterrupts { berth_setresgid(gid, gid, gid) }
    }

    public func setUserID(_ uid: UInt32) throws(Errno) {
        _ = try retryingInterrupts { berth_setresuid(uid, uid, uid) }
    }

    public func setKeepCapabilities(_ keep: Bool) throws(Errno) {
        _ = try retryingInterrupts { berth_prctl(Prctl.setKeepCapabilities, keep ? 1 : 0, 0, 0, 0) }
    }

    public func dropFromBoundingSet(_ capability: Int) throws(Errno) {
        _ = try retryingInterrupts { berth_prctl(Prctl.dropFromBoundingSet, UInt(capability), 0, 0, 0) }
    }

    public func setCapabilities(effective: UInt64, permitted: UInt64, inheritable: UInt64) throws(Errno) {
        _ = try retryingInterrupts { berth_capset(effective, permitted, inheritable) }
    }

    public func raiseAmbientCapability(_ capability: Int) throws(Errno) {
        _ = try retryingInterrupts {
            berth_prctl(Prctl.ambientCapabilities, Prctl.ambientRaise, UInt(capability), 0, 0)
        }
    }

    public func setNoNewPrivileges() throws(Errno) {
        _ = try retryingInterrupts { berth_prctl(Prctl.setNoNewPrivileges, 1, 0, 0, 0) }
    }

    public func setDumpable(_ dumpable: Bool) throws(Errno) {
        _ = try retryingInterrupts { berth_prctl(Prctl.setDumpable, dumpable ? 1 : 0, 0, 0, 0) }
    }

    public func setParentDeathSignal(_ signal: Int32) throws(Errno) {
        _ = try retryingInterrupts { berth_prctl(Prctl.setParentDeathSignal, UInt(max(signal, 0)), 0, 0, 0) }
    }

    // MARK: Process attributes

    public func setResourceLimit(_ resource: Int32, soft: UInt64, hard: UInt64) throws(Errno) {
        var value = rlimit(rlim_cur: rlim_t(soft), rlim_max: rlim_t(hard))
        _ = try retryingInterrupts { setrlimit(__rlimit_resource_t(UInt32(bitPattern: resource)), &value) }
    }

    public func setScheduler(_ attributes: SchedulerAttributes) throws(Errno) {
        _ = try retryingInterrupts {
            berth_sched_setattr(attributes.policy, attributes.flags, attributes.nice, attributes.priority,
                                attributes.runtime, attributes.deadline, attributes.period)
        }
    }

    public func setIOPriority(class ioClass: Int32, level: Int32) throws(Errno) {
        _ = try retryingInterrupts { berth_ioprio_set(ioClass, level) }
    }

    public func setMemoryPolicy(mode: Int32, nodes: [UInt]) throws(Errno) {
        _ = try retryingInterrupts { berth_set_mempolicy(mode, nodes, UInt(nodes.count * UInt.bitWidth)) }
    }

    public func setPersonality(_ persona: UInt) throws(Errno) {
        _ = try retryingInterrupts { berth_personality(persona) }
    }

    public func setCPUAffinity(_ mask: [UInt8]) throws(Errno) {
        _ = try retryingInterrupts { berth_sched_setaffinity(mask, mask.count) }
    }

    public func setUmask(_ mask: mode_t) {
        umask(mask)
    }

    // MARK: Terminal and descriptors

    public func createSession() throws(Errno) {
        _ = try retryingInterrupts { setsid() }
    }

    public func setControllingTerminal(_ terminal: FileDescriptor) throws(Errno) {
        _ = try retryingInterrupts { berth_set_controlling_terminal(terminal.rawValue) }
    }

    public func duplicate(_ descriptor: FileDescriptor, as target: Int32) throws(Errno) {
        _ = try retryingInterrupts { dup2(descriptor.rawValue, target) }
    }

    public func keepOpenAcrossExec(_ fd: Int32) throws(Errno) {
        _ = try retryingInterrupts { fcntl(fd, F_SETFD, 0) }
    }

    public func closeDescriptors(from first: Int32, keeping kept: [Int32]) {
        var start = UInt32(clamping: first)
        for fd in kept.filter({ $0 >= first }).sorted().map({ UInt32(clamping: $0) }) {
            if fd > start { _ = berth_close_range(start, fd - 1, 0) }
            start = fd &+ 1
        }
        _ = berth_close_range(start, UInt32.max, 0)
    }

    public func unblockAllSignals() {
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        sigprocmask(SIG_SETMASK, &unblocked, nil)
    }

    // MARK: seccomp and execve

    public func loadSeccompFilter(_ program: [UInt8], flags: UInt32) throws(Errno) -> Int32? {
        let result = program.withUnsafeBytes { bytes in berth_seccomp_load(bytes.baseAddress, bytes.count, flags) }
        if result < 0 { throw Errno.current }
        return flags & BERTH_SECCOMP_FILTER_FLAG_NEW_LISTENER != 0 ? result : nil
    }

    public func execute(_ executable: FileDescriptor, arguments: [String], environment: [String]) -> Errno {
        _ = withCStrings(arguments) { argv in
            withCStrings(environment) { envp in berth_execveat(executable.rawValue, argv, envp) }
        }
        return .current
    }

    // MARK: Processes

    public func signal(_ pid: pid_t, _ signal: Int32) throws(Errno) {
        _ = try retryingInterrupts { kill(pid, signal) }
    }

    public func wait(for pid: pid_t, block: Bool) throws(Errno) -> Int32? {
        var status: Int32 = 0
        let reaped = try retryingInterrupts { waitpid(pid, &status, block ? 0 : WNOHANG) }
        return reaped == 0 ? nil : status
    }

    public func openPidfd(_ pid: pid_t) throws(Errno) -> FileDescriptor {
        FileDescriptor(rawValue: try retryingInterrupts { berth_pidfd_open(pid) })
    }
}
