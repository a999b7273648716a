import Foundation
import Glibc
import Testing

/// The rest of the process's settings, asserted from inside the process:
/// seccomp mode and its killing actions, the scheduler, the I/O priority,
/// the CPU affinity at exec, the NUMA memory policy, rlimits read back from
/// /proc/self/limits, and oomScoreAdj in a user namespace
/// (config.md#linux-process, config-linux.md#seccomp).
///
/// Every setting is also run without it (the control), so that a test
/// cannot pass because the value asserted is the default anyway.
@Suite(.integration, .timeLimit(.minutes(1)))
struct ProcessSettingsTests {
    /// The fields of /proc/self/stat after the command name, numbered as in
    /// proc(5): `field(19)` is nice, `field(41)` the scheduling policy.
    struct Stat {
        let fields: [String]

        init(_ line: String) throws {
            let close = try #require(line.lastIndex(of: ")"), "not a stat line: \(line)")
            fields = line[line.index(after: close)...].split(separator: " ").map(String.init)
        }

        /// Field `number` (proc(5) counts from 1; the list starts at field 3).
        func field(_ number: Int) -> String? { fields.indices.contains(number - 3) ? fields[number - 3] : nil }
    }

    /// The line of /proc/self/limits for `name` (e.g. "Max processes") as
    /// [soft, hard, units?].
    static func limit(_ name: String, in text: String) -> [String]? {
        text.split(separator: "\n").first { $0.hasPrefix(name + " ") }
            .map { $0.dropFirst(name.count).split(separator: " ").map(String.init) }
    }

    // MARK: - seccomp

    @Test(arguments: [true, false])
    func theSeccompModeIsFilterWithAProfile(profile: Bool) throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let result = try sandbox.runShell("grep '^Seccomp:' /proc/self/status") { bundle in
            if profile { bundle.linux["seccomp"] = SecurityTests.mkdirFilter(action: "SCMP_ACT_ERRNO") }
        }
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout == "Seccomp:\t\(profile ? 2 : 0)\n", "\(result)")
    }

    /// A rule that kills (the whole process, or by a SIGSYS trap with no
    /// handler) ends the process that calls mkdir with SIGSYS (31): the
    /// shell sees its child die with 159, and `exec mkdir` ends the run with
    /// 159 before the next command. nil is the control without a filter.
    @Test(arguments: [nil, "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_TRAP"] as [String?])
    func aKillingSeccompRuleEndsTheProcessWithSIGSYS(action: String?) throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        var rootfs = ""
        let result = try sandbox.runShell("mkdir /tmp/a; echo rc=$?; exec mkdir /tmp/b; echo not reached") { bundle in
            rootfs = bundle.rootfs
            try FileManager.default.createDirectory(atPath: bundle.rootfs + "/tmp", withIntermediateDirectories: true)
            if let action { bundle.linux["seccomp"] = SecurityTests.mkdirFilter(action: action) }
        }
        #expect(!result.timedOut, "\(result)")
        if action == nil {
            #expect(result.status == 0 && result.stdout == "rc=0\n", "\(result)")
            #expect(FileManager.default.fileExists(atPath: rootfs + "/tmp/b"))
        } else {
            #expect(result.status == 159 && result.stdout == "rc=159\n", "\(result)")
            #expect(!FileManager.default.fileExists(atPath: rootfs + "/tmp/a"))
            #expect(!FileManager.default.fileExists(atPath: rootfs + "/tmp/b"))
        }
    }

    // MARK: - scheduler, I/O priority, CPU affinity, memory policy

    /// SCHED_BATCH is policy 3; the nice value comes with it.
    @Test(arguments: [true, false])
    func theSchedulerPolicyAndNiceAreApplied(scheduler: Bool) throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let result = try sandbox.runShell("cat /proc/self/stat; grep '^policy' /proc/self/sched || true") { bundle in
            if scheduler { bundle.process["scheduler"] = ["policy": "SCHED_BATCH", "nice": 5] }
        }
        #expect(result.succeeded, "\(result)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        try #require(!lines.isEmpty, "\(result)")
        let stat = try Stat(lines[0])
        // The control inherits the test's own nice value through the runtime.
        let ownStat = try #require(Host.read("/proc/self/stat"))
        let ownNice = try Stat(ownStat).field(19)
        #expect(stat.field(19) == (scheduler ? "5" : ownNice), "nice: \(result)")
        #expect(stat.field(41) == (scheduler ? "3" : "0"), "policy: \(result)")
        if lines.count > 1 {  // /proc/PID/sched needs CONFIG_SCHED_DEBUG
            #expect(lines[1].split(separator: " ").last == (scheduler ? "3" : "0"), "\(result)")
        }
    }

    /// As busybox's `ionice -p` prints them; "none: prio 0" without one.
    @Test(arguments: [
        (["class": "IOPRIO_CLASS_IDLE", "priority": 0], "idle"),
        (["class": "IOPRIO_CLASS_BE", "priority": 6], "best-effort: prio 6"),
        (nil, "none: prio 0"),
    ] as [([String: any Sendable]?, String)])
    func theIOPriorityIsApplied(ioPriority: [String: any Sendable]?, expected: String) throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let result = try sandbox.runShell("ionice -p $$") { bundle in
            if let ioPriority { bundle.process["ioPriority"] = ioPriority }
        }
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout == expected + "\n", "\(result)")
    }

    @Test(arguments: [true, false])
    func theFinalExecCPUAffinityIsApplied(affinity: Bool) throws {
        let cpus = sysconf(Int32(_SC_NPROCESSORS_ONLN))
        guard cpus > 1 else { return Host.skip("the host has one CPU: an affinity of CPU 0 would change nothing") }
        let ownStatus = try #require(Host.read("/proc/self/status"))
        let ownCpus = try #require(Host.statusFields(ownStatus)["Cpus_allowed_list"])
        guard ownCpus != "0" else { return Host.skip("the test itself runs on CPU 0 only") }
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let result = try sandbox.runShell("grep '^Cpus_allowed_list' /proc/self/status") { bundle in
            if affinity { bundle.process["execCPUAffinity"] = ["final": "0"] }
        }
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout == "Cpus_allowed_list:\t\(affinity ? "0" : ownCpus)\n", "\(result)")
    }

    /// A weak check (one NUMA node is all a test machine has): the process
    /// runs bound to node 0, and its mappings show the bind policy.
    @Test(arguments: [true, false])
    func aBindMemoryPolicyIsApplied(policy: Bool) throws {
        guard FileManager.default.fileExists(atPath: "/proc/self/numa_maps") else {
            return Host.skip("no /proc/PID/numa_maps (a kernel without NUMA)")
        }
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let result = try sandbox.runShell("echo ran; grep -c bind /proc/self/numa_maps; grep '^Mems_allowed_list' /proc/self/status") { bundle in
            if policy { bundle.linux["memoryPolicy"] = ["mode": "MPOL_BIND", "nodes": "0"] }
        }
        let lines = result.stdout.split(separator: "\n").map(String.init)
        try #require(lines.count == 3, "\(result)")
        #expect(lines[0] == "ran")
        let bound = Int(lines[1]) ?? -1
        #expect(policy ? bound > 0 : bound == 0, "\(result)")
        #expect(lines[2].hasPrefix("Mems_allowed_list:\t0"), "\(result)")
    }

    // MARK: - rlimits, oomScoreAdj

    @Test func rlimitsNprocAndCoreReadBackFromProcSelfLimits() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let result = try sandbox.runShell("cat /proc/self/limits") { bundle in
            bundle.process["rlimits"] = [
                ["type": "RLIMIT_NPROC", "soft": 1111, "hard": 2222],
                ["type": "RLIMIT_CORE", "soft": 4096, "hard": 8192],
            ]
        }
        #expect(result.succeeded, "\(result)")
        #expect(Self.limit("Max processes", in: result.stdout) == ["1111", "2222", "processes"], "\(result)")
        #expect(Self.limit("Max core file size", in: result.stdout) == ["4096", "8192", "bytes"], "\(result)")
    }

    /// Lowering oom_score_adj needs CAP_SYS_RESOURCE in the host's user
    /// namespace, which root in the container's lacks: only a value written
    /// by the runtime from the host can be -100 there. Where the test itself
    /// lacks CAP_SYS_RESOURCE (a confined CI runner) no runtime can lower it,
    /// and the test falls back to raising it to 300.
    @Test func oomScoreAdjIsSetInAUserNamespace() throws {
        let ownStatus = try #require(Host.read("/proc/self/status"))
        let ownCapabilities = UInt64(Host.statusFields(ownStatus)["CapEff"] ?? "", radix: 16) ?? 0
        let canLower = ownCapabilities & (1 << 24) != 0  // CAP_SYS_RESOURCE
        let score = canLower ? -100 : 300
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        sandbox.allowMappedRoot()
        let result = try sandbox.runShell("""
            cat /proc/self/oom_score_adj /proc/self/uid_map
            echo -200 > /proc/self/oom_score_adj 2>/dev/null && echo lowered || echo refused
            """) { bundle in
            try NamespaceTests.mapRootTo100000(bundle)
            bundle.process["oomScoreAdj"] = score
        }
        #expect(result.succeeded, "\(result)")
        // Lowering is refused inside (root is mapped): -100 can only be the runtime's.
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 3 && lines[0] == "\(score)" && lines[2] == "refused", "\(result)")
        #expect(lines.count > 1 && NamespaceTests.columns(lines[1]) == ["0", "100000", "65536"], "\(result)")
    }
}
