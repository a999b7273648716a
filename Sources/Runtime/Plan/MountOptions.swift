import LinuxSystem
import OCI

/// config.json mount options turned into what mount(2) and mount_setattr(2)
/// take. Decided in the parent, so the init only executes flags.
public struct MountOptions: Equatable, Sendable {
    /// mount(2) flags for the mount itself (MS_RDONLY, MS_NOSUID, MS_BIND, …).
    public var flags: MountFlags = []
    /// Flags a bind mount needs a second, remounting call for.
    public var clearedFlags: MountFlags = []
    /// Propagation changes applied after mounting (MS_SHARED, MS_REC|MS_SLAVE, …).
    public var propagation: [MountFlags] = []
    /// mount_setattr(2) attributes applied to the whole tree (`rro`, `rnosuid`, …).
    public var recursiveSet: MountAttributes = []
    public var recursiveClear: MountAttributes = []
    /// Options the file system reads itself (`mode=755`, `size=64k`).
    public var data: [String] = []
    /// `idmap` or `ridmap` (recursive): the mount gets an id mapping.
    public var idmap: IDMap?

    public enum IDMap: Sendable, Equatable { case single, recursive }

    public var isBind: Bool { flags.contains(.bind) }

    /// Flags that set (`true`) or clear (`false`) a mount(2) flag.
    static let flagOptions: [String: (set: Bool, flag: MountFlags)] = [
        "ro": (true, .readOnly), "rw": (false, .readOnly),
        "nosuid": (true, .noSuid), "suid": (false, .noSuid),
        "nodev": (true, .noDev), "dev": (false, .noDev),
        "noexec": (true, .noExec), "exec": (false, .noExec),
        "sync": (true, .synchronous), "async": (false, .synchronous),
        "dirsync": (true, .directorySync),
        "remount": (true, .remount),
        "mand": (true, .mandatoryLocking), "nomand": (false, .mandatoryLocking),
        "atime": (false, .noAccessTime), "noatime": (true, .noAccessTime),
        "diratime": (false, .noDirectoryAccessTime), "nodiratime": (true, .noDirectoryAccessTime),
        "relatime": (true, .relativeAccessTime), "norelatime": (false, .relativeAccessTime),
        "strictatime": (true, .strictAccessTime), "nostrictatime": (false, .strictAccessTime),
        "lazytime": (true, .lazyTime), "nolazytime": (false, .lazyTime),
        "bind": (true, .bind), "rbind": (true, [.bind, .recursive]),
        "iversion": (true, .inodeVersion), "noiversion": (false, .inodeVersion),
        "silent": (true, .silent), "loud": (false, .silent),
        "nosymfollow": (true, .noSymlinkFollow), "symfollow": (false, .noSymlinkFollow),
        // mount(8)'s "rw, suid, dev, exec, auto, nouser, async": the flags
        // berth starts from anyway.
        "defaults": (false, []),
    ]


    /// The recursive forms of config-linux.md, applied with mount_setattr.
    /// relatime is the absence of the other access-time modes in the mask.
    static let recursiveOptions: [String: (set: MountAttributes, clear: MountAttributes)] = [
        "rro": (.readOnly, []), "rrw": ([], .readOnly),
        "rnosuid": (.noSuid, []), "rsuid": ([], .noSuid),
        "rnodev": (.noDev, []), "rdev": ([], .noDev),
        "rnoexec": (.noExec, []), "rexec": ([], .noExec),
        "rnodiratime": (.noDirectoryAccessTime, []), "rdiratime": ([], .noDirectoryAccessTime),
        "rrelatime": ([], .accessTimeMask), "rnorelatime": ([], []),
        "ratime": ([], .accessTimeMask), "rnoatime": (.noAccessTime, .accessTimeMask),
        "rstrictatime": (.strictAccessTime, .accessTimeMask), "rnostrictatime": ([], []),
        "rnosymfollow": (.noSymlinkFollow, []), "rsymfollow": ([], .noSymlinkFollow),
    ]

    /// Options berth knows but does not implement yet: refused by name.
    static let unsupportedOptions: Set<String> = ["tmpcopyup"]

    /// Every option berth implements, for `berth features`.
    public static var known: [String] {
        (Array(flagOptions.keys) + MountPropagation.sortedNames + Array(recursiveOptions.keys) + ["idmap", "ridmap"]).sorted()
    }

    /// Parses options; anything not a flag is file-system data, as in
    /// runc. Returns the options or the name of one berth refuses.
    public static func parse(_ options: [String]) -> Result<MountOptions, UnsupportedMountOption> {
        var parsed = MountOptions()
        for option in options {
            if let (set, flag) = flagOptions[option] {
                if set {
                    parsed.flags.formUnion(flag)
                    parsed.clearedFlags.subtract(flag)
                } else {
                    parsed.flags.subtract(flag)
                    parsed.clearedFlags.formUnion(flag)
                }
            } else if let propagation = MountPropagation(rawValue: option) {
                parsed.propagation.append(propagation.flags)
            } else if let (set, clear) = recursiveOptions[option] {
                // A later option wins over an earlier one; the atime mask
                // stays in `clear` because the kernel wants it there to
                // change the atime mode.
                parsed.recursiveSet = parsed.recursiveSet.subtracting(clear).union(set)
                parsed.recursiveClear = parsed.recursiveClear.subtracting(set).union(clear)
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

extension MountPropagation {
    /// What mount(2) takes to change a mount's propagation this way.
    var flags: MountFlags {
        switch self {
        case .private: return .private
        case .shared: return .shared
        case .slave: return .slave
        case .unbindable: return .unbindable
        case .recursivePrivate: return [.private, .recursive]
        case .recursiveShared: return [.shared, .recursive]
        case .recursiveSlave: return [.slave, .recursive]
        case .recursiveUnbindable: return [.unbindable, .recursive]
        }
    }
}
