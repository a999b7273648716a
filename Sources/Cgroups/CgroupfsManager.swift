import Glibc
import LinuxSystem
import OCI

/// The cgroupfs driver: berth itself makes the cgroup's directory (and its
/// missing parents) in the v2 hierarchy, writes its files, and removes it.
/// `Cgroup` does the file work, which a systemd driver shares.
public struct CgroupfsManager: CgroupManager {
    public let cgroup: Cgroup
    /// The hierarchy the cgroup is in. A manager made from a record knows
    /// only the cgroup's path, and finds the mount when it needs it.
    let mount: CgroupMount?

    public init(path: String, mount: CgroupMount? = nil) {
        self.cgroup = Cgroup(path: path)
        self.mount = mount
    }

    /// The cgroup at `relativePath` below the root of the hierarchy at `mount`.
    public init(mount: CgroupMount, relativePath: String) {
        self.init(path: mount.path + relativePath.split(separator: "/").map { "/" + $0 }.joined(), mount: mount)
    }

    public var path: String { cgroup.path }
    public var exists: Bool { cgroup.exists }

    /// The hierarchy and the cgroup's path below its root, or nil when the
    /// cgroup is not inside a v2 hierarchy of this mount namespace.
    func placement() -> (mount: CgroupMount, relativePath: String)? {
        guard let mount = mount ?? CgroupMount.find(), path.hasPrefix(mount.path + "/") else { return nil }
        return (mount, String(path.dropFirst(mount.path.count)))
    }

    public func create(controllers: Set<String>) throws(CgroupError) -> Bool {
        guard let (mount, relativePath) = placement() else {
            throw CgroupError("create cgroup \(path): not in the cgroup v2 hierarchy")
        }
        return try Cgroup.create(relativePath, in: mount, controllers: controllers).created
    }

    public func apply(_ settings: [CgroupSetting]) throws(CgroupError) {
        try cgroup.apply(settings)
    }

    public func restrictDevices(to rules: [DeviceRule]) throws(CgroupError) {
        try DeviceFilter.attach(rules, to: cgroup)
    }

    /// `subgroup` is taken below the cgroup whatever it says: a ".." in it
    /// is dropped rather than followed out of the container's cgroup.
    public func openDirectory(subgroup: String?) throws(CgroupError) -> FileDescriptor {
        let target = subgroup.map { path + "/" + $0.split(separator: "/").filter { $0 != ".." }.joined(separator: "/") } ?? path
        return try Cgroup(path: target).openDirectory()
    }

    public func freeze() throws(CgroupError) {
        try cgroup.setFrozen(true)
    }

    public func thaw(waiting: Bool) throws(CgroupError) {
        if waiting {
            try cgroup.setFrozen(false)
        } else {
            try cgroup.write("0", to: "cgroup.freeze")
        }
    }

    public var isFrozen: Bool { cgroup.isFrozen }

    public func killAll() throws(CgroupError) {
        try cgroup.killAll()
    }

    public func processes() -> [pid_t] {
        cgroup.allProcesses()
    }

    public func contains(_ pid: pid_t) -> Bool {
        guard let (_, relativePath) = placement(), let own = Cgroup.v2Path(of: String(pid)) else { return false }
        return own == relativePath || own.hasPrefix(relativePath + "/")
    }

    public func stats() -> CgroupStats {
        CgroupStats.read(from: cgroup)
    }

    public var oomKillCount: UInt64 {
        Cgroup.flatKeyed(cgroup.read("memory.events") ?? "")["oom_kill"] ?? 0
    }

    public var eventFiles: [String] {
        ["memory.events", "cgroup.events"].map { path + "/" + $0 }.filter { FileSystem.exists($0) }
    }

    @discardableResult
    public func update(_ requested: LinuxResources) throws(CgroupUpdateError) -> [CgroupSetting] {
        let resources = ResourceUpdate.completing(requested, current: cgroup.read)
        let (settings, problems) = CgroupSettings.translate(resources)
        guard problems.isEmpty else { throw .invalidResources(problems) }
        if let refusal = ResourceUpdate.checkMemory(resources, usage: cgroup.read("memory.current").flatMap { UInt64($0) }) {
            throw .refused(refusal)
        }
        guard !settings.isEmpty else { return [] }
        guard let (mount, relativePath) = placement() else {
            throw .misplaced("its cgroup \(path) is not in the cgroup v2 hierarchy")
        }
        let controllers = Set(settings.compactMap { $0.controller })
        for controller in controllers.sorted() where !mount.controllers.contains(controller) {
            throw .unavailable("\(controller) controller not available in cgroup v2 at \(mount.path)")
        }
        do {
            // Joins the existing cgroup; only the controllers are new.
            _ = try Cgroup.create(relativePath, in: mount, controllers: controllers)
            try cgroup.apply(settings)
        } catch {
            throw .failed(error)
        }
        return settings
    }

    public func remove() throws(CgroupError) {
        try cgroup.remove()
    }

    public func removeIfEmpty() throws(CgroupError) {
        if rmdir(path) != 0 && errno != ENOENT { throw CgroupError("remove cgroup \(path)", errno: .current) }
    }
}

/// Makes `CgroupfsManager`s: berth's only driver so far.
public struct CgroupfsDriver: CgroupDriver {
    public init() {}

    public func manager(in mount: CgroupMount, at relativePath: String) -> any CgroupManager {
        CgroupfsManager(mount: mount, relativePath: relativePath)
    }

    public func manager(recordedPath: String) -> any CgroupManager {
        CgroupfsManager(path: recordedPath)
    }
}
