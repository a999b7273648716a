// `linux` (config-linux.md), except `resources` (LinuxResources.swift) and
// `seccomp` (LinuxSeccomp.swift).

/// The Linux-specific part of the configuration.
public struct Linux: Codable, Sendable, Equatable {
    public var namespaces: [LinuxNamespace]?
    public var uidMappings: [LinuxIDMapping]?
    public var gidMappings: [LinuxIDMapping]?
    /// Clock name (`monotonic`, `boottime`) to offset, for a new time namespace.
    public var timeOffsets: [String: LinuxTimeOffset]?
    public var devices: [LinuxDevice]?
    /// Host interface name to its settings in the container.
    public var netDevices: [String: LinuxNetDevice]?
    public var cgroupsPath: String?
    public var resources: LinuxResources?
    public var rootfsPropagation: String?
    public var seccomp: LinuxSeccomp?
    public var sysctl: [String: String]?
    public var maskedPaths: [String]?
    public var readonlyPaths: [String]?
    public var mountLabel: String?
    public var intelRdt: LinuxIntelRdt?
    public var personality: LinuxPersonality?
    public var memoryPolicy: LinuxMemoryPolicy?

    public init(
        namespaces: [LinuxNamespace]? = nil, uidMappings: [LinuxIDMapping]? = nil,
        gidMappings: [LinuxIDMapping]? = nil, timeOffsets: [String: LinuxTimeOffset]? = nil,
        devices: [LinuxDevice]? = nil, netDevices: [String: LinuxNetDevice]? = nil,
        cgroupsPath: String? = nil, resources: LinuxResources? = nil,
        rootfsPropagation: String? = nil, seccomp: LinuxSeccomp? = nil,
        sysctl: [String: String]? = nil, maskedPaths: [String]? = nil,
        readonlyPaths: [String]? = nil, mountLabel: String? = nil,
        intelRdt: LinuxIntelRdt? = nil, personality: LinuxPersonality? = nil,
        memoryPolicy: LinuxMemoryPolicy? = nil
    ) {
        self.namespaces = namespaces
        self.uidMappings = uidMappings
        self.gidMappings = gidMappings
        self.timeOffsets = timeOffsets
        self.devices = devices
        self.netDevices = netDevices
        self.cgroupsPath = cgroupsPath
        self.resources = resources
        self.rootfsPropagation = rootfsPropagation
        self.seccomp = seccomp
        self.sysctl = sysctl
        self.maskedPaths = maskedPaths
        self.readonlyPaths = readonlyPaths
        self.mountLabel = mountLabel
        self.intelRdt = intelRdt
        self.personality = personality
        self.memoryPolicy = memoryPolicy
    }
}

/// A namespace to create, or with `path`, to join.
public struct LinuxNamespace: Codable, Sendable, Equatable {
    /// `pid`, `network`, `mount`, `ipc`, `uts`, `user`, `cgroup` or `time`.
    public var type: String
    public var path: String?

    public init(type: String, path: String? = nil) {
        self.type = type
        self.path = path
    }

    /// The namespace to join, or nil for a new one: an empty path is no
    /// path, as runc reads it.
    public var joinPath: String? {
        guard let path, !path.isEmpty else { return nil }
        return path
    }
}

/// A range of ids: `size` ids from `hostID` appear as ids from `containerID`.
public struct LinuxIDMapping: Codable, Sendable, Hashable {
    public var containerID: UInt32
    public var hostID: UInt32
    public var size: UInt32

    public init(containerID: UInt32, hostID: UInt32, size: UInt32) {
        self.containerID = containerID
        self.hostID = hostID
        self.size = size
    }
}

/// A clock offset in a new time namespace.
public struct LinuxTimeOffset: Codable, Sendable, Equatable {
    public var secs: Int64?
    public var nanosecs: UInt32?

    public init(secs: Int64? = nil, nanosecs: UInt32? = nil) {
        self.secs = secs
        self.nanosecs = nanosecs
    }
}

/// A device node to make available in the container.
public struct LinuxDevice: Codable, Sendable, Equatable {
    /// `c`, `b`, `u` or `p`.
    public var type: String
    public var path: String
    /// Required unless `type` is `p`.
    public var major: Int64?
    public var minor: Int64?
    /// Permission bits, written in JSON as a decimal number.
    public var fileMode: UInt32?
    public var uid: UInt32?
    public var gid: UInt32?

    public init(
        type: String, path: String, major: Int64? = nil, minor: Int64? = nil,
        fileMode: UInt32? = nil, uid: UInt32? = nil, gid: UInt32? = nil
    ) {
        self.type = type
        self.path = path
        self.major = major
        self.minor = minor
        self.fileMode = fileMode
        self.uid = uid
        self.gid = gid
    }
}

/// A host network interface moved into the container's network namespace.
public struct LinuxNetDevice: Codable, Sendable, Equatable {
    /// The name inside the container; the host name when absent.
    public var name: String?

    public init(name: String? = nil) {
        self.name = name
    }
}

/// Intel Resource Director Technology (resctrl) settings.
public struct LinuxIntelRdt: Codable, Sendable, Equatable {
    public var closID: String?
    public var l3CacheSchema: String?
    public var memBwSchema: String?
    public var schemata: [String]?
    public var enableMonitoring: Bool?

    public init(
        closID: String? = nil, l3CacheSchema: String? = nil, memBwSchema: String? = nil,
        schemata: [String]? = nil, enableMonitoring: Bool? = nil
    ) {
        self.closID = closID
        self.l3CacheSchema = l3CacheSchema
        self.memBwSchema = memBwSchema
        self.schemata = schemata
        self.enableMonitoring = enableMonitoring
    }
}

/// The `personality(2)` execution domain.
public struct LinuxPersonality: Codable, Sendable, Equatable {
    /// `LINUX` or `LINUX32`.
    public var domain: String
    public var flags: [String]?

    public init(domain: String, flags: [String]? = nil) {
        self.domain = domain
        self.flags = flags
    }
}

/// The NUMA policy set with `set_mempolicy(2)`.
public struct LinuxMemoryPolicy: Codable, Sendable, Equatable {
    public var mode: String
    public var nodes: String?
    public var flags: [String]?

    public init(mode: String, nodes: String? = nil, flags: [String]? = nil) {
        self.mode = mode
        self.nodes = nodes
        self.flags = flags
    }
}
