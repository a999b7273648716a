// `linux.resources` (config-linux.md "Control groups"). Memory values are
// int64 because -1 means "unlimited".

/// The cgroup limits of the container.
public struct LinuxResources: Codable, Sendable, Equatable {
    public var devices: [LinuxDeviceCgroup]?
    public var memory: LinuxMemory?
    public var cpu: LinuxCPU?
    public var pids: LinuxPids?
    public var blockIO: LinuxBlockIO?
    public var hugepageLimits: [LinuxHugepageLimit]?
    public var network: LinuxNetwork?
    /// Device name (e.g. `mlx5_1`) to its limits.
    public var rdma: [String: LinuxRdma]?
    /// cgroup v2 file name to the value written to it.
    public var unified: [String: String]?

    public init(
        devices: [LinuxDeviceCgroup]? = nil, memory: LinuxMemory? = nil, cpu: LinuxCPU? = nil,
        pids: LinuxPids? = nil, blockIO: LinuxBlockIO? = nil,
        hugepageLimits: [LinuxHugepageLimit]? = nil, network: LinuxNetwork? = nil,
        rdma: [String: LinuxRdma]? = nil, unified: [String: String]? = nil
    ) {
        self.devices = devices
        self.memory = memory
        self.cpu = cpu
        self.pids = pids
        self.blockIO = blockIO
        self.hugepageLimits = hugepageLimits
        self.network = network
        self.rdma = rdma
        self.unified = unified
    }
}

/// One rule of the device allow/deny list.
public struct LinuxDeviceCgroup: Codable, Sendable, Equatable {
    public var allow: Bool
    /// `a` (all), `c` or `b`.
    public var type: String?
    public var major: Int64?
    public var minor: Int64?
    /// Some of `r`, `w`, `m`.
    public var access: String?

    public init(
        allow: Bool, type: String? = nil, major: Int64? = nil, minor: Int64? = nil,
        access: String? = nil
    ) {
        self.allow = allow
        self.type = type
        self.major = major
        self.minor = minor
        self.access = access
    }

    /// Why `access` is not a set of the spec's letters (config-linux.md:
    /// "a composition of r, w and m"): each at most once, in any order, the
    /// empty string included (berth reads it, like an absent access, as
    /// "rwm"). Nil when it is.
    public static func accessProblem(_ access: String) -> String? {
        let want = "(want r, w and m, each at most once, in any order)"
        let unknown = access.filter { !"rwm".contains($0) }
        if !unknown.isEmpty {
            let letters = unknown.count == 1 ? "an unknown letter" : "unknown letters"
            return "\"\(access)\" has \(letters) \"\(unknown)\" \(want)"
        }
        let repeated = "rwm".filter { letter in access.filter { $0 == letter }.count > 1 }
        if !repeated.isEmpty {
            return "\"\(access)\" repeats \"\(repeated)\" \(want)"
        }
        return nil
    }
}

public struct LinuxMemory: Codable, Sendable, Equatable {
    public var limit: Int64?
    public var reservation: Int64?
    public var swap: Int64?
    public var kernel: Int64?
    public var kernelTCP: Int64?
    public var swappiness: UInt64?
    public var disableOOMKiller: Bool?
    public var useHierarchy: Bool?
    public var checkBeforeUpdate: Bool?

    public init(
        limit: Int64? = nil, reservation: Int64? = nil, swap: Int64? = nil, kernel: Int64? = nil,
        kernelTCP: Int64? = nil, swappiness: UInt64? = nil, disableOOMKiller: Bool? = nil,
        useHierarchy: Bool? = nil, checkBeforeUpdate: Bool? = nil
    ) {
        self.limit = limit
        self.reservation = reservation
        self.swap = swap
        self.kernel = kernel
        self.kernelTCP = kernelTCP
        self.swappiness = swappiness
        self.disableOOMKiller = disableOOMKiller
        self.useHierarchy = useHierarchy
        self.checkBeforeUpdate = checkBeforeUpdate
    }
}

public struct LinuxCPU: Codable, Sendable, Equatable {
    public var shares: UInt64?
    public var quota: Int64?
    public var burst: UInt64?
    public var period: UInt64?
    public var realtimeRuntime: Int64?
    public var realtimePeriod: UInt64?
    /// A CPU list such as `0-3,7`.
    public var cpus: String?
    public var mems: String?
    public var idle: Int64?

    public init(
        shares: UInt64? = nil, quota: Int64? = nil, burst: UInt64? = nil, period: UInt64? = nil,
        realtimeRuntime: Int64? = nil, realtimePeriod: UInt64? = nil, cpus: String? = nil,
        mems: String? = nil, idle: Int64? = nil
    ) {
        self.shares = shares
        self.quota = quota
        self.burst = burst
        self.period = period
        self.realtimeRuntime = realtimeRuntime
        self.realtimePeriod = realtimePeriod
        self.cpus = cpus
        self.mems = mems
        self.idle = idle
    }
}

public struct LinuxPids: Codable, Sendable, Equatable {
    /// Maximum number of tasks; -1 means no limit, 0 is a real limit.
    public var limit: Int64?

    public init(limit: Int64? = nil) {
        self.limit = limit
    }
}

public struct LinuxBlockIO: Codable, Sendable, Equatable {
    public var weight: UInt16?
    public var leafWeight: UInt16?
    public var weightDevice: [LinuxWeightDevice]?
    public var throttleReadBpsDevice: [LinuxThrottleDevice]?
    public var throttleWriteBpsDevice: [LinuxThrottleDevice]?
    public var throttleReadIOPSDevice: [LinuxThrottleDevice]?
    public var throttleWriteIOPSDevice: [LinuxThrottleDevice]?

    public init(
        weight: UInt16? = nil, leafWeight: UInt16? = nil, weightDevice: [LinuxWeightDevice]? = nil,
        throttleReadBpsDevice: [LinuxThrottleDevice]? = nil,
        throttleWriteBpsDevice: [LinuxThrottleDevice]? = nil,
        throttleReadIOPSDevice: [LinuxThrottleDevice]? = nil,
        throttleWriteIOPSDevice: [LinuxThrottleDevice]? = nil
    ) {
        self.weight = weight
        self.leafWeight = leafWeight
        self.weightDevice = weightDevice
        self.throttleReadBpsDevice = throttleReadBpsDevice
        self.throttleWriteBpsDevice = throttleWriteBpsDevice
        self.throttleReadIOPSDevice = throttleReadIOPSDevice
        self.throttleWriteIOPSDevice = throttleWriteIOPSDevice
    }
}

public struct LinuxWeightDevice: Codable, Sendable, Equatable {
    public var major: Int64
    public var minor: Int64
    public var weight: UInt16?
    public var leafWeight: UInt16?

    public init(major: Int64, minor: Int64, weight: UInt16? = nil, leafWeight: UInt16? = nil) {
        self.major = major
        self.minor = minor
        self.weight = weight
        self.leafWeight = leafWeight
    }
}

public struct LinuxThrottleDevice: Codable, Sendable, Equatable {
    public var major: Int64
    public var minor: Int64
    public var rate: UInt64?

    public init(major: Int64, minor: Int64, rate: UInt64? = nil) {
        self.major = major
        self.minor = minor
        self.rate = rate
    }
}

public struct LinuxHugepageLimit: Codable, Sendable, Equatable {
    /// `<size><K|M|G>B`, e.g. `2MB`, as in `hugetlb.2MB.max`.
    public var pageSize: String
    public var limit: UInt64

    public init(pageSize: String, limit: UInt64) {
        self.pageSize = pageSize
        self.limit = limit
    }
}

public struct LinuxNetwork: Codable, Sendable, Equatable {
    public var classID: UInt32?
    public var priorities: [LinuxInterfacePriority]?

    public init(classID: UInt32? = nil, priorities: [LinuxInterfacePriority]? = nil) {
        self.classID = classID
        self.priorities = priorities
    }
}

public struct LinuxInterfacePriority: Codable, Sendable, Equatable {
    public var name: String
    public var priority: UInt32

    public init(name: String, priority: UInt32) {
        self.name = name
        self.priority = priority
    }
}

/// At least one of the two must be set.
public struct LinuxRdma: Codable, Sendable, Equatable {
    public var hcaHandles: UInt32?
    public var hcaObjects: UInt32?

    public init(hcaHandles: UInt32? = nil, hcaObjects: UInt32? = nil) {
        self.hcaHandles = hcaHandles
        self.hcaObjects = hcaObjects
    }
}
