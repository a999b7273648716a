import Glibc
import LinuxSystem
import OCI

extension ProcessPlan {
    /// The plan of a process exec'd into a running container: it joins
    /// every namespace of the container's init that berth is not already
    /// in, with the process's own settings and the container's seccomp
    /// filter.
    static func forExec(record: ContainerRecord, spec: Spec, process: Process, options: ExecOptions,
                        seccompCache: SeccompCache? = nil) throws(RuntimeError) -> ProcessPlan {
        var problems: [ConfigProblem] = []
        var processSpec = spec
        processSpec.process = process
        // Kernel-wide settings were made when the container was created.
        processSpec.linux?.sysctl = nil
        let namespaces = NamespaceKind.joinOrder.filter { kind in
            let theirs = Runtime.namespaceIdentity(of: record.pid, kind.procName)
            return theirs != nil && theirs != Runtime.namespaceIdentity(of: getpid(), kind.procName)
        }
        let host = HostFacts.current()
        let tuning = LaunchPlan.planTuning(processSpec, namespaces: Set(namespaces), host: host, problems: &problems)
        var warnings: [String] = []
        let planned = LaunchPlan.planProcess(process, tuning: tuning, consoleSocket: options.consoleSocket,
                                             relaysTerminal: options.tty && options.consoleSocket == nil && !options.detach,
                                             host: host, problems: &problems, warnings: &warnings)
        let linux = spec.linux ?? Linux()
        let seccomp = LaunchPlan.planSeccomp(linux, cache: seccompCache, problems: &problems)
        if !problems.isEmpty {
            throw RuntimeError(.invalidConfig, "exec into \(record.id): \(problems.count) setting(s) cannot be applied",
                               details: problems.map(\.description))
        }
        return ProcessPlan(
            id: record.id, bundle: record.bundle, ociVersion: record.ociVersion, annotations: record.annotations,
            joinedNamespaces: namespaces.map { ($0, "/proc/\(record.pid)/ns/\($0.procName)") },
            process: planned, seccomp: seccomp,
            seccompListener: linux.seccomp?.listenerPath.map { SeccompListener(path: $0, metadata: linux.seccomp?.listenerMetadata) },
            consoleSocket: options.consoleSocket, preserveFds: options.preserveFds, warnings: warnings,
            rootOfInit: namespaces.contains(.mount) ? nil : "/proc/\(record.pid)/root")
    }
}
