import Glibc
import LinuxSystem
import OCI

extension LaunchPlan {
    /// The plan of a process exec'd into a running container: no new
    /// namespaces, no mounts or devices — it joins every namespace of the
    /// container's init that berth is not already in — and the process's own
    /// settings, with the container's seccomp filter.
    static func forExec(record: ContainerRecord, spec: Spec, process: Process,
                        options: ExecOptions) throws(RuntimeError) -> LaunchPlan {
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
        let tuning = planTuning(processSpec, namespaces: Set(namespaces), host: host, problems: &problems)
        var warnings: [String] = []
        let planned = planProcess(process, tuning: tuning, consoleSocket: options.consoleSocket,
                                  relaysTerminal: options.tty && options.consoleSocket == nil && !options.detach,
                                  host: host, problems: &problems, warnings: &warnings)
        let linux = spec.linux ?? Linux()
        let seccomp = planSeccomp(linux, problems: &problems)
        if !problems.isEmpty {
            throw RuntimeError(.invalidConfig, "exec into \(record.id): \(problems.count) setting(s) cannot be applied",
                               details: problems.map(\.description))
        }
        return LaunchPlan(
            id: record.id, bundle: record.bundle, rootfs: "/", rootReadonly: false, ociVersion: record.ociVersion,
            annotations: record.annotations, newNamespaces: [],
            joinedNamespaces: namespaces.map { ($0, "/proc/\(record.pid)/ns/\($0.procName)") },
            timeOffsets: [:], uidMappings: [], gidMappings: [], hostname: nil, domainname: nil,
            rootPropagation: [], mounts: [], devices: [], maskedPaths: [], readonlyPaths: [],
            process: planned, seccomp: seccomp,
            seccompListener: linux.seccomp?.listenerPath.map { SeccompListener(path: $0, metadata: linux.seccomp?.listenerMetadata) },
            networkDevices: [], cgroup: nil, hooks: Hooks(),
            options: CreateOptions(bundle: record.bundle, pidFile: options.pidFile, consoleSocket: options.consoleSocket,
                                   preserveFds: options.preserveFds, noNewKeyring: true),
            warnings: warnings)
    }
}
