// The closed vocabularies of config.json that validation checks against, as
// listed by config.md, config-linux.md and schema/defs-linux.json.

public enum KnownValues {
    public static let namespaceTypes: Set = ["pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time"]

    public static let seccompActions: Set = [
        "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
        "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY",
    ]
    /// The actions that return an errno, so the only ones `errnoRet` fits.
    public static let seccompErrnoActions: Set = ["SCMP_ACT_ERRNO", "SCMP_ACT_TRACE"]

    public static let seccompOperators: Set = [
        "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT",
        "SCMP_CMP_MASKED_EQ",
    ]

    public static let seccompArchitectures: Set = [
        "SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64",
        "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL",
        "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64",
        "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_PARISC",
        "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64", "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K",
        "SCMP_ARCH_SH", "SCMP_ARCH_SHEB",
    ]

    public static let seccompFlags: Set = [
        "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
        "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
    ]

    // The spec lists the first four; runc also takes the recursive forms and
    // configs written for it use them, so they are accepted too.
    public static let rootfsPropagations: Set = [
        "private", "shared", "slave", "unbindable", "rprivate", "rshared", "rslave", "runbindable",
    ]
    public static let personalityDomains: Set = ["LINUX", "LINUX32"]
    public static let ioPriorityClasses: Set = ["IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE"]

    public static let schedulerPolicies: Set = [
        "SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH", "SCHED_ISO", "SCHED_IDLE",
        "SCHED_DEADLINE",
    ]
    public static let schedulerFlags: Set = [
        "SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM", "SCHED_FLAG_DL_OVERRUN",
        "SCHED_FLAG_KEEP_POLICY", "SCHED_FLAG_KEEP_PARAMS", "SCHED_FLAG_UTIL_CLAMP_MIN",
        "SCHED_FLAG_UTIL_CLAMP_MAX",
    ]

    public static let memoryPolicyModes: Set = [
        "MPOL_DEFAULT", "MPOL_BIND", "MPOL_INTERLEAVE", "MPOL_WEIGHTED_INTERLEAVE",
        "MPOL_PREFERRED", "MPOL_PREFERRED_MANY", "MPOL_LOCAL",
    ]
    public static let memoryPolicyFlags: Set = ["MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES", "MPOL_F_STATIC_NODES"]

    public static let deviceTypes: Set = ["c", "b", "u", "p"]
    public static let deviceCgroupTypes: Set = ["a", "c", "b"]
    public static let timeNamespaceClocks: Set = ["monotonic", "boottime"]
}
