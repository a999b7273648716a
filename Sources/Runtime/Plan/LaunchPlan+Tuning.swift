import Glibc
import LinuxSystem
import OCI

/// Kernel settings of the process that are not about files: sysctl,
/// personality, scheduling, I/O priority, CPU affinity, memory policy and
/// LSM labels, each parsed into what its system call takes.
public struct ProcessTuning: Sendable {
    /// /proc/sys paths and values, written once /proc is the container's.
    public var sysctl: [(path: String, value: String)] = []
    public var personality: UInt?
    public var scheduler: SchedulerAttributes?
    public var ioPriority: (ioClass: Int32, level: Int32)?
    public var initialAffinity: [UInt8]?
    public var finalAffinity: [UInt8]?
    public var memoryPolicy: (mode: Int32, nodes: [UInt])?
    public var apparmorProfile: String?
    public var selinuxLabel: String?
    public var intelRdt: PlannedIntelRdt?
    /// Where resctrl is mounted, when intelRdt is asked for.
    public var resctrlRoot: String?
}

extension LaunchPlan {
    static func planTuning(_ spec: Spec, namespaces: Set<NamespaceKind>, host: HostFacts,
                           problems: inout [ConfigProblem]) -> ProcessTuning {
        var tuning = ProcessTuning()
        let linux = spec.linux ?? Linux()
        let process = spec.process
        func problem(_ path: String, _ message: String) { problems.append(ConfigProblem(path: path, message: message)) }

        for (key, value) in (linux.sysctl ?? [:]).sorted(by: { $0.key < $1.key }) {
            let path = "linux.sysctl[\"\(key)\"]"
            guard let namespace = Self.namespaceOfSysctl(key) else {
                problem(path, "not a namespaced sysctl: it would change the host")
                continue
            }
            guard namespaces.contains(namespace) else {
                problem(path, "needs a \(namespace.rawValue) namespace of the container's own")
                continue
            }
            let relative = key.contains("/") ? key : String(key.map { $0 == "." ? "/" : $0 })
            guard !relative.split(separator: "/").contains("..") else { problem(path, "\"..\" is not allowed"); continue }
            tuning.sysctl.append(("/proc/sys/" + relative, value))
        }

        if let personality = linux.personality {
            if let domain = PersonalityDomain(rawValue: personality.domain) {
                tuning.personality = domain.kernelValue
            } else {
                problem("linux.personality.domain", "unknown domain \"\(personality.domain)\"")
            }
            if !(personality.flags ?? []).isEmpty {
                problem("linux.personality.flags", "no personality flags are defined")
            }
        }

        if let scheduler = process?.scheduler {
            tuning.scheduler = planScheduler(scheduler, problem: problem)
        }
        if let priority = process?.ioPriority {
            if let ioClass = IOPriorityClass(rawValue: priority.class) {
                tuning.ioPriority = (ioClass.kernelValue, priority.priority ?? 0)
            } else {
                problem("process.ioPriority.class", "unknown class \"\(priority.class)\"")
            }
        }
        if let affinity = process?.execCPUAffinity {
            tuning.initialAffinity = affinity.initial.flatMap {
                parseBitList($0, path: "process.execCPUAffinity.initial", problem: problem).map(bytes(of:))
            }
            tuning.finalAffinity = affinity.final.flatMap {
                parseBitList($0, path: "process.execCPUAffinity.final", problem: problem).map(bytes(of:))
            }
        }
        if let policy = linux.memoryPolicy {
            tuning.memoryPolicy = planMemoryPolicy(policy, problem: problem)
        }

        if let profile = process?.apparmorProfile, !profile.isEmpty {
            if host.appArmorEnabled() {
                tuning.apparmorProfile = profile
            } else {
                problem("process.apparmorProfile", "AppArmor is not enabled on this host")
            }
        }
        if let label = process?.selinuxLabel, !label.isEmpty {
            if host.seLinuxEnabled() {
                tuning.selinuxLabel = label
            } else {
                problem("process.selinuxLabel", "SELinux is not enabled on this host")
            }
        }
        if let label = linux.mountLabel, !label.isEmpty, !host.seLinuxEnabled() {
            problem("linux.mountLabel", "SELinux is not enabled on this host")
        }
        if let rdt = linux.intelRdt {
            tuning.intelRdt = IntelRdt.plan(rdt, problems: &problems)
            tuning.resctrlRoot = host.resctrlRoot()
            if tuning.resctrlRoot == nil {
                problem("linux.intelRdt", "no resctrl file system is mounted on this host")
            }
        }
        return tuning
    }

    /// Which namespace makes a sysctl the container's own (runc's list).
    static func namespaceOfSysctl(_ key: String) -> NamespaceKind? {
        let dotted = String(key.map { $0 == "/" ? "." : $0 })
        let ipc: Set<String> = ["kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall",
                                "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"]
        if ipc.contains(dotted) || dotted.hasPrefix("fs.mqueue.") { return .ipc }
        if dotted == "kernel.hostname" || dotted == "kernel.domainname" { return .uts }
        if dotted.hasPrefix("net.") { return .network }
        return nil
    }

    static func planScheduler(_ scheduler: LinuxScheduler,
                              problem: (String, String) -> Void) -> SchedulerAttributes? {
        guard let policy = SchedulerPolicy(rawValue: scheduler.policy)?.kernelValue else {
            problem("process.scheduler.policy", "unknown policy \"\(scheduler.policy)\"")
            return nil
        }
        var flags: UInt64 = 0
        for (index, name) in (scheduler.flags ?? []).enumerated() {
            guard let bit = SchedulerFlag(rawValue: name)?.kernelValue else {
                problem("process.scheduler.flags[\(index)]", "unknown flag \"\(name)\"")
                continue
            }
            flags |= bit
        }
        return SchedulerAttributes(policy: policy, flags: flags, nice: scheduler.nice ?? 0,
                                   priority: UInt32(max(0, scheduler.priority ?? 0)),
                                   runtime: scheduler.runtime ?? 0, deadline: scheduler.deadline ?? 0,
                                   period: scheduler.period ?? 0)
    }

    static func planMemoryPolicy(_ policy: LinuxMemoryPolicy,
                                 problem: (String, String) -> Void) -> (mode: Int32, nodes: [UInt])? {
        guard var mode = MemoryPolicyMode(rawValue: policy.mode)?.kernelValue else {
            problem("linux.memoryPolicy.mode", "unknown mode \"\(policy.mode)\"")
            return nil
        }
        for (index, name) in (policy.flags ?? []).enumerated() {
            guard let bit = MemoryPolicyFlag(rawValue: name)?.kernelValue else {
                problem("linux.memoryPolicy.flags[\(index)]", "unknown flag \"\(name)\"")
                continue
            }
            mode |= bit
        }
        let nodes = policy.nodes.flatMap { parseBitList($0, path: "linux.memoryPolicy.nodes", problem: problem) } ?? []
        var words = [UInt](repeating: 0, count: max(1, (nodes.max() ?? 0) / UInt.bitWidth + 1))
        for node in nodes { words[node / UInt.bitWidth] |= 1 << UInt(node % UInt.bitWidth) }
        return (mode, words)
    }

    /// "0-3,7" → [0, 1, 2, 3, 7], the kernel's list format for CPUs and nodes.
    static func parseBitList(_ text: String, path: String, problem: (String, String) -> Void) -> [Int]? {
        // 8192: the kernel's largest CPU count (NR_CPUS), and a bound on
        // the mask berth builds.
        guard let ranges = BitList.parse(text, below: 8192) else {
            problem(path, "\"\(text)\" is not a list such as \"0-3,7\"")
            return nil
        }
        return ranges.flatMap { Array($0) }
    }

    static func bytes(of bits: [Int]) -> [UInt8] {
        var mask = [UInt8](repeating: 0, count: max(8, (bits.max() ?? 0) / 8 + 1))
        for bit in bits { mask[bit / 8] |= 1 << UInt8(bit % 8) }
        return mask
    }
}

/// Which Linux security modules the host has enabled.
enum LinuxSecurityModules {
    static var appArmorEnabled: Bool {
        guard let bytes = try? FileSystem.readFile("/sys/module/apparmor/parameters/enabled") else { return false }
        return bytes.first == UInt8(ascii: "Y")
    }

    static var seLinuxEnabled: Bool {
        FileSystem.exists("/sys/fs/selinux/enforce")
    }
}
