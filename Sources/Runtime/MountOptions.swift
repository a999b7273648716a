import Glibc

/// config.json mount options turned into what mount(2) and mount_setattr(2)
/// take. Decided in the parent, so the init only executes flags.
public struct MountOptions: Equatable, Sendable {
    /// mount(2) flags for the mount itself (MS_RDONLY, MS_NOSUID, MS_BIND, …).
    public var flags: UInt = 0
    /// Flags a bind mount needs a second, remounting call for.
    public var clearedFlags: UInt = 0
    /// Propagation changes applied after mounting (MS_SHARED, MS_REC|MS_SLAVE, …).
    public var propagation: [UInt] = []
    /// mount_setattr(2) attributes applied to the whole tree (`rro`, `rnosuid`, …).
    public var recursiveSet: UInt64 = 0
    public var recursiveClear: UInt64 = 0
    /// Options the file system reads itself (`mode=755`, `size=64k`).
    public var data: [String] = []
    /// `idmap` or `ridmap` (recursive): the mount gets an id mapping.
    public var idmap: IDMap?

    public enum IDMap: Sendable, Equatable { case single, recursive }

    public var isBind: Bool { flags & UInt(MS_BIND) != 0 }

    // MOUNT_ATTR_* from linux/mount.h.
    static let attrReadOnly: UInt64 = 0x1, attrNoSuid: UInt64 = 0x2, attrNoDev: UInt64 = 0x4
    static let attrNoExec: UInt64 = 0x8, attrAtimeMask: UInt64 = 0x70, attrRelatime: UInt64 = 0x0
    static let attrNoAtime: UInt64 = 0x10, attrStrictAtime: UInt64 = 0x20, attrNoDiratime: UInt64 = 0x80
    static let attrNoSymfollow: UInt64 = 0x0020_0000

    /// Flags that set (`true`) or clear (`false`) a mount(2) flag.
    static let flagOptions: [String: (set: Bool, flag: UInt)] = [
        "ro": (true, UInt(MS_RDONLY)), "rw": (false, UInt(MS_RDONLY)),
        "nosuid": (true, UInt(MS_NOSUID)), "suid": (false, UInt(MS_NOSUID)),
        "nodev": (true, UInt(MS_NODEV)), "dev": (false, UInt(MS_NODEV)),
        "noexec": (true, UInt(MS_NOEXEC)), "exec": (false, UInt(MS_NOEXEC)),
        "sync": (true, UInt(MS_SYNCHRONOUS)), "async": (false, UInt(MS_SYNCHRONOUS)),
        "dirsync": (true, UInt(MS_DIRSYNC)),
        "remount": (true, UInt(MS_REMOUNT)),
        "mand": (true, UInt(MS_MANDLOCK)), "nomand": (false, UInt(MS_MANDLOCK)),
        "atime": (false, UInt(MS_NOATIME)), "noatime": (true, UInt(MS_NOATIME)),
        "diratime": (false, UInt(MS_NODIRATIME)), "nodiratime": (true, UInt(MS_NODIRATIME)),
        "relatime": (true, UInt(MS_RELATIME)), "norelatime": (false, UInt(MS_RELATIME)),
        "strictatime": (true, UInt(MS_STRICTATIME)), "nostrictatime": (false, UInt(MS_STRICTATIME)),
        "lazytime": (true, UInt(MS_LAZYTIME)), "nolazytime": (false, UInt(MS_LAZYTIME)),
        "bind": (true, UInt(MS_BIND)), "rbind": (true, UInt(MS_BIND) | UInt(MS_REC)),
        "iversion": (true, UInt(MS_I_VERSION)), "noiversion": (false, UInt(MS_I_VERSION)),
        "silent": (true, UInt(MS_SILENT)), "loud": (false, UInt(MS_SILENT)),
        "nosymfollow": (true, msNoSymfollow), "symfollow": (false, msNoSymfollow),
        // mount(8)'s "rw, suid, dev, exec, auto, nouser, async": the flags
        // berth starts from anyway.
        "defaults": (false, 0),
    ]

    /// MS_NOSYMFOLLOW (Linux 5.10), which Glibc's module does not export.
    static let msNoSymfollow: UInt = 256

    static let propagationOptions: [String: UInt] = [
        "private": UInt(MS_PRIVATE), "rprivate": UInt(MS_PRIVATE) | UInt(MS_REC),
        "shared": UInt(MS_SHARED), "rshared": UInt(MS_SHARED) | UInt(MS_REC),
        "slave": UInt(MS_SLAVE), "rslave": UInt(MS_SLAVE) | UInt(MS_REC),
        "unbindable": UInt(MS_UNBINDABLE), "runbindable": UInt(MS_UNBINDABLE) | UInt(MS_REC),
    ]

    /// The recursive forms of config-linux.md, applied with mount_setattr.
    static let recursiveOptions: [String: (set: UInt64, clear: UInt64)] = [
        "rro": (attrReadOnly, 0), "rrw": (0, attrReadOnly),
        "rnosuid": (attrNoSuid, 0), "rsuid": (0, attrNoSuid),
        "rnodev": (attrNoDev, 0), "rdev": (0, attrNoDev),
        "rnoexec": (attrNoExec, 0), "rexec": (0, attrNoExec),
        "rnodiratime": (attrNoDiratime, 0), "rdiratime": (0, attrNoDiratime),
        "rrelatime": (attrRelatime, attrAtimeMask), "rnorelatime": (0, 0),
        "ratime": (attrRelatime, attrAtimeMask), "rnoatime": (attrNoAtime, attrAtimeMask),
        "rstrictatime": (attrStrictAtime, attrAtimeMask), "rnostrictatime": (0, 0),
        "rnosymfollow": (attrNoSymfollow, 0), "rsymfollow": (0, attrNoSymfollow),
    ]

    /// Options berth knows but does not implement yet: refused by name.
    static let unsupportedOptions: Set<String> = ["tmpcopyup"]

    /// Every option berth implements, for `berth features`.
    public static var known: [String] {
        (Array(flagOptions.keys) + Array(propagationOptions.keys) + Array(recursiveOptions.keys) + ["idmap", "ridmap"]).sorted()
    }

    /// Parses options; anything not a flag is file-system data, as in
    /// runc. Returns the options or the name of one berth refuses.
    public static func parse(_ options: [String]) -> Result<MountOptions, UnsupportedMountOption> {
        var parsed = MountOptions()
        for option in options {
            if let (set, flag) = flagOptions[option] {
                if set {
                    parsed.flags |= flag
                    parsed.clearedFlags &= ~flag
                } else {
                    parsed.flags &= ~flag
                    parsed.clearedFlags |= flag
                }
            } else if let propagation = propagationOptions[option] {
                parsed.propagation.append(propagation)
            } else if let (set, clear) = recursiveOptions[option] {
                // A later option wins over an earlier one; the atime mask
                // stays in `clear` because the kernel wants it there to
                // change the atime mode.
                parsed.recursiveSet = (parsed.recursiveSet & ~clear) | set
                parsed.recursiveClear = (parsed.recursiveClear & ~set) | clear
            } else if option == "idmap" || option == "ridmap" {
                parsed.idmap = option == "idmap" ? .single : .recursive
            } else if unsupportedOptions.contains(option) {
                return .failure(UnsupportedMountOption(option: option))
            } else {
                parsed.data.append(option)
            }
        }
        return .success(parsed)
    }
}

public struct UnsupportedMountOption: Error, Equatable {
    public let option: String
}
