import Glibc
import LinuxSystem
import OCI

/// Everything the container's init does, decided in the parent: paths made
/// absolute, options parsed into flags, capability names turned into masks.
/// The init only executes it, so every error that can be found before
/// touching the system is found here, with the config path that caused it.
public struct LaunchPlan: Sendable {
    public var id: String
    public var bundle: String
    public var rootfs: String
    public var rootReadonly: Bool
    /// The runtime-spec version of the states berth writes (the version it
    /// implements, not the config's).
    public var ociVersion: String
    public var annotations: [String: String]?

    /// Namespaces created by clone.
    public var newNamespaces: [NamespaceKind]
    /// Existing namespaces joined, in `NamespaceKind.joinOrder`.
    public var joinedNamespaces: [(kind: NamespaceKind, path: String)]
    /// Offsets of a new time namespace's clocks, by clock name.
    public var timeOffsets: [String: LinuxTimeOffset]
    public var uidMappings: [LinuxIDMapping]
    public var gidMappings: [LinuxIDMapping]

    public var hostname: String?
    public var domainname: String?
    /// Propagation of "/" in the new mount namespace before anything is
    /// mounted (rootfsPropagation, default rslave as runc).
    public var rootPropagation: MountFlags
    public var mounts: [PlannedMount]
    public var devices: [PlannedDevice]
    public var maskedPaths: [String]
    public var readonlyPaths: [String]

    public var process: PlannedProcess
    /// The compiled filter, loaded by the init just before execve.
    public var seccomp: SeccompProgram?
    /// Where the notify listener fd goes (linux.seccomp.listenerPath).
    public var seccompListener: SeccompListener?
    /// Host network devices moved into the container's network namespace.
    public var networkDevices: [PlannedNetworkDevice]
    public var cgroup: PlannedCgroup?
    public var hooks: Hooks
    public var options: CreateOptions
    /// What berth leaves out and says so (config.md asks for warnings).
    public var warnings: [String] = []
    /// How long compiling linux.seccomp took (nanoseconds), for the phase
    /// timings `--debug` logs: the one costly step inside planning.
    public var seccompCompileTime: UInt64 = 0

    /// The namespaces clone creates. A new time namespace is not among them:
    /// berth makes it before the clone (see TimeNamespaceSwitch).
    /// Nor the cgroup namespace: the init unshares it once clone3 has put it
    /// in its cgroup, so that cgroup becomes the namespace's root.
    /// With a joined user namespace, the new namespaces are made by the
    /// init once it is in it (namespacesMadeInUserNamespace) instead.
    public var cloneFlags: UInt64 {
        newNamespaces.filter { $0 != .time && $0 != .cgroup && !namespacesMadeInJoinedUserNamespace.contains($0) }
            .reduce(0) { $0 | UInt64($1.cloneFlag) }
    }

    /// New namespaces the init unshares after joining the user namespace
    /// by path, so that this user namespace owns them and the container's
    /// root may mount, set the hostname, configure the network (runc's
    /// nsexec unshares them there too). The cgroup namespace is unshared
    /// by the init in any case.
    public var namespacesMadeInJoinedUserNamespace: [NamespaceKind] {
        guard joinedNamespaces.contains(where: { $0.kind == .user }) else { return [] }
        return NamespaceKind.joinOrder.filter { kind in
            newNamespaces.contains(kind) && ![.user, .pid, .time, .cgroup].contains(kind)
        }
    }

    public func has(_ kind: NamespaceKind) -> Bool {
        newNamespaces.contains(kind) || joinedNamespaces.contains { $0.kind == kind }
    }

    /// No mount namespace in the config: the container's mounts go into
    /// berth's own namespace (config-linux.md: namespaces not listed are
    /// inherited), and the init chroots instead of pivoting.
    public var sharesMountNamespace: Bool { !has(.mount) }
}

public struct SeccompListener: Sendable {
    public var path: String
    public var metadata: String?
}

/// The options of `create` (and `run`) that shape the container.
public struct CreateOptions: Sendable {
    public var bundle: String
    public var pidFile: String?
    public var consoleSocket: String?
    public var preserveFds: Int
    public var noPivot: Bool
    public var noNewKeyring: Bool
    /// Where a pidfd of the init is sent (--pidfd-socket).
    public var pidfdSocket: String?
    /// `run` relays the terminal itself: no console socket is needed.
    var relaysTerminal = false

    public init(bundle: String, pidFile: String? = nil, consoleSocket: String? = nil,
                preserveFds: Int = 0, noPivot: Bool = false, noNewKeyring: Bool = false, pidfdSocket: String? = nil) {
        self.bundle = bundle
        self.pidFile = pidFile
        self.consoleSocket = consoleSocket
        self.preserveFds = preserveFds
        self.noPivot = noPivot
        self.noNewKeyring = noNewKeyring
        self.pidfdSocket = pidfdSocket
    }
}

public struct PlannedMount: Sendable, Equatable {
    /// Absolute path inside the container; resolved inside the rootfs.
    public var destination: String
    /// For bind mounts an absolute host path; otherwise the fs source.
    public var source: String
    public var type: String
    public var options: MountOptions
    /// For an idmapped mount (idmap, ridmap): the mapping berth gives it.
    public var idMappings: IDMappings? = nil

    /// A tmpfs (not a bind) mount.
    public var isTmpfs: Bool { type == "tmpfs" && !options.isBind }

    /// A read-only tmpfs is mounted writable and made read-only only once
    /// everything that goes in it is there: devices, /dev links, the mount
    /// points of later mounts (runc delays it alike).
    public var isReadOnlyLater: Bool { isTmpfs && options.flags.contains(.readOnly) }

    /// A tmpfs without `mode=` takes the mode of the directory it covers
    /// (as runc), not tmpfs's default 1777.
    public var takesCoveredMode: Bool { isTmpfs && !options.data.contains { $0.hasPrefix("mode=") } }

    /// The files inside /proc a mount may cover: those lxcfs emulates (the
    /// list runc allows). Anything else there would let a mount redirect
    /// what berth or the container writes to a sysctl or a process file.
    public static let procfsFilesOthersMayCover: Set<String> = [
        "/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo", "/proc/stat", "/proc/swaps", "/proc/uptime",
        "/proc/loadavg", "/proc/slabinfo", "/proc/sys/kernel/ns_last_pid", "/proc/sys/crypto/fips_enabled",
    ]

    /// Whether this mount may sit where its destination is inside /proc:
    /// /proc itself takes any file system but a bind of something other
    /// than procfs; below /proc only the lxcfs files.
    public func mayCoverProcfs(sourceIsProcfs: Bool) -> Bool {
        if destination == "/proc" { return !options.isBind || sourceIsProcfs }
        return Self.procfsFilesOthersMayCover.contains(destination)
    }

    /// proc and sysfs go on an ordinary directory only: mounted through a
    /// symlink in the image they could land where the image chose.
    public var needsOrdinaryDirectory: Bool { !options.isBind && (type == "proc" || type == "sysfs") }
}

/// A uid and a gid mapping, of a user namespace or of an idmapped mount.
public struct IDMappings: Sendable, Equatable, Hashable {
    public var uid: [LinuxIDMapping]
    public var gid: [LinuxIDMapping]

    /// The lines of /proc/PID/uid_map and gid_map.
    var uidMapText: String { uid.map { "\($0.containerID) \($0.hostID) \($0.size)\n" }.joined() }
    var gidMapText: String { gid.map { "\($0.containerID) \($0.hostID) \($0.size)\n" }.joined() }
}

public struct PlannedDevice: Sendable, Equatable {
    public var path: String
    /// S_IFCHR, S_IFBLK or S_IFIFO with the permission bits.
    public var mode: mode_t
    public var major: UInt32
    public var minor: UInt32
    public var uid: uid_t
    public var gid: gid_t
}

public struct CapabilitySets: Sendable, Equatable {
    public var bounding: UInt64 = 0
    public var effective: UInt64 = 0
    public var permitted: UInt64 = 0
    public var inheritable: UInt64 = 0
    public var ambient: UInt64 = 0
}

public struct PlannedProcess: Sendable {
    public var args: [String]
    public var env: [String]
    public var cwd: String
    public var uid: uid_t
    public var gid: gid_t
    public var additionalGids: [gid_t]
    public var umask: mode_t?
    public var rlimits: [(resource: Int32, soft: UInt64, hard: UInt64)]
    public var oomScoreAdj: Int?
    public var terminal: Bool
    public var consoleSize: (rows: UInt16, columns: UInt16)?
    public var noNewPrivileges: Bool
    /// A config without `process.capabilities` gets none, as with runc.
    public var capabilities: CapabilitySets
    /// The kernel's highest capability, read by berth (the container's
    /// /proc may not be there).
    public var lastCapability: Int
    public var tuning: ProcessTuning
}
