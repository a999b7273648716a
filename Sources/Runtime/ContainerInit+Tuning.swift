import CBerth
import Glibc
import LinuxSystem

/// Applying ProcessTuning: sysctl through the container's /proc, the rest
/// through the system calls made for them.
extension ContainerInit {
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
                _ = try retryingInterrupts {
                    berth_sched_setattr(scheduler.policy, scheduler.flags, scheduler.nice, scheduler.priority,
                                        scheduler.runtime, scheduler.deadline, scheduler.period)
                }
            }
        }
        if let priority = tuning.ioPriority {
            try attempt("set the I/O priority") { () throws(Errno) in
                _ = try retryingInterrupts { berth_ioprio_set(priority.ioClass, priority.level) }
            }
        }
        if let policy = tuning.memoryPolicy {
            try attempt("set the memory policy") { () throws(Errno) in
                _ = try retryingInterrupts {
                    berth_set_mempolicy(policy.mode, policy.nodes, UInt(policy.nodes.count * UInt.bitWidth))
                }
            }
        }
        if let personality = tuning.personality {
            try attempt("set the personality") { () throws(Errno) in
                _ = try retryingInterrupts { berth_personality(personality) }
            }
        }
    }

    func setAffinity(_ mask: [UInt8]?, _ which: String) throws(RuntimeError) {
        guard let mask else { return }
        try attempt("set the \(which) CPU affinity") { () throws(Errno) in
            _ = try retryingInterrupts { berth_sched_setaffinity(mask, mask.count) }
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
