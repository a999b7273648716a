import CBerth

/// Kernel constants that Glibc's Swift module does not export, from
/// berth_constants.h (pinned to the system's headers in CBerth/constants.c).

/// prctl(2) options.
enum Prctl {
    static let setParentDeathSignal = Int32(BERTH_PR_SET_PDEATHSIG)
    static let setDumpable = Int32(BERTH_PR_SET_DUMPABLE)
    static let setKeepCapabilities = Int32(BERTH_PR_SET_KEEPCAPS)
    static let dropFromBoundingSet = Int32(BERTH_PR_CAPBSET_DROP)
    static let setNoNewPrivileges = Int32(BERTH_PR_SET_NO_NEW_PRIVS)
    static let ambientCapabilities = Int32(BERTH_PR_CAP_AMBIENT)
    static let ambientRaise = UInt(BERTH_PR_CAP_AMBIENT_RAISE)
}

/// statvfs(3) f_flag bits.
enum StatvfsFlag {
    static let readOnly = UInt(BERTH_ST_RDONLY)
    static let noSuid = UInt(BERTH_ST_NOSUID)
    static let noDev = UInt(BERTH_ST_NODEV)
    static let noExec = UInt(BERTH_ST_NOEXEC)
    static let noAccessTime = UInt(BERTH_ST_NOATIME)
    static let noDirectoryAccessTime = UInt(BERTH_ST_NODIRATIME)
    static let relativeAccessTime = UInt(BERTH_ST_RELATIME)
    static let noSymlinkFollow = UInt(BERTH_ST_NOSYMFOLLOW)
}
