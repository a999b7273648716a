import LinuxSystem
import OCI

/// What every process berth starts in a container needs, whether it is the
/// init of `create` or a process of `exec`: the container it belongs to,
/// the namespaces it joins, the process's settings and its seccomp filter.
/// `LaunchPlan` adds the container's own making (rootfs, mounts, devices,
/// new namespaces, cgroup, hooks); `exec` has only this.
public struct ProcessPlan: Sendable {
    public var id: String
    public var bundle: String
    public var ociVersion: String
    public var annotations: [String: String]?
    /// Existing namespaces joined, in `NamespaceKind.joinOrder`.
    public var joinedNamespaces: [(kind: NamespaceKind, path: String)]
    public var process: PlannedProcess
    /// The compiled filter, loaded just before execve.
    public var seccomp: SeccompProgram?
    /// Where the notify listener fd goes (linux.seccomp.listenerPath).
    public var seccompListener: SeccompListener?
    /// Where the pty master goes (--console-socket).
    public var consoleSocket: String?
    /// Descriptors 3 to 3+N-1 reach the process (--preserve-fds).
    public var preserveFds: Int
    /// What berth leaves out and says so (config.md asks for warnings).
    public var warnings: [String]
    /// For an exec into a container that shares berth's mount namespace:
    /// the init's root (/proc/PID/root), which no setns would give.
    public var rootOfInit: String? = nil
}

extension ProcessPlan: ContainerIdentity {}

extension LaunchPlan {
    /// The part of the plan that the init shares with an exec'd process.
    var processPlan: ProcessPlan {
        ProcessPlan(id: id, bundle: bundle, ociVersion: ociVersion, annotations: annotations,
                    joinedNamespaces: joinedNamespaces, process: process, seccomp: seccomp,
                    seccompListener: seccompListener, consoleSocket: options.consoleSocket,
                    preserveFds: options.preserveFds, warnings: warnings)
    }
}
