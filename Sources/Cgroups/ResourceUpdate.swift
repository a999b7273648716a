import OCI

/// What `berth update` asks for, as `LinuxResources` (from a document or
/// runc's flags, which the CLI parses), completed from the cgroup's current
/// values where v2 needs two numbers in one file, and checked against the
/// usage.
public enum ResourceUpdate {
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
