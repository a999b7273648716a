/// Kernel constants that Glibc's Swift module does not export (they are
/// macros or enum members in headers Swift does not import).

/// prctl(2) options.
public enum Prctl {
    public static let setDumpable: Int32 = 4             // PR_SET_DUMPABLE
    public static let setKeepCapabilities: Int32 = 8     // PR_SET_KEEPCAPS
    public static let dropFromBoundingSet: Int32 = 24    // PR_CAPBSET_DROP
    public static let setNoNewPrivileges: Int32 = 38     // PR_SET_NO_NEW_PRIVS
    public static let ambientCapabilities: Int32 = 47    // PR_CAP_AMBIENT
    public static let ambientRaise: UInt = 2             // PR_CAP_AMBIENT_RAISE
}

/// statvfs(3) f_flag bits.
public enum StatvfsFlag {
    public static let readOnly: UInt = 1   // ST_RDONLY
    public static let noSuid: UInt = 2     // ST_NOSUID
    public static let noDev: UInt = 4      // ST_NODEV
    public static let noExec: UInt = 8     // ST_NOEXEC
}
