import Glibc
import OCI
@testable import LinuxSystem

/// Records what berth and the container's init ask of the kernel instead of
/// doing it, one line per call with every /proc/self/fd magic link resolved
/// to the path it names, and fails a chosen call: how unit tests hold the
/// order of the steps security rests on without root.
final class RecordingSystemCalls: SystemCalls, @unchecked Sendable {
    var calls: [String] = []
    /// The 1-based number of the call that fails, or the first call whose
    /// line starts with `failOn`.
    var failOnCall: Int?
    var failOn: String?
    var failure = Errno(ENODEV)
    /// Children that have not exited: a wait that does not block finds
    /// them running until they are sent SIGKILL.
    var running: Set<pid_t> = []

    func record(_ call: String) throws(Errno) {
        calls.append(call)
        if calls.count == failOnCall || failOn.map(call.hasPrefix) == true { throw failure }
    }

    /// The calls that start with one of `prefixes`, in order.
    func calls(startingWith prefixes: String...) -> [String] {
        calls.filter { call in prefixes.contains { call.hasPrefix($0) } }
    }

    func resolved(_ path: String) -> String {
        guard path.hasPrefix("/proc/self/fd/") else { return path }
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink(path, &buffer, buffer.count - 1)
        return count > 0 ? String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self) : path
    }

    func resolved(_ fd: FileDescriptor) -> String { resolved("/proc/self/fd/\(fd.rawValue)") }

    func mount(source: String?, target: String, type: String?, flags: MountFlags, data: String?) throws(Errno) {
        try record("mount \(type ?? "-") \(resolved(source ?? "-")) \(resolved(target))")
    }
    func unmount(_ target: String, detach: Bool) throws(Errno) { try record("umount \(target)") }
    func pivotRoot(newRoot: String, putOld: String) throws(Errno) { try record("pivot_root \(newRoot)") }
    func changeRoot(_ path: String) throws(Errno) { try record("chroot \(path)") }
    func changeDirectory(_ path: String) throws(Errno) { try record("chdir \(path)") }
    func changeDirectory(to directory: FileDescriptor) throws(Errno) { try record("fchdir \(resolved(directory))") }
    func setMountAttributes(fd: FileDescriptor, set: MountAttributes, clear: MountAttributes, recursive: Bool,
                            userNamespace: FileDescriptor?) throws(Errno) {
        try record("mount_setattr \(resolved(fd)) set=\(set.rawValue)\(recursive ? " recursive" : "")")
    }
    func cloneMountTree(_ path: String, recursive: Bool) throws(Errno) -> FileDescriptor {
        try record("open_tree \(path)")
        return try FileDescriptor.open(path, O_PATH)
    }
    func moveMount(_ mount: FileDescriptor, to target: FileDescriptor) throws(Errno) {
        try record("move_mount \(resolved(mount)) \(resolved(target))")
    }

    func makeNode(_ name: String, in directory: FileDescriptor, mode: mode_t, device: dev_t) throws(Errno) {
        try record("mknod \(resolved(directory))/\(name)")
    }
    func changeOwner(_ name: String, in directory: FileDescriptor, uid: uid_t, gid: gid_t) throws(Errno) {
        try record("chown \(resolved(directory))/\(name) \(uid):\(gid)")
    }
    func changeOwner(of file: FileDescriptor, uid: uid_t, gid: gid_t) throws(Errno) {
        try record("fchown \(resolved(file)) \(uid):\(gid == gid_t.max ? "-" : String(gid))")
    }
    func changeMode(_ name: String, in directory: FileDescriptor, mode: mode_t) throws(Errno) {
        try record("chmod \(resolved(directory))/\(name) \(String(mode, radix: 8))")
    }
    func makeSymbolicLink(_ name: String, in directory: FileDescriptor, to target: String) throws(Errno) {
        try record("symlink \(resolved(directory))/\(name) -> \(target)")
    }
    func removeFile(_ name: String, in directory: FileDescriptor) throws(Errno) {
        try record("unlink \(resolved(directory))/\(name)")
    }

    func joinNamespace(path: String, kind: NamespaceKind) throws(Errno) { try record("setns \(kind) \(path)") }
    func joinNamespace(_ namespace: FileDescriptor, kind: NamespaceKind) throws(Errno) { try record("setns \(kind)") }
    func unshare(_ kind: NamespaceKind) throws(Errno) { try record("unshare \(kind)") }
    func setHostname(_ name: String) throws(Errno) { try record("hostname \(name)") }
    func setDomainname(_ name: String) throws(Errno) { try record("domainname \(name)") }
    func joinSessionKeyring(named name: String) throws(Errno) { try record("keyring \(name)") }

    func setGroups(_ groups: [UInt32]) throws(Errno) { try record("setgroups \(groups)") }
    func setGroupID(_ gid: UInt32) throws(Errno) { try record("setresgid \(gid)") }
    func setUserID(_ uid: UInt32) throws(Errno) { try record("setresuid \(uid)") }
    func setKeepCapabilities(_ keep: Bool) throws(Errno) { try record("keepcaps \(keep ? 1 : 0)") }
    func dropFromBoundingSet(_ capability: Int) throws(Errno) { try record("capbset_drop \(capability)") }
    func setCapabilities(effective: UInt64, permitted: UInt64, inheritable: UInt64) throws(Errno) {
        try record("capset e=\(effective) p=\(permitted) i=\(inheritable)")
    }
    func raiseAmbientCapability(_ capability: Int) throws(Errno) { try record("ambient_raise \(capability)") }
    func setNoNewPrivileges() throws(Errno) { try record("no_new_privs") }
    func setDumpable(_ dumpable: Bool) throws(Errno) { try record("dumpable \(dumpable ? 1 : 0)") }
    func setParentDeathSignal(_ signal: Int32) throws(Errno) { try record("pdeathsig \(signal)") }

    func setResourceLimit(_ resource: Int32, soft: UInt64, hard: UInt64) throws(Errno) {
        try record("setrlimit \(resource) \(soft) \(hard)")
    }
    func setScheduler(_ attributes: SchedulerAttributes) throws(Errno) { try record("sched_setattr \(attributes.policy)") }
    func setIOPriority(class ioClass: Int32, level: Int32) throws(Errno) { try record("ioprio \(ioClass) \(level)") }
    func setMemoryPolicy(mode: Int32, nodes: [UInt]) throws(Errno) { try record("set_mempolicy \(mode)") }
    func setPersonality(_ persona: UInt) throws(Errno) { try record("personality \(persona)") }
    func setCPUAffinity(_ mask: [UInt8]) throws(Errno) {
        let cpus = mask.indices.flatMap { byte in (0..<8).filter { mask[byte] & (1 << $0) != 0 }.map { byte * 8 + $0 } }
        try record("sched_setaffinity \(mask.allSatisfy { $0 == 0xff } ? "all" : "\(cpus)")")
    }
    func setUmask(_ mask: mode_t) { calls.append("umask \(String(mask, radix: 8))") }

    func createSession() throws(Errno) { try record("setsid") }
    func setControllingTerminal(_ terminal: FileDescriptor) throws(Errno) { try record("tiocsctty") }
    func duplicate(_ descriptor: FileDescriptor, as target: Int32) throws(Errno) { try record("dup2 \(target)") }
    func keepOpenAcrossExec(_ fd: Int32) throws(Errno) { try record("keep_fd \(fd)") }
    func closeDescriptors(from first: Int32, keeping kept: [Int32]) { calls.append("close_range \(first)") }
    func unblockAllSignals() { calls.append("sigprocmask") }

    func loadSeccompFilter(_ program: [UInt8], flags: UInt32) throws(Errno) -> Int32? {
        try record("seccomp")
        return nil
    }
    func execute(_ executable: FileDescriptor, arguments: [String], environment: [String]) -> Errno {
        // After the helper's name, where it reports a failure ("-", "f<fd>",
        // "s<fd>"), then the program and its argv.
        calls.append("execveat \(arguments.dropFirst(2).joined(separator: " "))")
        if let report = arguments.dropFirst().first { calls.append("(exec helper reports to \(report.prefix(1)))") }
        return Errno(ENOEXEC)
    }

    func signal(_ pid: pid_t, _ signal: Int32) throws(Errno) {
        try record("kill \(pid) \(signal)")
        if signal == SIGKILL { running.remove(pid) }
    }
    func wait(for pid: pid_t, block: Bool) throws(Errno) -> Int32? {
        try record("waitpid \(pid)")
        return running.contains(pid) && !block ? nil : 0
    }
    func openPidfd(_ pid: pid_t) throws(Errno) -> FileDescriptor {
        try record("pidfd_open \(pid)")
        return try FileDescriptor.open("/dev/null", O_RDONLY)
    }
}
