// What the runtime implements (features.md, features-linux.md), printed by
// the `features` command. Every list holds the names the runtime recognises,
// whether or not the host supports them.

public struct Features: Codable, Sendable, Equatable {
    public var ociVersionMin: String
    public var ociVersionMax: String
    public var hooks: [String]?
    public var mountOptions: [String]?
    public var linux: LinuxFeatures?
    public var annotations: [String: String]?
    /// Annotation keys (or prefixes ending in `.`) that can change the
    /// runtime's behaviour in ways a manager might not expect.
    public var potentiallyUnsafeConfigAnnotations: [String]?

    public init(
        ociVersionMin: String, ociVersionMax: String, hooks: [String]? = nil,
        mountOptions: [String]? = nil, linux: LinuxFeatures? = nil,
        annotations: [String: String]? = nil, potentiallyUnsafeConfigAnnotations: [String]? = nil
    ) {
        self.ociVersionMin = ociVersionMin
        self.ociVersionMax = ociVersionMax
        self.hooks = hooks
        self.mountOptions = mountOptions
        self.linux = linux
        self.annotations = annotations
        self.potentiallyUnsafeConfigAnnotations = potentiallyUnsafeConfigAnnotations
    }
}

public struct LinuxFeatures: Codable, Sendable, Equatable {
    public var namespaces: [String]?
    public var capabilities: [String]?
    public var cgroup: Cgroup?
    public var seccomp: Seccomp?
    public var apparmor: Toggle?
    public var selinux: Toggle?
    public var intelRdt: IntelRdt?
    public var memoryPolicy: MemoryPolicy?
    public var mountExtensions: MountExtensions?
    public var netDevices: Toggle?

    public init(
        namespaces: [String]? = nil, capabilities: [String]? = nil, cgroup: Cgroup? = nil,
        seccomp: Seccomp? = nil, apparmor: Toggle? = nil, selinux: Toggle? = nil,
        intelRdt: IntelRdt? = nil, memoryPolicy: MemoryPolicy? = nil,
        mountExtensions: MountExtensions? = nil, netDevices: Toggle? = nil
    ) {
        self.namespaces = namespaces
        self.capabilities = capabilities
        self.cgroup = cgroup
        self.seccomp = seccomp
        self.apparmor = apparmor
        self.selinux = selinux
        self.intelRdt = intelRdt
        self.memoryPolicy = memoryPolicy
        self.mountExtensions = mountExtensions
        self.netDevices = netDevices
    }

    /// A feature that is only on or off (`{"enabled": true}`).
    public struct Toggle: Codable, Sendable, Equatable {
        public var enabled: Bool?

        public init(enabled: Bool? = nil) {
            self.enabled = enabled
        }
    }

    public struct Cgroup: Codable, Sendable, Equatable {
        public var v1: Bool?
        public var v2: Bool?
        public var systemd: Bool?
        public var systemdUser: Bool?
        public var rdma: Bool?

        public init(
            v1: Bool? = nil, v2: Bool? = nil, systemd: Bool? = nil, systemdUser: Bool? = nil,
            rdma: Bool? = nil
        ) {
            self.v1 = v1
            self.v2 = v2
            self.systemd = systemd
            self.systemdUser = systemdUser
            self.rdma = rdma
        }
    }

    public struct Seccomp: Codable, Sendable, Equatable {
        public var enabled: Bool?
        public var actions: [String]?
        public var operators: [String]?
        public var archs: [String]?
        public var knownFlags: [String]?
        public var supportedFlags: [String]?

        public init(
            enabled: Bool? = nil, actions: [String]? = nil, operators: [String]? = nil,
            archs: [String]? = nil, knownFlags: [String]? = nil, supportedFlags: [String]? = nil
        ) {
            self.enabled = enabled
            self.actions = actions
            self.operators = operators
            self.archs = archs
            self.knownFlags = knownFlags
            self.supportedFlags = supportedFlags
        }
    }

    public struct IntelRdt: Codable, Sendable, Equatable {
        public var enabled: Bool?
        /// Whether `linux.intelRdt.schemata` is supported.
        public var schemata: Bool?
        /// Whether `linux.intelRdt.enableMonitoring` is supported.
        public var monitoring: Bool?

        public init(enabled: Bool? = nil, schemata: Bool? = nil, monitoring: Bool? = nil) {
            self.enabled = enabled
            self.schemata = schemata
            self.monitoring = monitoring
        }
    }

    public struct MemoryPolicy: Codable, Sendable, Equatable {
        public var modes: [String]?
        public var flags: [String]?

        public init(modes: [String]? = nil, flags: [String]? = nil) {
            self.modes = modes
            self.flags = flags
        }
    }

    public struct MountExtensions: Codable, Sendable, Equatable {
        public var idmap: Toggle?

        public init(idmap: Toggle? = nil) {
            self.idmap = idmap
        }
    }
}
