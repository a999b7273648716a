import LinuxSystem
import OCI

/// What berth keeps about one container in `<root>/<id>/state.json`: the
/// spec's state plus what later commands need (the init's start time to
/// detect pid reuse, the cgroup, the rootfs).
public struct ContainerRecord: Codable, Sendable, Equatable {
    public var ociVersion: String
    public var id: String
    /// The init's host pid; 0 until the init is cloned.
    public var pid: Int32
    /// Clock ticks since boot at which `pid` started (/proc/PID/stat field 22).
    public var initStartTime: UInt64
    /// The bundle as given, made absolute.
    public var bundle: String
    public var rootfs: String
    /// RFC 3339 creation time.
    public var created: String
    public var owner: String
    public var annotations: [String: String]?
    /// Absolute path of the container's cgroup, when it has one.
    public var cgroupPath: String?
    /// True when the cgroup existed before the container (a cgroupsPath
    /// naming a shared cgroup): berth then kills only the container's own
    /// processes in it and never removes it.
    public var joinedCgroup: Bool?
    /// True from before create's first change to the host until the init is
    /// ready: a record still creating when its lock is free is a create
    /// that died half-way, for `delete` to undo.
    public var creating: Bool?
    /// The hooks of `start` and `delete` (startContainer, which `start`
    /// waits for, poststart, poststop), kept from create: later changes to
    /// config.json must not affect the container (runtime.md, create).
    public var hooks: Hooks?
    /// What berth made in resctrl for the container.
    public var intelRdt: IntelRdtPlacement?
    /// Only for a container that shares berth's mount namespace: the ids of
    /// the mounts that were below the rootfs before create. Every other
    /// mount below it is the container's, and `delete` unmounts it.
    public var mountsBeforeCreate: [UInt64]?

    public init(ociVersion: String, id: String, pid: Int32, initStartTime: UInt64, bundle: String,
                rootfs: String, created: String, owner: String,
                annotations: [String: String]? = nil, cgroupPath: String? = nil, joinedCgroup: Bool? = nil,
                hooks: Hooks? = nil, intelRdt: IntelRdtPlacement? = nil, creating: Bool? = nil,
                mountsBeforeCreate: [UInt64]? = nil) {
        self.ociVersion = ociVersion
        self.id = id
        self.pid = pid
        self.initStartTime = initStartTime
        self.bundle = bundle
        self.rootfs = rootfs
        self.created = created
        self.owner = owner
        self.annotations = annotations
        self.cgroupPath = cgroupPath
        self.joinedCgroup = joinedCgroup
        self.creating = creating
        self.hooks = hooks
        self.intelRdt = intelRdt
        self.mountsBeforeCreate = mountsBeforeCreate
    }
}
