import CBerth
import Glibc

/// mount(2) flags (MS_*), as one option set so that a mount call cannot be
/// given an unrelated integer. The values are the kernel's ABI, pinned to
/// <sys/mount.h> by `_Static_assert`s in CBerth/constants.c.
public struct MountFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt
    public init(rawValue: UInt) { self.rawValue = rawValue }

    public static let readOnly = MountFlags(rawValue: BERTH_MS_RDONLY)
    public static let noSuid = MountFlags(rawValue: BERTH_MS_NOSUID)
    public static let noDev = MountFlags(rawValue: BERTH_MS_NODEV)
    public static let noExec = MountFlags(rawValue: BERTH_MS_NOEXEC)
    public static let synchronous = MountFlags(rawValue: BERTH_MS_SYNCHRONOUS)
    public static let remount = MountFlags(rawValue: BERTH_MS_REMOUNT)
    public static let mandatoryLocking = MountFlags(rawValue: BERTH_MS_MANDLOCK)
    public static let directorySync = MountFlags(rawValue: BERTH_MS_DIRSYNC)
    public static let noSymlinkFollow = MountFlags(rawValue: BERTH_MS_NOSYMFOLLOW)
    public static let noAccessTime = MountFlags(rawValue: BERTH_MS_NOATIME)
    public static let noDirectoryAccessTime = MountFlags(rawValue: BERTH_MS_NODIRATIME)
    public static let bind = MountFlags(rawValue: BERTH_MS_BIND)
    public static let move = MountFlags(rawValue: BERTH_MS_MOVE)
    public static let recursive = MountFlags(rawValue: BERTH_MS_REC)
    public static let silent = MountFlags(rawValue: BERTH_MS_SILENT)
    public static let unbindable = MountFlags(rawValue: BERTH_MS_UNBINDABLE)
    public static let `private` = MountFlags(rawValue: BERTH_MS_PRIVATE)
    public static let slave = MountFlags(rawValue: BERTH_MS_SLAVE)
    public static let shared = MountFlags(rawValue: BERTH_MS_SHARED)
    public static let relativeAccessTime = MountFlags(rawValue: BERTH_MS_RELATIME)
    public static let inodeVersion = MountFlags(rawValue: BERTH_MS_I_VERSION)
    public static let strictAccessTime = MountFlags(rawValue: BERTH_MS_STRICTATIME)
    public static let lazyTime = MountFlags(rawValue: BERTH_MS_LAZYTIME)

    /// The flags that change propagation rather than the mount itself.
    public static let propagation: MountFlags = [.shared, .slave, .private, .unbindable]
}

/// mount_setattr(2) attributes (MOUNT_ATTR_*), pinned in CBerth/linux.c.
public struct MountAttributes: OptionSet, Sendable, Hashable {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    public static let readOnly = MountAttributes(rawValue: BERTH_MOUNT_ATTR_RDONLY)
    public static let noSuid = MountAttributes(rawValue: BERTH_MOUNT_ATTR_NOSUID)
    public static let noDev = MountAttributes(rawValue: BERTH_MOUNT_ATTR_NODEV)
    public static let noExec = MountAttributes(rawValue: BERTH_MOUNT_ATTR_NOEXEC)
    public static let noAccessTime = MountAttributes(rawValue: BERTH_MOUNT_ATTR_NOATIME)
    public static let strictAccessTime = MountAttributes(rawValue: BERTH_MOUNT_ATTR_STRICTATIME)
    /// The three access-time modes share these bits (relatime is 0 in them).
    public static let accessTimeMask = MountAttributes(rawValue: BERTH_MOUNT_ATTR__ATIME)
    public static let noDirectoryAccessTime = MountAttributes(rawValue: BERTH_MOUNT_ATTR_NODIRATIME)
    public static let idmap = MountAttributes(rawValue: BERTH_MOUNT_ATTR_IDMAP)
    public static let noSymlinkFollow = MountAttributes(rawValue: BERTH_MOUNT_ATTR_NOSYMFOLLOW)
}

extension FileSystem {
    /// The flags of the mount holding `path` that the kernel locks on a bind
    /// mount made in a user namespace (nosuid, nodev, noexec): a remount
    /// must repeat them or fail with EPERM. Empty when statvfs fails.
    public static func lockableMountFlags(of path: String) -> MountFlags {
        var current = statvfs()
        guard statvfs(path, &current) == 0 else { return [] }
        let bits = UInt(current.f_flag)
        var flags: MountFlags = []
        if bits & StatvfsFlag.noSuid != 0 { flags.insert(.noSuid) }
        if bits & StatvfsFlag.noDev != 0 { flags.insert(.noDev) }
        if bits & StatvfsFlag.noExec != 0 { flags.insert(.noExec) }
        return flags
    }
}
