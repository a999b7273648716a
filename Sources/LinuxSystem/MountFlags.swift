import CBerth
import Glibc

/// mount(2) flags (MS_*), as one option set so that a mount call cannot be
/// given an unrelated integer. The values are the kernel's ABI, pinned to
/// <sys/mount.h> by `_Static_assert`s in CBerth/constants.c.
///
/// The constants are computed and inlinable rather than stored: a stored
/// static of another module is a lazily initialized global, and each one
/// touched costs a one-time initializer and a page of the binary.
@frozen public struct MountFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt
    @inlinable public init(rawValue: UInt) { self.rawValue = rawValue }

    @inlinable public static var readOnly: MountFlags { MountFlags(rawValue: BERTH_MS_RDONLY) }
    @inlinable public static var noSuid: MountFlags { MountFlags(rawValue: BERTH_MS_NOSUID) }
    @inlinable public static var noDev: MountFlags { MountFlags(rawValue: BERTH_MS_NODEV) }
    @inlinable public static var noExec: MountFlags { MountFlags(rawValue: BERTH_MS_NOEXEC) }
    @inlinable public static var synchronous: MountFlags { MountFlags(rawValue: BERTH_MS_SYNCHRONOUS) }
    @inlinable public static var remount: MountFlags { MountFlags(rawValue: BERTH_MS_REMOUNT) }
    @inlinable public static var mandatoryLocking: MountFlags { MountFlags(rawValue: BERTH_MS_MANDLOCK) }
    @inlinable public static var directorySync: MountFlags { MountFlags(rawValue: BERTH_MS_DIRSYNC) }
    @inlinable public static var noSymlinkFollow: MountFlags { MountFlags(rawValue: BERTH_MS_NOSYMFOLLOW) }
    @inlinable public static var noAccessTime: MountFlags { MountFlags(rawValue: BERTH_MS_NOATIME) }
    @inlinable public static var noDirectoryAccessTime: MountFlags { MountFlags(rawValue: BERTH_MS_NODIRATIME) }
    @inlinable public static var bind: MountFlags { MountFlags(rawValue: BERTH_MS_BIND) }
    @inlinable public static var move: MountFlags { MountFlags(rawValue: BERTH_MS_MOVE) }
    @inlinable public static var recursive: MountFlags { MountFlags(rawValue: BERTH_MS_REC) }
    @inlinable public static var silent: MountFlags { MountFlags(rawValue: BERTH_MS_SILENT) }
    @inlinable public static var unbindable: MountFlags { MountFlags(rawValue: BERTH_MS_UNBINDABLE) }
    @inlinable public static var `private`: MountFlags { MountFlags(rawValue: BERTH_MS_PRIVATE) }
    @inlinable public static var slave: MountFlags { MountFlags(rawValue: BERTH_MS_SLAVE) }
    @inlinable public static var shared: MountFlags { MountFlags(rawValue: BERTH_MS_SHARED) }
    @inlinable public static var relativeAccessTime: MountFlags { MountFlags(rawValue: BERTH_MS_RELATIME) }
    @inlinable public static var inodeVersion: MountFlags { MountFlags(rawValue: BERTH_MS_I_VERSION) }
    @inlinable public static var strictAccessTime: MountFlags { MountFlags(rawValue: BERTH_MS_STRICTATIME) }
    @inlinable public static var lazyTime: MountFlags { MountFlags(rawValue: BERTH_MS_LAZYTIME) }

    /// The flags that change propagation rather than the mount itself.
    @inlinable public static var propagation: MountFlags { [.shared, .slave, .private, .unbindable] }
}

/// mount_setattr(2) attributes (MOUNT_ATTR_*), pinned in CBerth/linux.c.
@frozen public struct MountAttributes: OptionSet, Sendable, Hashable {
    public let rawValue: UInt64
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }

    @inlinable public static var readOnly: MountAttributes { MountAttributes(rawValue: BERTH_MOUNT_ATTR_RDONLY) }
    @inlinable public static var noSuid: MountAttributes { MountAttributes(rawValue: BERTH_MOUNT_ATTR_NOSUID) }
    @inlinable public static var noDev: MountAttributes { MountAttributes(rawValue: BERTH_MOUNT_ATTR_NODEV) }
    @inlinable public static var noExec: MountAttributes { MountAttributes(rawValue: BERTH_MOUNT_ATTR_NOEXEC) }
    @inlinable public static var noAccessTime: MountAttributes { MountAttributes(rawValue: BERTH_MOUNT_ATTR_NOATIME) }
    @inlinable public static var strictAccessTime: MountAttributes { MountAttributes(rawValue: BERTH_MOUNT_ATTR_STRICTATIME) }
    /// The three access-time modes share these bits (relatime is 0 in them).
    @inlinable public static var accessTimeMask: MountAttributes { MountAttributes(rawValue: BERTH_MOUNT_ATTR__ATIME) }
    @inlinable public static var noDirectoryAccessTime: MountAttributes { MountAttributes(rawValue: BERTH_MOUNT_ATTR_NODIRATIME) }
    @inlinable public static var idmap: MountAttributes { MountAttributes(rawValue: BERTH_MOUNT_ATTR_IDMAP) }
    @inlinable public static var noSymlinkFollow: MountAttributes { MountAttributes(rawValue: BERTH_MOUNT_ATTR_NOSYMFOLLOW) }
}

extension FileSystem {
    /// The per-mount flags of the mount holding `path` as mount(2) takes
    /// them: read-only, nosuid, nodev, noexec, nosymfollow and the access
    /// time mode (strictatime shows as none of the others). Empty when
    /// statvfs fails.
    public static func mountFlags(of path: String) -> MountFlags {
        var current = statvfs()
        guard statvfs(path, &current) == 0 else { return [] }
        let bits = UInt(current.f_flag)
        let pairs: [(UInt, MountFlags)] = [
            (StatvfsFlag.readOnly, .readOnly), (StatvfsFlag.noSuid, .noSuid), (StatvfsFlag.noDev, .noDev),
            (StatvfsFlag.noExec, .noExec), (StatvfsFlag.noSymlinkFollow, .noSymlinkFollow),
            (StatvfsFlag.noAccessTime, .noAccessTime), (StatvfsFlag.noDirectoryAccessTime, .noDirectoryAccessTime),
            (StatvfsFlag.relativeAccessTime, .relativeAccessTime),
        ]
        return pairs.reduce(into: []) { flags, pair in if bits & pair.0 != 0 { flags.insert(pair.1) } }
    }
}
