import OCI

/// One cgroup v2 interface file and the value berth writes into it.
public struct CgroupSetting: Equatable, Sendable, CustomStringConvertible {
    public let file: String
    public let value: String

    public init(_ file: String, _ value: String) {
        self.file = file
        self.value = value
    }

    /// The controller a file belongs to ("memory" for memory.max); the
    /// core files (cgroup.*) need none.
    public var controller: String? {
        let prefix = String(file.prefix { $0 != "." })
        return prefix == "cgroup" ? nil : prefix
    }

    public var description: String { "\(file)=\(value)" }
}

/// `linux.resources` translated into cgroup v2 files, one function per
/// controller, as runc's fs2 driver reads. Pure: it only decides, so every
/// conversion is unit-tested without a cgroup file system. Devices are not
/// files on v2 (an eBPF program does that job) and are handled apart.
public enum CgroupSettings {
    public static func translate(_ resources: LinuxResources) -> (settings: [CgroupSetting], problems: [ConfigProblem]) {
        var translation = Translation()
        if let memory = resources.memory { translation.memory(memory) }
        if let cpu = resources.cpu { translation.cpu(cpu) }
        if let pids = resources.pids { translation.pids(pids) }
        if let blockIO = resources.blockIO { translation.blockIO(blockIO) }
        for (index, limit) in (resources.hugepageLimits ?? []).enumerated() { translation.hugepage(limit, index: index) }
        if let network = resources.network { translation.network(network) }
        for (device, limits) in (resources.rdma ?? [:]).sorted(by: { $0.key < $1.key }) { translation.rdma(device, limits) }
        for (key, value) in (resources.unified ?? [:]).sorted(by: { $0.key < $1.key }) { translation.unified(key, value) }
        return (translation.settings, translation.problems)
    }

    /// runc's conversion of cgroup v1 cpu.shares (2…262144) to v2 cpu.weight
    /// (1…10000), linear over the two ranges.
    public static func cpuWeight(fromShares shares: UInt64) -> UInt64 {
        shares == 0 ? 0 : 1 + ((min(max(shares, 2), 262_144) - 2) * 9999) / 262_142
    }

    /// v1's blkio.weight (10…1000) to v2's io.weight (1…10000).
    public static func ioWeight(fromBlkioWeight weight: UInt64) -> UInt64 {
        1 + ((min(max(weight, 10), 1000) - 10) * 9999) / 990
    }
}

private struct Translation {
    var settings: [CgroupSetting] = []
    var problems: [ConfigProblem] = []

    mutating func set(_ file: String, _ value: String) { settings.append(CgroupSetting(file, value)) }
    mutating func problem(_ path: String, _ message: String) {
        problems.append(ConfigProblem(path: "linux.resources." + path, message: message))
    }

    static func limit(_ value: Int64) -> String { value < 0 ? "max" : String(value) }

    mutating func memory(_ memory: LinuxMemory) {
        if let limit = memory.limit, limit != 0 { set("memory.max", Self.limit(limit)) }
        if let reservation = memory.reservation, reservation != 0 { set("memory.low", Self.limit(reservation)) }
        // v1's swap limit counts memory plus swap; v2's counts swap alone.
        if let swap = memory.swap, swap != 0 {
            let limit = memory.limit ?? 0
            if swap == -1 {
                set("memory.swap.max", "max")
            } else if limit <= 0 {
                problem("memory.swap", "a swap limit needs a memory limit")
            } else if swap < limit {
                problem("memory.swap", "memory+swap limit \(swap) is lower than the memory limit \(limit)")
            } else {
                set("memory.swap.max", String(swap - limit))
            }
        }
        if memory.disableOOMKiller == true {
            problem("memory.disableOOMKiller", "cgroup v2 cannot disable the OOM killer")
        }
        if let swappiness = memory.swappiness, swappiness != UInt64(bitPattern: -1) {
            problem("memory.swappiness", "cgroup v2 has no per-cgroup swappiness")
        }
        // kernel and kernelTCP are deprecated and have no v2 file; the spec
        // lets runtimes ignore them, as runc does. useHierarchy is always on.
    }

    mutating func cpu(_ cpu: LinuxCPU) {
        if let shares = cpu.shares, shares != 0 {
            set("cpu.weight", String(CgroupSettings.cpuWeight(fromShares: shares)))
        }
        if cpu.quota != nil || cpu.period != nil {
            let period = cpu.period.flatMap { $0 == 0 ? nil : $0 } ?? 100_000
            let quota = cpu.quota.map { $0 > 0 ? String($0) : "max" } ?? "max"
            set("cpu.max", "\(quota) \(period)")
        }
        if let burst = cpu.burst { set("cpu.max.burst", String(burst)) }
        if let idle = cpu.idle { set("cpu.idle", String(idle)) }
        if cpu.realtimeRuntime != nil || cpu.realtimePeriod != nil {
            problem("cpu.realtimeRuntime", "real-time CPU limits do not exist in cgroup v2")
        }
        if let cpus = cpu.cpus, !cpus.isEmpty { set("cpuset.cpus", cpus) }
        if let mems = cpu.mems, !mems.isEmpty { set("cpuset.mems", mems) }
    }

    mutating func pids(_ pids: LinuxPids) {
        if let limit = pids.limit, limit != 0 { set("pids.max", Self.limit(limit)) }
    }

    mutating func blockIO(_ blockIO: LinuxBlockIO) {
        if let weight = blockIO.weight, weight != 0 {
            set("io.weight", "default \(CgroupSettings.ioWeight(fromBlkioWeight: UInt64(weight)))")
        }
        if blockIO.leafWeight != nil {
            problem("blockIO.leafWeight", "cgroup v2 has no leaf weight")
        }
        for device in blockIO.weightDevice ?? [] {
            if let weight = device.weight {
                set("io.weight", "\(device.major):\(device.minor) \(CgroupSettings.ioWeight(fromBlkioWeight: UInt64(weight)))")
            }
        }
        let throttles: [(String, [LinuxThrottleDevice]?)] = [
            ("rbps", blockIO.throttleReadBpsDevice), ("wbps", blockIO.throttleWriteBpsDevice),
            ("riops", blockIO.throttleReadIOPSDevice), ("wiops", blockIO.throttleWriteIOPSDevice),
        ]
        for (key, devices) in throttles {
            for device in devices ?? [] {
                let rate = device.rate.map { $0 == 0 ? "max" : String($0) } ?? "max"
                set("io.max", "\(device.major):\(device.minor) \(key)=\(rate)")
            }
        }
    }

    mutating func hugepage(_ limit: LinuxHugepageLimit, index: Int) {
        set("hugetlb.\(limit.pageSize).max", String(limit.limit))
    }

    mutating func network(_ network: LinuxNetwork) {
        if network.classID != nil || !(network.priorities ?? []).isEmpty {
            problem("network", "net_cls and net_prio do not exist in cgroup v2")
        }
    }

    mutating func rdma(_ device: String, _ limits: LinuxRdma) {
        var fields: [String] = []
        if let handles = limits.hcaHandles { fields.append("hca_handle=\(handles)") }
        if let objects = limits.hcaObjects { fields.append("hca_object=\(objects)") }
        if !fields.isEmpty { set("rdma.max", "\(device) " + fields.joined(separator: " ")) }
    }

    /// Arbitrary files, as the spec allows; a key must name a file of this
    /// cgroup, never a path elsewhere.
    mutating func unified(_ key: String, _ value: String) {
        guard !key.isEmpty, !key.contains("/"), key != ".", key != "..", key.contains(".") else {
            problem("unified[\"\(key)\"]", "not the name of a cgroup interface file")
            return
        }
        set(key, value)
    }
}
