import Glibc
import LinuxSystem

/// A container's resource usage as `berth events` prints it: runc's
/// `types.Stats` JSON (events/types.go), filled from what the cgroup v2
/// files give, as runc's fs2 driver fills it:
///
/// | JSON | v2 file |
/// |---|---|
/// | cpu.usage.total / user / kernel (ns) | cpu.stat usage_usec / user_usec / system_usec × 1000 |
/// | cpu.throttling periods / throttledPeriods / throttledTime (ns) | cpu.stat nr_periods / nr_throttled / throttled_usec × 1000 |
/// | memory.usage usage / limit / failcnt | memory.current / memory.max ("max" = 2^64-1) / memory.events max |
/// | memory.usage max | memory.peak (Linux 5.19) |
/// | memory.swap usage / limit | memory.swap.current + memory.current / memory.swap.max + memory.max (v1 counts memory+swap) |
/// | memory.cache, memory.raw | memory.stat file, memory.stat |
/// | pids current / limit | pids.current / pids.max ("max" = 0) |
/// | blkio ioServiceBytesRecursive, ioServicedRecursive | io.stat rbytes, wbytes / rios, wios as op Read, Write |
/// | hugetlb[size] usage / max / failcnt | hugetlb.SIZE.current / .max / hugetlb.SIZE.events max |
///
/// What v2 has no file for (per-cpu usage, kernel memory, the other blkio
/// lists, cpuset, Intel RDT, network interfaces) is left out, as runc leaves
/// it empty. Zero values of fields that runc marks `omitempty` are omitted.
public struct CgroupStats: Encodable, Sendable, Equatable {
    public var cpu = CPU()
    public var memory = Memory()
    public var pids = Pids()
    public var blkio = Blkio()
    public var hugetlb: [String: Hugetlb] = [:]

    public init() {}

    public struct CPU: Encodable, Sendable, Equatable {
        public var usage = Usage()
        public var throttling = Throttling()

        public struct Usage: Sendable, Equatable {
            /// Nanoseconds.
            public var total: UInt64 = 0
            public var kernel: UInt64 = 0
            public var user: UInt64 = 0
        }

        public struct Throttling: Sendable, Equatable {
            public var periods: UInt64 = 0
            public var throttledPeriods: UInt64 = 0
            /// Nanoseconds.
            public var throttledTime: UInt64 = 0
        }
    }

    public struct Memory: Sendable, Equatable {
        public var cache: UInt64 = 0
        public var usage = Entry()
        public var swap = Entry()
        public var kernel = Entry()
        public var kernelTCP = Entry()
        public var raw: [String: UInt64] = [:]

        public struct Entry: Sendable, Equatable {
            public var limit: UInt64 = 0
            public var usage: UInt64 = 0
            public var max: UInt64 = 0
            public var failcnt: UInt64 = 0
        }
    }

    public struct Pids: Sendable, Equatable {
        public var current: UInt64 = 0
        public var limit: UInt64 = 0
    }

    public struct Blkio: Sendable, Equatable {
        public var ioServiceBytesRecursive: [Entry] = []
        public var ioServicedRecursive: [Entry] = []

        public struct Entry: Sendable, Equatable {
            public var major: UInt64
            public var minor: UInt64
            public var op: String
            public var value: UInt64
        }
    }

    public struct Hugetlb: Sendable, Equatable {
        public var usage: UInt64 = 0
        public var max: UInt64 = 0
        public var failcnt: UInt64 = 0
    }
}

// MARK: - Reading the files

extension CgroupStats {
    /// "max" in a limit file, as runc reports an unlimited memory limit.
    public static let unlimited = UInt64.max

    /// The stats of a cgroup, read from its files. A controller that is not
    /// enabled for the cgroup has no files and leaves its part at zero.
    public static func read(from cgroup: Cgroup) -> CgroupStats {
        var stats = CgroupStats()
        func text(_ file: String) -> String? { cgroup.read(file) }
        if let cpuStat = text("cpu.stat") { stats.cpu = parseCPU(cpuStat) }
        stats.memory = parseMemory(current: text("memory.current"), max: text("memory.max"),
                                   peak: text("memory.peak"), events: text("memory.events"),
                                   swapCurrent: text("memory.swap.current"), swapMax: text("memory.swap.max"),
                                   stat: text("memory.stat"))
        stats.pids = parsePids(current: text("pids.current"), max: text("pids.max"))
        if let ioStat = text("io.stat") { stats.blkio = parseIO(ioStat) }
        let files = (try? FileSystem.listDirectory(cgroup.path)) ?? []
        for file in files where file.hasPrefix("hugetlb.") && file.hasSuffix(".current") {
            let size = String(file.dropFirst("hugetlb.".count).dropLast(".current".count))
            guard !size.contains(".") else { continue }  // hugetlb.2MB.rsvd.current
            stats.hugetlb[size] = parseHugetlb(current: text(file), max: text("hugetlb.\(size).max"),
                                               events: text("hugetlb.\(size).events"))
        }
        return stats
    }

    /// cpu.stat: usage_usec, user_usec, system_usec (and with the cpu
    /// controller nr_periods, nr_throttled, throttled_usec).
    public static func parseCPU(_ text: String) -> CPU {
        let values = Cgroup.flatKeyed(text)
        var cpu = CPU()
        cpu.usage.total = (values["usage_usec"] ?? 0) &* 1000
        cpu.usage.user = (values["user_usec"] ?? 0) &* 1000
        cpu.usage.kernel = (values["system_usec"] ?? 0) &* 1000
        cpu.throttling.periods = values["nr_periods"] ?? 0
        cpu.throttling.throttledPeriods = values["nr_throttled"] ?? 0
        cpu.throttling.throttledTime = (values["throttled_usec"] ?? 0) &* 1000
        return cpu
    }

    /// A limit file's value: a number, or "max".
    static func limit(_ text: String?, unlimited: UInt64) -> UInt64 {
        guard let text else { return 0 }
        return text == "max" ? unlimited : UInt64(text) ?? 0
    }

    public static func parseMemory(current: String?, max: String?, peak: String? = nil, events: String?,
                                   swapCurrent: String?, swapMax: String?, stat: String?) -> Memory {
        var memory = Memory()
        memory.usage.usage = current.flatMap { UInt64($0) } ?? 0
        memory.usage.limit = limit(max, unlimited: unlimited)
        memory.usage.max = peak.flatMap { UInt64($0) } ?? 0
        memory.usage.failcnt = events.map { Cgroup.flatKeyed($0)["max"] ?? 0 } ?? 0
        if let swapCurrent {
            // cgroup v1 reported memory+swap; runc keeps that meaning on v2.
            memory.swap.usage = (UInt64(swapCurrent) ?? 0) &+ memory.usage.usage
            let swapLimit = limit(swapMax, unlimited: unlimited)
            memory.swap.limit = swapLimit == unlimited || memory.usage.limit == unlimited
                ? unlimited : swapLimit &+ memory.usage.limit
        }
        if let stat {
            memory.raw = Cgroup.flatKeyed(stat)
            memory.cache = memory.raw["file"] ?? 0
        }
        return memory
    }

    public static func parsePids(current: String?, max: String?) -> Pids {
        Pids(current: current.flatMap { UInt64($0) } ?? 0, limit: limit(max, unlimited: 0))
    }

    /// io.stat: one line per device, "MAJ:MIN rbytes=N wbytes=N rios=N wios=N
    /// dbytes=N dios=N".
    public static func parseIO(_ text: String) -> Blkio {
        var blkio = Blkio()
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard let device = fields.first else { continue }
            let numbers = device.split(separator: ":")
            guard numbers.count == 2, let major = UInt64(numbers[0]), let minor = UInt64(numbers[1]) else { continue }
            for field in fields.dropFirst() {
                let pair = field.split(separator: "=", maxSplits: 1)
                guard pair.count == 2, let value = UInt64(pair[1]) else { continue }
                let entry = { (op: String) in Blkio.Entry(major: major, minor: minor, op: op, value: value) }
                switch pair[0] {
                case "rbytes": blkio.ioServiceBytesRecursive.append(entry("Read"))
                case "wbytes": blkio.ioServiceBytesRecursive.append(entry("Write"))
                case "rios": blkio.ioServicedRecursive.append(entry("Read"))
                case "wios": blkio.ioServicedRecursive.append(entry("Write"))
                default: continue
                }
            }
        }
        return blkio
    }

    public static func parseHugetlb(current: String?, max: String?, events: String?) -> Hugetlb {
        Hugetlb(usage: current.flatMap { UInt64($0) } ?? 0, max: limit(max, unlimited: unlimited),
                failcnt: events.map { Cgroup.flatKeyed($0)["max"] ?? 0 } ?? 0)
    }
}

// MARK: - runc's JSON

/// Go's `omitempty`: a zero number, an empty string, list or map is left out.
private extension KeyedEncodingContainer {
    mutating func encodeNonZero(_ value: UInt64, forKey key: Key) throws {
        if value != 0 { try encode(value, forKey: key) }
    }
}

extension CgroupStats.CPU.Usage: Encodable {
    enum CodingKeys: String, CodingKey { case total, kernel, user }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeNonZero(total, forKey: .total)
        try container.encode(kernel, forKey: .kernel)
        try container.encode(user, forKey: .user)
    }
}

extension CgroupStats.CPU.Throttling: Encodable {
    enum CodingKeys: String, CodingKey { case periods, throttledPeriods, throttledTime }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeNonZero(periods, forKey: .periods)
        try container.encodeNonZero(throttledPeriods, forKey: .throttledPeriods)
        try container.encodeNonZero(throttledTime, forKey: .throttledTime)
    }
}

extension CgroupStats.Memory: Encodable {
    enum CodingKeys: String, CodingKey { case cache, usage, swap, kernel, kernelTCP, raw }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeNonZero(cache, forKey: .cache)
        try container.encode(usage, forKey: .usage)
        try container.encode(swap, forKey: .swap)
        try container.encode(kernel, forKey: .kernel)
        try container.encode(kernelTCP, forKey: .kernelTCP)
        if !raw.isEmpty { try container.encode(raw, forKey: .raw) }
    }
}

extension CgroupStats.Memory.Entry: Encodable {
    enum CodingKeys: String, CodingKey { case limit, usage, max, failcnt }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(limit, forKey: .limit)
        try container.encodeNonZero(usage, forKey: .usage)
        try container.encodeNonZero(max, forKey: .max)
        try container.encode(failcnt, forKey: .failcnt)
    }
}

extension CgroupStats.Pids: Encodable {
    enum CodingKeys: String, CodingKey { case current, limit }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeNonZero(current, forKey: .current)
        try container.encodeNonZero(limit, forKey: .limit)
    }
}

extension CgroupStats.Blkio: Encodable {
    enum CodingKeys: String, CodingKey { case ioServiceBytesRecursive, ioServicedRecursive }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        if !ioServiceBytesRecursive.isEmpty { try container.encode(ioServiceBytesRecursive, forKey: .ioServiceBytesRecursive) }
        if !ioServicedRecursive.isEmpty { try container.encode(ioServicedRecursive, forKey: .ioServicedRecursive) }
    }
}

extension CgroupStats.Blkio.Entry: Encodable {
    enum CodingKeys: String, CodingKey { case major, minor, op, value }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeNonZero(major, forKey: .major)
        try container.encodeNonZero(minor, forKey: .minor)
        if !op.isEmpty { try container.encode(op, forKey: .op) }
        try container.encodeNonZero(value, forKey: .value)
    }
}

extension CgroupStats.Hugetlb: Encodable {
    enum CodingKeys: String, CodingKey { case usage, max, failcnt }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeNonZero(usage, forKey: .usage)
        try container.encodeNonZero(max, forKey: .max)
        try container.encode(failcnt, forKey: .failcnt)
    }
}
