import Glibc
import LinuxSystem
import OCI

/// Everything the runtime's operations do with a container's cgroup, behind
/// one protocol so that the driver keeping the cgroup can change without the
/// operations changing. cgroupfs (`CgroupfsManager`) makes and removes the
/// directories itself; a systemd driver has systemd make a transient scope
/// (Delegate=yes) and then uses the same v2 files inside it. Either way the
/// cgroup ends up a directory of the v2 hierarchy: `path`, which the
/// container's record keeps.
///
/// A manager stands for one cgroup; a `CgroupDriver` makes it, from where
/// the launch plan puts the cgroup or from the path a record keeps.
public protocol CgroupManager: Sendable {
    /// The cgroup's directory, e.g. /sys/fs/cgroup/berth/c1.
    var path: String { get }
    var exists: Bool { get }

    /// Makes the cgroup and every missing parent, with `controllers`
    /// enabled on the way down. True when the cgroup is new: an existing one
    /// is joined, as runc does, and is not the caller's to remove.
    func create(controllers: Set<String>) throws(CgroupError) -> Bool
    /// Writes the limits the launch plan translated from linux.resources.
    func apply(_ settings: [CgroupSetting]) throws(CgroupError)
    /// Lets the cgroup's processes use only the devices `rules` allow. Done
    /// before the init enters the cgroup: it must never run unfiltered.
    func restrictDevices(to rules: [DeviceRule]) throws(CgroupError)
    /// A directory fd of the cgroup, or of `subgroup` below it (exec
    /// --cgroup), as clone3's CLONE_INTO_CGROUP wants: the process is born
    /// inside and never runs outside.
    func openDirectory(subgroup: String?) throws(CgroupError) -> FileDescriptor

    /// Stops every process of the cgroup and its descendants, returning once
    /// the kernel says they are stopped; a freeze that does not complete is
    /// undone, so a failed pause never leaves the container half frozen.
    func freeze() throws(CgroupError)
    /// Lets them run again; `waiting`: returns once the kernel says they
    /// run. Without waiting it is for processes just killed, which die
    /// either way and only must not stay frozen.
    func thaw(waiting: Bool) throws(CgroupError)
    var isFrozen: Bool { get }

    /// SIGKILL to every process of the cgroup and its descendants.
    func killAll() throws(CgroupError)
    /// Every pid of the cgroup and its descendants (runc's GetAllPids).
    func processes() -> [pid_t]
    /// Whether `pid` is in the cgroup or one below it, by the kernel's
    /// /proc/PID/cgroup: a record's pid is acted on only when it is.
    func contains(_ pid: pid_t) -> Bool

    /// The resource usage now, as `berth events` prints it.
    func stats() -> CgroupStats
    /// How many processes the kernel has OOM-killed in the cgroup so far.
    var oomKillCount: UInt64 { get }
    /// The files whose changes may be an event (an OOM kill, the cgroup
    /// emptied), for `events` to sleep on with inotify.
    var eventFiles: [String] { get }

    /// New limits for a live container (`berth update`): `resources` is
    /// completed from the cgroup's current values where one file takes two
    /// numbers, translated as at create, checked against the usage when
    /// memory.checkBeforeUpdate asks, and written, enabling controllers the
    /// cgroup did not need before. Returns what it wrote, for the log.
    @discardableResult
    func update(_ resources: LinuxResources) throws(CgroupUpdateError) -> [CgroupSetting]
    /// Kills whatever is left, waits until the cgroup is empty, and removes it.
    func remove() throws(CgroupError)
    /// Removes the cgroup only if no process or child cgroup is in it (the
    /// kernel refuses otherwise: EBUSY/ENOTEMPTY); a gone one is fine.
    func removeIfEmpty() throws(CgroupError)
}

extension CgroupManager {
    public func openDirectory() throws(CgroupError) -> FileDescriptor {
        try openDirectory(subgroup: nil)
    }

    public func thaw() throws(CgroupError) {
        try thaw(waiting: true)
    }
}

/// Why `update` wrote nothing, or stopped half-way: each case is a different
/// fault (the request's, the container's state, the host's), which the
/// runtime reports with a different code.
public enum CgroupUpdateError: Error, Sendable {
    /// The resources do not translate; every problem names its JSON path.
    case invalidResources([ConfigProblem])
    /// The cgroup's state refuses it (memory.checkBeforeUpdate).
    case refused(String)
    /// The update needs a controller the hierarchy does not have.
    case unavailable(String)
    /// The cgroup is not where the driver can write it.
    case misplaced(String)
    /// Writing failed.
    case failed(CgroupError)
}

/// Makes the manager of each container's cgroup. The runtime holds one
/// driver, chosen once from the global options: a systemd driver
/// (`--systemd-cgroup`, refused until it exists) plugs in here, beside
/// `CgroupfsDriver`.
public protocol CgroupDriver: Sendable {
    /// The manager of the cgroup a container is about to get, at
    /// `relativePath` below the root of the hierarchy at `mount`.
    func manager(in mount: CgroupMount, at relativePath: String) -> any CgroupManager
    /// The manager of a container's cgroup, from the path its record keeps.
    func manager(recordedPath: String) -> any CgroupManager
}
