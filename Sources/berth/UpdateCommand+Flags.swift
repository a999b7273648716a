import OCI
import Runtime

/// runc update's resource flags turned into `LinuxResources`: the same
/// request as a `--resources` document, which the runtime then completes
/// from the cgroup's current values.
extension UpdateCommand {
    /// runc update's flags that berth takes, with the resource each sets.
    /// (runc's flag is --cpu-share; --cpu-shares is accepted too.)
    static let resourceFlagNames = [
        "memory", "memory-swap", "memory-reservation", "cpu-share", "cpu-shares", "cpu-quota", "cpu-period",
        "cpu-burst", "cpu-idle", "cpu-rt-period", "cpu-rt-runtime", "cpuset-cpus", "cpuset-mems",
        "pids-limit", "blkio-weight",
    ]

    /// The resources the given flags (name without dashes → value) set; a
    /// flag that is absent, or whose value is runc's "unset" 0, sets nothing.
    static func resources(fromFlags flags: [String: String]) throws(RuntimeError) -> LinuxResources {
        var resources = LinuxResources()
        func value(_ name: String) -> String? { flags[name].flatMap { $0.isEmpty ? nil : $0 } }
        func integer<T: FixedWidthInteger>(_ name: String, _: T.Type) throws(RuntimeError) -> T? {
            guard let text = value(name) else { return nil }
            guard let number = T(text) else {
                throw RuntimeError(.invalidArgument, "update: invalid value for --\(name): \"\(text)\" is not \(T.isSigned ? "an" : "a non-negative") integer in range")
            }
            return number == 0 ? nil : number
        }
        func bytes(_ name: String) throws(RuntimeError) -> Int64? {
            guard let text = value(name) else { return nil }
            guard let number = parseBytes(text) else {
                throw RuntimeError(.invalidArgument, "update: invalid value for --\(name): \"\(text)\" is not a size (a number of bytes, -1, or e.g. 64M, 1.5g)")
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
            guard let number = Int64(idle) else { throw RuntimeError(.invalidArgument, "update: invalid value for --cpu-idle: \"\(idle)\" is not 0 or 1") }
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
    static func parseBytes(_ text: String) -> Int64? {
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
}
