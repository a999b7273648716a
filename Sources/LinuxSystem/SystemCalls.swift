import CBerth
import Glibc

/// The calls with which the container's init changes the system. Behind a
/// protocol so unit tests can record their order (mounts before pivot_root,
/// user namespace joined first) and inject failures without root.
public protocol SystemCalls {
    func mount(source: String?, target: String, type: String?, flags: UInt, data: String?) throws(Errno)
    func unmount(_ target: String, flags: Int32) throws(Errno)
    func pivotRoot(newRoot: String, putOld: String) throws(Errno)
    func changeDirectory(_ path: String) throws(Errno)
    func changeRoot(_ path: String) throws(Errno)
    func joinNamespace(path: String, kind: NamespaceKind) throws(Errno)
    func setHostname(_ name: String) throws(Errno)
    func setDomainname(_ name: String) throws(Errno)
    func setMountAttributes(fd: Int32, set: UInt64, clear: UInt64, propagation: UInt64, recursive: Bool,
                            userNamespace: UInt64) throws(Errno)
    /// Attaches a detached mount (from open_tree) on what `target` names.
    func moveMount(_ fd: Int32, to target: Int32) throws(Errno)
}

extension SystemCalls {
    public func setMountAttributes(fd: Int32, set: UInt64, clear: UInt64, propagation: UInt64,
                                   recursive: Bool) throws(Errno) {
        try setMountAttributes(fd: fd, set: set, clear: clear, propagation: propagation, recursive: recursive,
                               userNamespace: 0)
    }
}

/// The real kernel.
public struct LiveSystemCalls: SystemCalls {
    public init() {}

    public func mount(source: String?, target: String, type: String?, flags: UInt, data: String?) throws(Errno) {
        _ = try retryingInterrupts { Glibc.mount(source, target, type, flags, data) }
    }

    public func unmount(_ target: String, flags: Int32) throws(Errno) {
        _ = try retryingInterrupts { umount2(target, flags) }
    }

    public func pivotRoot(newRoot: String, putOld: String) throws(Errno) {
        _ = try retryingInterrupts { berth_pivot_root(newRoot, putOld) }
    }

    public func changeDirectory(_ path: String) throws(Errno) {
        _ = try retryingInterrupts { chdir(path) }
    }

    public func changeRoot(_ path: String) throws(Errno) {
        _ = try retryingInterrupts { chroot(path) }
    }

    public func joinNamespace(path: String, kind: NamespaceKind) throws(Errno) {
        let fd = try FileDescriptor.open(path, O_RDONLY)
        defer { fd.close() }
        _ = try retryingInterrupts { berth_setns(fd.rawValue, kind.cloneFlag) }
    }

    public func setHostname(_ name: String) throws(Errno) {
        _ = try retryingInterrupts { sethostname(name, name.utf8.count) }
    }

    public func setDomainname(_ name: String) throws(Errno) {
        _ = try retryingInterrupts { setdomainname(name, name.utf8.count) }
    }

    public func setMountAttributes(fd: Int32, set: UInt64, clear: UInt64, propagation: UInt64, recursive: Bool,
                                   userNamespace: UInt64) throws(Errno) {
        let flags: UInt32 = 0x1000 | (recursive ? 0x8000 : 0) // AT_EMPTY_PATH | AT_RECURSIVE
        _ = try retryingInterrupts { berth_mount_setattr(fd, "", flags, set, clear, propagation, userNamespace) }
    }

    public func moveMount(_ fd: Int32, to target: Int32) throws(Errno) {
        _ = try retryingInterrupts { berth_move_mount(fd, target) }
    }
}
