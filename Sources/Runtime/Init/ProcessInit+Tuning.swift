import Glibc
import LinuxSystem

/// Applying ProcessTuning: sysctl through the container's /proc, the rest
/// through the system calls made for them.
extension ProcessInit {
    /// Written after pivot_root, so /proc/sys is the container's, and before
    /// the read-only paths make it read-only.
    func applySysctl() throws(RuntimeError) {
        guard !plan.process.tuning.sysctl.isEmpty else { return }
        let root = try attempt("open /") { () throws(Errno) in try FileDescriptor.open("/", O_PATH | O_DIRECTORY) }
        defer { root.close() }
        for (path, value) in plan.process.tuning.sysctl {
            try ProcFile.write(value, to: path, in: root)
        }
    }

    /// Scheduling, I/O priority and memory policy need privileges the
    /// process may not keep, so they are set before the user changes.
    func applyScheduling() throws(RuntimeError) {
        let tuning = plan.process.tuning
        if let scheduler = tuning.scheduler {
            try attempt("set the scheduler policy") { () throws(Errno) in
                try system.setScheduler(scheduler)
            }
        }
        if let priority = tuning.ioPriority {
            try attempt("set the I/O priority") { () throws(Errno) in
                try system.setIOPriority(class: priority.ioClass, level: priority.level)
            }
        }
        if let policy = tuning.memoryPolicy {
            try attempt("set the memory policy") { () throws(Errno) in
                try system.setMemoryPolicy(mode: policy.mode, nodes: policy.nodes)
            }
        }
        if let personality = tuning.personality {
            try attempt("set the personality") { () throws(Errno) in
                try system.setPersonality(personality)
            }
        }
    }

    /// The CPUs the process starts on, set before anything else in the
    /// container: execCPUAffinity.initial, or else every CPU the container's
    /// cpuset allows — not the affinity berth itself was started with
    /// (taskset, a unit's CPUAffinity=), which the clone handed down, as
    /// runc resets it. sched_setaffinity(2) clamps a full mask to the CPUs
    /// that exist and to the cgroup's cpuset; the reset is best effort, as
    /// with runc: the process runs either way.
    func setInitialAffinity() throws(RuntimeError) {
        if let initial = plan.process.tuning.initialAffinity {
            try setAffinity(initial, "initial")
        } else {
            try? system.setCPUAffinity(Self.everyCPU)
        }
    }

    /// 8192 CPUs, the kernel's largest NR_CPUS.
    static let everyCPU = [UInt8](repeating: 0xff, count: 1024)

    func setAffinity(_ mask: [UInt8]?, _ which: String) throws(RuntimeError) {
        guard let mask else { return }
        try attempt("set the \(which) CPU affinity") { () throws(Errno) in
            try system.setCPUAffinity(mask)
        }
    }

    /// The LSM label the kernel gives the process at execve.
    func applySecurityLabels() throws(RuntimeError) {
        let tuning = plan.process.tuning
        if let profile = tuning.apparmorProfile {
            // The AppArmor-specific file first (Linux 5.8+, stacked LSMs).
            let path = FileSystem.exists("/proc/self/attr/apparmor/exec") ? "/proc/self/attr/apparmor/exec" : "/proc/self/attr/exec"
            try ProcFile.write("exec \(profile)", to: path)
        }
        if let label = tuning.selinuxLabel {
            try ProcFile.write(label, to: "/proc/self/attr/exec")
        }
    }
}
