import LinuxSystem

/// Where the cgroup v2 hierarchy is mounted on this host. berth manages
/// cgroups through v2 only: `/sys/fs/cgroup` on a pure v2 host, or the
/// `unified` mount of a hybrid host, where only the controllers attached
/// there can be used.
public struct CgroupMount: Equatable, Sendable {
    public let path: String
    /// Controllers available at the root of the hierarchy (cgroup.controllers).
    public let controllers: [String]

    public init(path: String, controllers: [String]) {
        self.path = path
        self.controllers = controllers
    }

    /// The cgroup2 mount of the calling process's mount namespace, or nil
    /// when the host has none.
    public static func find() -> CgroupMount? {
        guard let path = cgroup2MountPoint(mountinfo: MountTable.current()), isCgroup2(path) else { return nil }
        let text = FileSystem.readText(path + "/cgroup.controllers") ?? ""
        let controllers = text.trimmingWhitespace().split(separator: " ").map(String.init)
        return CgroupMount(path: path, controllers: controllers)
    }

    /// Whether `path` is a cgroup2 file system now: mountinfo still lists a
    /// mount that something else was mounted over (a tmpfs hiding it).
    static func isCgroup2(_ path: String) -> Bool {
        FileSystem.fileSystemType(of: path) == 0x6367_7270  // CGROUP2_SUPER_MAGIC
    }

    /// The mount point of the first cgroup2 file system in a mountinfo text,
    /// preferring `/sys/fs/cgroup` itself when several are mounted.
    public static func cgroup2MountPoint(mountinfo: String) -> String? {
        let found = MountTable.mountPoints(ofType: "cgroup2", in: mountinfo)
        return found.first(where: { $0 == "/sys/fs/cgroup" }) ?? found.first
    }
}
