import Glibc
import OCI

/// Every call with which berth and the container's init change the system:
/// the seam that lets unit tests record the order of the steps security
/// depends on (groups before gid before uid, seccomp last with
/// no_new_privs, mounts before pivot_root) and inject a failure at any one
/// of them, without root. `LiveSystemCalls` is the kernel; the runtime gets
/// one instance, injected through `Runtime`, and passes it on.
///
/// Arguments are typed (`MountFlags`, `NamespaceKind`, capability numbers)
/// so a call cannot be handed an unrelated integer; failures are the
/// kernel's errno, and EINTR is retried by the live implementation.
public protocol SystemCalls: Sendable {
    // MARK: Mounts and the root

    func mount(source: String?, target: String, type: String?, flags: MountFlags, data: String?) throws(Errno)
    func unmount(_ target: String, detach: Bool) throws(Errno)
    func pivotRoot(newRoot: String, putOld: String) throws(Errno)
    func changeRoot(_ path: String) throws(Errno)
    func changeDirectory(_ path: String) throws(Errno)
    /// fchdir(2): the directory is entered through a descriptor resolved
    /// before, so nothing can swap the path in between.
    func changeDirectory(to directory: FileDescriptor) throws(Errno)
    /// mount_setattr(2) on the mount `fd` names (AT_EMPTY_PATH).
    func setMountAttributes(fd: FileDescriptor, set: MountAttributes, clear: MountAttributes, recursive: Bool,
                            userNamespace: FileDescriptor?) throws(Errno)
    /// open_tree(2) with OPEN_TREE_CLONE: a detached copy of the mount at
    /// `path` (its whole tree with `recursive`).
    func cloneMountTree(_ path: String, recursive: Bool) throws(Errno) -> FileDescriptor
    /// Attaches a detached mount (from open_tree) on what `target` names.
    func moveMount(_ mount: FileDescriptor, to target: FileDescriptor) throws(Errno)

    // MARK: Files inside the container's root (relative to a directory fd)

    func makeNode(_ name: String, in directory: FileDescriptor, mode: mode_t, device: dev_t) throws(Errno)
    func changeOwner(_ name: String, in directory: FileDescriptor, uid: uid_t, gid: gid_t) throws(Errno)
    /// fchown(2) of an open file (the console pty); `gid_t.max` keeps the
    /// group.
    func changeOwner(of file: FileDescriptor, uid: uid_t, gid: gid_t) throws(Errno)
    func changeMode(_ name: String, in directory: FileDescriptor, mode: mode_t) throws(Errno)
    /// symlinkat(2); an existing file of that name is left alone (EEXIST
    /// is not an error).
    func makeSymbolicLink(_ name: String, in directory: FileDescriptor, to target: String) throws(Errno)
    /// unlinkat(2); a missing file is not an error.
    func removeFile(_ name: String, in directory: FileDescriptor) throws(Errno)

    // MARK: Namespaces and identity

    func joinNamespace(path: String, kind: NamespaceKind) throws(Errno)
    func joinNamespace(_ namespace: FileDescriptor, kind: NamespaceKind) throws(Errno)
    func unshare(_ kind: NamespaceKind) throws(Errno)
    func setHostname(_ name: String) throws(Errno)
    func setDomainname(_ name: String) throws(Errno)
    /// keyctl(KEYCTL_JOIN_SESSION_KEYRING): a keyring of the container's own.
    func joinSessionKeyring(named name: String) throws(Errno)

    // MARK: Credentials and capabilities (raw system calls: see CBerth)

    func setGroups(_ groups: [UInt32]) throws(Errno)
    /// setresgid(2) with all three ids the same.
    func setGroupID(_ gid: UInt32) throws(Errno)
    /// setresuid(2) with all three ids the same.
    func setUserID(_ uid: UInt32) throws(Errno)
    /// PR_SET_KEEPCAPS: keep the permitted set across the change of uid.
    func setKeepCapabilities(_ keep: Bool) throws(Errno)
    /// PR_CAPBSET_DROP of capability number `capability`.
    func dropFromBoundingSet(_ capability: Int) throws(Errno)
    /// capset(2) with bit N of each mask for capability N.
    func setCapabilities(effective: UInt64, permitted: UInt64, inheritable: UInt64) throws(Errno)
    /// PR_CAP_AMBIENT_RAISE of capability number `capability`.
    func raiseAmbientCapability(_ capability: Int) throws(Errno)
    /// PR_SET_NO_NEW_PRIVS.
    func setNoNewPrivileges() throws(Errno)
    /// PR_SET_DUMPABLE.
    func setDumpable(_ dumpable: Bool) throws(Errno)
    /// PR_SET_PDEATHSIG: `signal` (0 for none) when the parent dies. The
    /// kernel clears it when the effective or filesystem ids change.
    func setParentDeathSignal(_ signal: Int32) throws(Errno)

    // MARK: Process attributes

    func setResourceLimit(_ resource: Int32, soft: UInt64, hard: UInt64) throws(Errno)
    func setScheduler(_ attributes: SchedulerAttributes) throws(Errno)
    func setIOPriority(class ioClass: Int32, level: Int32) throws(Errno)
    /// set_mempolicy(2): `mode` with its flags, and a node bit mask.
    func setMemoryPolicy(mode: Int32, nodes: [UInt]) throws(Errno)
    func setPersonality(_ persona: UInt) throws(Errno)
    /// sched_setaffinity(2) of the calling thread from a CPU bit mask.
    func setCPUAffinity(_ mask: [UInt8]) throws(Errno)
    func setUmask(_ mask: mode_t)

    // MARK: Terminal and descriptors

    /// setsid(2): a new session, so the process can take a controlling terminal.
    func createSession() throws(Errno)
    /// TIOCSCTTY.
    func setControllingTerminal(_ terminal: FileDescriptor) throws(Errno)
    /// dup2(2).
    func duplicate(_ descriptor: FileDescriptor, as target: Int32) throws(Errno)
    /// Clears close-on-exec, so the descriptor reaches the user's program.
    func keepOpenAcrossExec(_ fd: Int32) throws(Errno)
    /// close_range(2) of every descriptor from `first` on, except `kept`.
    func closeDescriptors(from first: Int32, keeping kept: [Int32])
    /// Unblocks every signal (the init inherits berth's blocked set).
    func unblockAllSignals()

    // MARK: seccomp and execve

    /// seccomp(SECCOMP_SET_MODE_FILTER) with a compiled program; the notify
    /// listener fd when `flags` asks for one, else nil. Every later system
    /// call of the process passes through the filter.
    func loadSeccompFilter(_ program: [UInt8], flags: UInt32) throws(Errno) -> Int32?
    /// execveat(2) of `executable` itself (AT_EMPTY_PATH). Returns only on
    /// failure, with its errno.
    func execute(_ executable: FileDescriptor, arguments: [String], environment: [String]) -> Errno

    // MARK: Processes

    /// kill(2); a process that is already gone (ESRCH) is an error the
    /// caller decides about.
    func signal(_ pid: pid_t, _ signal: Int32) throws(Errno)
    /// waitpid(2): the raw wait status, or nil when `block` is false and the
    /// child has not exited yet.
    func wait(for pid: pid_t, block: Bool) throws(Errno) -> Int32?
    /// pidfd_open(2), close-on-exec.
    func openPidfd(_ pid: pid_t) throws(Errno) -> FileDescriptor
}

/// sched_setattr(2)'s arguments (see ProcessTuning).
public struct SchedulerAttributes: Sendable, Equatable {
    public var policy: UInt32
    public var flags: UInt64
    public var nice: Int32
    public var priority: UInt32
    public var runtime: UInt64
    public var deadline: UInt64
    public var period: UInt64

    public init(policy: UInt32, flags: UInt64, nice: Int32, priority: UInt32, runtime: UInt64, deadline: UInt64,
                period: UInt64) {
        self.policy = policy
        self.flags = flags
        self.nice = nice
        self.priority = priority
        self.runtime = runtime
        self.deadline = deadline
        self.period = period
    }
}

extension SystemCalls {
    /// Kills a child and reaps it: the one way berth gets rid of a process
    /// of its own that must not outlive a failure.
    public func killAndReap(_ pid: pid_t) {
        try? signal(pid, SIGKILL)
        _ = try? wait(for: pid, block: true)
    }
}
