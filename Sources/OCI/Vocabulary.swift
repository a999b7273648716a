// The closed vocabularies of config.json (config.md, config-linux.md,
// schema/defs-linux.json), each one enum: the case's raw value is the
// spec's name, and where the kernel takes a plain number the case carries
// it too. Validation, the launch plan and `berth features` all read these,
// so a name cannot be accepted by one and unknown to another. Values that
// come from a library (libseccomp's) are mapped by an exhaustive switch
// where that library is called (SeccompProgram), which the compiler holds
// complete.

/// A vocabulary whose cases are named by the spec.
public protocol SpecVocabulary: RawRepresentable, CaseIterable, Sendable where RawValue == String {}

extension SpecVocabulary {
    /// Every name, sorted, as `berth features` lists them.
    public static var sortedNames: [String] { allCases.map(\.rawValue).sorted() }
}

/// The kinds of Linux namespace, with the name config.json uses, the clone
/// flag and the /proc/PID/ns entry.
public enum NamespaceKind: String, SpecVocabulary {
    case user, pid, network, mount, ipc, uts, cgroup, time

    public init?(configName: String) {
        self.init(rawValue: configName)
    }

    public var cloneFlag: Int32 {
        switch self {
        case .user: return 0x1000_0000     // CLONE_NEWUSER
        case .pid: return 0x2000_0000      // CLONE_NEWPID
        case .network: return 0x4000_0000  // CLONE_NEWNET
        case .mount: return 0x0002_0000    // CLONE_NEWNS
        case .ipc: return 0x0800_0000      // CLONE_NEWIPC
        case .uts: return 0x0400_0000      // CLONE_NEWUTS
        case .cgroup: return 0x0200_0000   // CLONE_NEWCGROUP
        case .time: return 0x0000_0080     // CLONE_NEWTIME
        }
    }

    /// The entry under /proc/PID/ns/.
    public var procName: String {
        switch self {
        case .network: return "net"
        case .mount: return "mnt"
        default: return rawValue
        }
    }

    /// The order in which existing namespaces are joined: the user namespace
    /// first, so the others can be entered with its capabilities; mount last
    /// among the rest, since it changes which paths the later ones resolve.
    public static let joinOrder: [NamespaceKind] = [.user, .ipc, .uts, .network, .pid, .cgroup, .time, .mount]
}

/// `process.scheduler.policy` (sched_setattr's sched_policy).
public enum SchedulerPolicy: String, SpecVocabulary {
    case other = "SCHED_OTHER", fifo = "SCHED_FIFO", roundRobin = "SCHED_RR", batch = "SCHED_BATCH"
    case iso = "SCHED_ISO", idle = "SCHED_IDLE", deadline = "SCHED_DEADLINE"

    public var kernelValue: UInt32 {
        switch self {
        case .other: return 0
        case .fifo: return 1
        case .roundRobin: return 2
        case .batch: return 3
        case .iso: return 4
        case .idle: return 5
        case .deadline: return 6
        }
    }
}

/// `process.scheduler.flags` (SCHED_FLAG_*).
public enum SchedulerFlag: String, SpecVocabulary {
    case resetOnFork = "SCHED_FLAG_RESET_ON_FORK", reclaim = "SCHED_FLAG_RECLAIM"
    case deadlineOverrun = "SCHED_FLAG_DL_OVERRUN", keepPolicy = "SCHED_FLAG_KEEP_POLICY"
    case keepParameters = "SCHED_FLAG_KEEP_PARAMS", utilizationClampMin = "SCHED_FLAG_UTIL_CLAMP_MIN"
    case utilizationClampMax = "SCHED_FLAG_UTIL_CLAMP_MAX"

    public var kernelValue: UInt64 {
        switch self {
        case .resetOnFork: return 0x01
        case .reclaim: return 0x02
        case .deadlineOverrun: return 0x04
        case .keepPolicy: return 0x08
        case .keepParameters: return 0x10
        case .utilizationClampMin: return 0x20
        case .utilizationClampMax: return 0x40
        }
    }
}

/// `process.ioPriority.class` (IOPRIO_CLASS_*).
public enum IOPriorityClass: String, SpecVocabulary {
    case realtime = "IOPRIO_CLASS_RT", bestEffort = "IOPRIO_CLASS_BE", idle = "IOPRIO_CLASS_IDLE"

    public var kernelValue: Int32 {
        switch self {
        case .realtime: return 1
        case .bestEffort: return 2
        case .idle: return 3
        }
    }
}

/// `linux.memoryPolicy.mode` (set_mempolicy's MPOL_*).
public enum MemoryPolicyMode: String, SpecVocabulary {
    case `default` = "MPOL_DEFAULT", preferred = "MPOL_PREFERRED", bind = "MPOL_BIND"
    case interleave = "MPOL_INTERLEAVE", local = "MPOL_LOCAL", preferredMany = "MPOL_PREFERRED_MANY"
    case weightedInterleave = "MPOL_WEIGHTED_INTERLEAVE"

    public var kernelValue: Int32 {
        switch self {
        case .default: return 0
        case .preferred: return 1
        case .bind: return 2
        case .interleave: return 3
        case .local: return 4
        case .preferredMany: return 5
        case .weightedInterleave: return 6
        }
    }
}

/// `linux.memoryPolicy.flags` (MPOL_F_*, or'ed into the mode).
public enum MemoryPolicyFlag: String, SpecVocabulary {
    case numaBalancing = "MPOL_F_NUMA_BALANCING", relativeNodes = "MPOL_F_RELATIVE_NODES"
    case staticNodes = "MPOL_F_STATIC_NODES"

    public var kernelValue: Int32 {
        switch self {
        case .numaBalancing: return 1 << 13
        case .relativeNodes: return 1 << 14
        case .staticNodes: return 1 << 15
        }
    }
}

/// `linux.personality.domain` (personality(2)'s PER_*).
public enum PersonalityDomain: String, SpecVocabulary {
    case linux = "LINUX", linux32 = "LINUX32"

    public var kernelValue: UInt {
        switch self {
        case .linux: return 0x0000
        case .linux32: return 0x0008
        }
    }
}

/// `linux.rootfsPropagation` and the propagation mount options. The spec
/// lists the first four; runc also takes the recursive forms and configs
/// written for it use them, so they are accepted too.
public enum MountPropagation: String, SpecVocabulary {
    case `private`, shared, slave, unbindable
    case recursivePrivate = "rprivate", recursiveShared = "rshared", recursiveSlave = "rslave"
    case recursiveUnbindable = "runbindable"
}

/// `linux.seccomp.defaultAction` and `syscalls[].action`.
public enum SeccompActionName: String, SpecVocabulary {
    case kill = "SCMP_ACT_KILL", killProcess = "SCMP_ACT_KILL_PROCESS", killThread = "SCMP_ACT_KILL_THREAD"
    case trap = "SCMP_ACT_TRAP", errno = "SCMP_ACT_ERRNO", trace = "SCMP_ACT_TRACE", allow = "SCMP_ACT_ALLOW"
    case log = "SCMP_ACT_LOG", notify = "SCMP_ACT_NOTIFY"

    /// The actions that return an errno, so the only ones `errnoRet` fits.
    public var takesErrnoRet: Bool { self == .errno || self == .trace }
}

/// `linux.seccomp.syscalls[].args[].op`.
public enum SeccompOperatorName: String, SpecVocabulary {
    case notEqual = "SCMP_CMP_NE", lessThan = "SCMP_CMP_LT", lessOrEqual = "SCMP_CMP_LE", equal = "SCMP_CMP_EQ"
    case greaterOrEqual = "SCMP_CMP_GE", greaterThan = "SCMP_CMP_GT", maskedEqual = "SCMP_CMP_MASKED_EQ"
}

/// `linux.seccomp.flags`.
public enum SeccompFlagName: String, SpecVocabulary {
    case threadSync = "SECCOMP_FILTER_FLAG_TSYNC", log = "SECCOMP_FILTER_FLAG_LOG"
    case speculationAllowed = "SECCOMP_FILTER_FLAG_SPEC_ALLOW"
    case waitKillableReceive = "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"
}

/// `linux.seccomp.architectures`; the token of each is libseccomp's.
public enum SeccompArchitecture: String, SpecVocabulary {
    case x86 = "SCMP_ARCH_X86", x86_64 = "SCMP_ARCH_X86_64", x32 = "SCMP_ARCH_X32", arm = "SCMP_ARCH_ARM"
    case aarch64 = "SCMP_ARCH_AARCH64", mips = "SCMP_ARCH_MIPS", mips64 = "SCMP_ARCH_MIPS64"
    case mips64n32 = "SCMP_ARCH_MIPS64N32", mipsel = "SCMP_ARCH_MIPSEL", mipsel64 = "SCMP_ARCH_MIPSEL64"
    case mipsel64n32 = "SCMP_ARCH_MIPSEL64N32", ppc = "SCMP_ARCH_PPC", ppc64 = "SCMP_ARCH_PPC64"
    case ppc64le = "SCMP_ARCH_PPC64LE", s390 = "SCMP_ARCH_S390", s390x = "SCMP_ARCH_S390X"
    case parisc = "SCMP_ARCH_PARISC", parisc64 = "SCMP_ARCH_PARISC64", riscv64 = "SCMP_ARCH_RISCV64"
    case loongarch64 = "SCMP_ARCH_LOONGARCH64", m68k = "SCMP_ARCH_M68K", sh = "SCMP_ARCH_SH"
    case sheb = "SCMP_ARCH_SHEB"
}

/// `linux.devices[].type`.
public enum DeviceType: String, SpecVocabulary {
    case character = "c", unbufferedCharacter = "u", block = "b", fifo = "p"
}

/// `linux.resources.devices[].type`.
public enum DeviceRuleType: String, SpecVocabulary {
    case all = "a", character = "c", block = "b"
}

/// The clocks of `linux.timeOffsets`.
public enum TimeNamespaceClock: String, SpecVocabulary {
    case monotonic, boottime
}
