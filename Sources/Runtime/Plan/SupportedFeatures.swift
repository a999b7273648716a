import LinuxSystem
import OCI

/// What this berth implements. The one list both `berth features` prints and
/// the launch plan checks a config against, so the two cannot drift apart:
/// a config that asks for something not listed here is refused at create
/// with an error naming the field, never silently ignored.
public enum SupportedFeatures {
    /// New or joined by path.
    public static var namespaces: [String] { NamespaceKind.sortedNames }
    public static let hooks = ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"]
    public static var mountOptions: [String] { MountOptions.known }
    public static var capabilities: [String] { Capability.all.map(\.name) }
}

extension Runtime {
    /// The features document (features.md).
    public static func features() -> Features {
        Features(
            ociVersionMin: BerthVersion.minimumOCIVersion,
            ociVersionMax: BerthVersion.ociVersion,
            hooks: SupportedFeatures.hooks,
            mountOptions: SupportedFeatures.mountOptions,
            linux: LinuxFeatures(
                namespaces: SupportedFeatures.namespaces,
                capabilities: SupportedFeatures.capabilities,
                // cgroup v2 only: limits as files, devices as an eBPF filter.
                cgroup: .init(v1: false, v2: true, systemd: false, systemdUser: false, rdma: true),
                seccomp: .init(
                    enabled: true,
                    actions: SeccompActionName.sortedNames,
                    operators: SeccompOperatorName.sortedNames,
                    archs: SeccompArchitecture.sortedNames.filter { Seccomp.architectureToken($0) != nil },
                    knownFlags: SeccompFlagName.sortedNames,
                    supportedFlags: SeccompFlagName.sortedNames),
                // Supported by berth; a profile or label is refused at create
                // when the host has the module disabled.
                apparmor: .init(enabled: true),
                selinux: .init(enabled: true),
                intelRdt: .init(enabled: true, schemata: true, monitoring: true),
                memoryPolicy: .init(modes: MemoryPolicyMode.sortedNames, flags: MemoryPolicyFlag.sortedNames),
                mountExtensions: .init(idmap: .init(enabled: true)),
                netDevices: .init(enabled: true)),
            annotations: [
                "org.opencontainers.berth.version": BerthVersion.version,
                "org.opencontainers.berth.commit": BerthVersion.commit,
                "io.github.seccomp.libseccomp.version": BerthVersion.libseccomp,
            ],
            potentiallyUnsafeConfigAnnotations: [])
    }
}
