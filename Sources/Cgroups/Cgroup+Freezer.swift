import Glibc
import LinuxSystem

/// The cgroup v2 freezer (cgroup.freeze, cgroup.events), cgroup.kill, and
/// the processes of a whole subtree: what pause, resume, kill --all and ps
/// need from a container's cgroup.
extension Cgroup {
    /// The `key value` lines of a flat-keyed file such as cgroup.events or
    /// memory.events ("populated 1\nfrozen 0\n").
    public static func flatKeyed(_ text: String) -> [String: UInt64] {
        var values: [String: UInt64] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 2, let value = UInt64(fields[1]) { values[String(fields[0])] = value }
        }
        return values
    }

    /// True when cgroup.events says `frozen 1`: every process of the cgroup
    /// and its descendants is stopped. (cgroup.freeze says what was asked;
    /// only cgroup.events says it happened.)
    public var isFrozen: Bool {
        Self.flatKeyed(read("cgroup.events") ?? "")["frozen"] == 1
    }

    /// True while a process is in the cgroup or a descendant.
    public var isPopulated: Bool {
        Self.flatKeyed(read("cgroup.events") ?? "")["populated"] == 1
    }

    /// Freezes (`true`) or thaws the cgroup and waits until cgroup.events
    /// says so. A freeze that does not complete by the deadline is undone, so
    /// a failed pause never leaves the container half frozen.
    public func setFrozen(_ frozen: Bool, timeoutSeconds: UInt64 = 10) throws(CgroupError) {
        guard FileSystem.exists(path + "/cgroup.freeze") else {
            throw CgroupError("\(frozen ? "freeze" : "thaw") \(path): no cgroup.freeze (the freezer needs Linux 5.2)")
        }
        try write(frozen ? "1" : "0", to: "cgroup.freeze")
        guard Polling.until(seconds: timeoutSeconds, first: 200, longest: 20_000, { isFrozen == frozen }) else {
            if frozen { try? write("0", to: "cgroup.freeze") }
            throw CgroupError("\(frozen ? "freeze" : "thaw") \(path): cgroup.events does not say frozen \(frozen ? 1 : 0) after \(timeoutSeconds)s")
        }
    }

    /// The cgroup and every descendant, parents first.
    public func subtree() -> [Cgroup] {
        var result = [self]
        var index = 0
        while index < result.count {
            let directory = result[index].path
            index += 1
            for name in ((try? FileSystem.listDirectory(directory)) ?? []).sorted()
            where FileSystem.isDirectory(directory + "/" + name) {
                result.append(Cgroup(path: directory + "/" + name))
            }
        }
        return result
    }

    /// Every pid in cgroup.procs of the cgroup and its descendants (what runc
    /// calls GetAllPids), without duplicates, in the order found.
    public func allProcesses() -> [pid_t] {
        var seen = Set<pid_t>()
        return subtree().flatMap { $0.processes() }.filter { seen.insert($0).inserted }
    }

    /// SIGKILL to every process of the subtree at once with cgroup.kill
    /// (Linux 5.14), or one by one where the kernel lacks it.
    public func killAll() throws(CgroupError) {
        if FileSystem.exists(path + "/cgroup.kill") {
            try write("1", to: "cgroup.kill")
        } else {
            for pid in allProcesses() { kill(pid, SIGKILL) }
        }
    }
}
