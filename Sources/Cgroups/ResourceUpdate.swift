import OCI

/// What `berth update` asks for: either an OCI `LinuxResources` document or
/// runc's flags, turned into `LinuxResources`, then completed from the
/// cgroup's current values where v2 needs two numbers in one file.
public enum ResourceUpdate {
    /// runc update's flags that berth takes, with the resource each sets.
    /// (runc's flag is --cpu-share; --cpu-shares is accepted too.)
    public static let flagNames = [
        "memory", "memory-swap", "memory-reservation", "cpu-share", "cpu-shares", "cpu-quota", "cpu-period",
        "cpu-burst", "cpu-idle", "cpu-rt-period", "cpu-rt-runtime", "cpuset-cpus", "cpuset-mems",
        "pids-limit", "blkio-weight",
    ]

    /// The resources the given flags (name without dashes → value) set; a
    /// flag that is absent, or whose value is runc's "unset" 0, sets nothing.
    public static func resources(fromFlags flags: [String: String]) throws(CgroupError) -> LinuxResources {
        var resources = LinuxResources()
        func value(_ name: String) -> String? { flags[name].flatMap { $0.isEmpty ? nil : $0 } }
        func integer<T: FixedWidthInteger>(_ name: String, _: T.Type) throws(CgroupError) -> T? {
            guard let text = value(name) else { return nil }
            guard let number = T(text) else {
                throw CgroupError("invalid value for --\(name): \"\(text)\" is not \(T.isSigned ? "an" : "a non-negative") integer in range")
            }
            return number == 0 ? nil : number
        }
        func bytes(_ name: String) throws(CgroupError) -> Int64? {
            guard let text = value(name) else { return nil }
            guard let number = parseBytes(text) else {
                throw CgroupError("invalid value for --\(name): \"\(text)\" is not a size (a number of bytes, -1, or e.g. 64M, 1.5g)")
            }
            return number
        }

        var memory = LinuxMemory()
        memory.limit = try bytes("memory")
        memory.swap = try bytes("memory-swap")
        memory.reservation = try bytes("memory-reservation")
        if memory != LinuxMemory() { resources.memory = memory }

        var cpu = LinuxCPU()
        cpu.shares = try integer("cpu-share", UInt64.self)
        if cpu.shares == nil { cpu.shares = try integer("cpu-shares", UInt64.self) }
        cpu.quota = try integer("cpu-quota", Int64.self)
        cpu.period = try integer("cpu-period", UInt64.self)
        cpu.burst = try integer("cpu-burst", UInt64.self)
        cpu.realtimePeriod = try integer("cpu-rt-period", UInt64.self)
        cpu.realtimeRuntime = try integer("cpu-rt-runtime", Int64.self)
        if let idle = value("cpu-idle") {
            guard let number = Int64(idle) else { throw CgroupError("invalid value for --cpu-idle: \"\(idle)\" is not 0 or 1") }
            cpu.idle = number
        }
        cpu.cpus = value("cpuset-cpus")
        cpu.mems = value("cpuset-mems")
        if cpu != LinuxCPU() { resources.cpu = cpu }

        if let limit = try integer("pids-limit", Int64.self) { resources.pids = LinuxPids(limit: limit) }
        if let weight = try integer("blkio-weight", UInt16.self) {
            var blockIO = LinuxBlockIO()
            blockIO.weight = weight
            resources.blockIO = blockIO
        }
        return resources
    }

    /// docker/go-units' RAMInBytes, as runc parses --memory: a decimal
    /// number, an optional space, then an optional k, m, g, t or p (powers
    /// of 1024, any case), optional "i" and "b". "-1" means unlimited.
    public static func parseBytes(_ text: String) -> Int64? {
        if text == "-1" { return -1 }
        var rest = Substring(text)
        let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
        rest = rest.dropFirst(number.count)
        guard let first = number.first, first.isNumber, !number.hasSuffix("."), let value = Double(number) else { return nil }
        if rest.first == " " { rest = rest.dropFirst() }
        var multiplier: Double = 1
        if let unit = rest.first, let power = ["k": 1, "m": 2, "g": 3, "t": 4, "p": 5][unit.lowercased()] {
            multiplier = (0..<power).reduce(1) { result, _ in result * 1024 }
            rest = rest.dropFirst()
        }
        if rest.first?.lowercased() == "i" { rest = rest.dropFirst() }
        if rest.first?.lowercased() == "b" { rest = rest.dropFirst() }
        let total = value * multiplier
        guard rest.isEmpty, total < 9.2e18 else { return nil }
        return Int64(total)
    }

    /// Completes an update with the container's current values where a v2
    /// file takes two numbers: a new cpu quota keeps the current period and
    /// a new period the current quota (cpu.max is "QUOTA PERIOD"), and a new
    /// memory+swap limit without a memory limit is counted against the
    /// current memory.max (memory.swap.max holds the swap alone). `current`
    /// reads one of the cgroup's files.
    public static func completing(_ update: LinuxResources, current: (String) -> String?) -> LinuxResources {
        var resources = update
        if var cpu = resources.cpu, (cpu.quota == nil) != (cpu.period == nil),
           let fields = current("cpu.max")?.split(separator: " "), fields.count == 2 {
            if cpu.quota == nil { cpu.quota = fields[0] == "max" ? -1 : Int64(fields[0]) }
            if cpu.period == nil { cpu.period = UInt64(fields[1]) }
            resources.cpu = cpu
        }
        if var memory = resources.memory, let swap = memory.swap, swap > 0, memory.limit == nil,
           let limit = current("memory.max").flatMap({ Int64($0) }) {
            memory.limit = limit
            resources.memory = memory
        }
        return resources
    }

    /// memory.checkBeforeUpdate: a new limit must stay above what the
    /// container uses now, or the kernel would reclaim or OOM-kill at once.
    public static func checkMemory(_ resources: LinuxResources, usage: UInt64?) -> String? {
        guard resources.memory?.checkBeforeUpdate == true, let limit = resources.memory?.limit, limit > 0,
              let usage, usage >= UInt64(limit) else { return nil }
        return "memory limit \(limit) is not above the current usage \(usage) (memory.checkBeforeUpdate)"
    }
}
