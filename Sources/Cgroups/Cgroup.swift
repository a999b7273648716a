import Glibc
import LinuxSystem
import OCI

/// What went wrong with a cgroup: the step, the cause, and for config
/// faults the JSON paths.
public struct CgroupError: Error, Sendable {
    public let message: String
    public let errno: Errno?

    public init(_ message: String, errno: Errno? = nil) {
        self.message = message
        self.errno = errno
    }
}

/// A cgroup of the v2 hierarchy: its directory and its files. The drivers'
/// managers (`CgroupfsManager`) do their work through it, since whoever
/// makes the directory, the files inside are the same.
public struct Cgroup: Sendable, Equatable {
    /// The cgroup's directory, e.g. /sys/fs/cgroup/berth/c1.
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// Where a container's cgroup goes (documented in berth-create(8)):
    /// an absolute cgroupsPath is taken from the hierarchy's root; a relative
    /// one is placed under the caller's own cgroup; none means /berth/<id>.
    /// The systemd form `slice:prefix:name` needs a systemd driver berth
    /// does not have.
    public static func relativePath(cgroupsPath: String?, id: String,
                                    callerCgroup: () -> String) -> Result<String, ConfigProblem> {
        let requested = cgroupsPath ?? ""
        if requested.isEmpty { return .success("/berth/" + id) }
        if requested.split(separator: ":", omittingEmptySubsequences: false).count == 3 && !requested.hasPrefix("/") {
            return .failure(ConfigProblem(path: "linux.cgroupsPath",
                message: "\"\(requested)\" is systemd's slice:prefix:name form; berth has no systemd cgroup driver"))
        }
        let components = requested.split(separator: "/")
        if components.contains("..") || components.contains(".") {
            return .failure(ConfigProblem(path: "linux.cgroupsPath", message: "\"\(requested)\" must not contain . or .."))
        }
        let base = requested.hasPrefix("/") ? "" : callerCgroup()
        let joined = (base.split(separator: "/") + components).joined(separator: "/")
        return joined.isEmpty
            ? .failure(ConfigProblem(path: "linux.cgroupsPath", message: "the root cgroup cannot be a container's"))
            : .success("/" + joined)
    }

    /// The calling process's cgroup v2 path, from /proc/self/cgroup ("0::/x").
    public static func callerCgroup() -> String {
        v2Path(of: "self") ?? "/"
    }

    /// A process's cgroup v2 path below the hierarchy's root ("0::/x" in
    /// /proc/PID/cgroup); nil when it is gone or has no v2 line.
    static func v2Path(of process: String) -> String? {
        for line in (FileSystem.readText("/proc/\(process)/cgroup") ?? "").split(separator: "\n") where line.hasPrefix("0::") {
            return String(line.dropFirst(3))
        }
        return nil
    }

    /// Creates the cgroup `relativePath` below the hierarchy's root and
    /// every missing parent, enabling the controllers the settings need on
    /// the way down. The hierarchy's root is never written: on a host whose
    /// root does not delegate a controller the error names it instead.
    /// `created` tells whether the leaf is new (an existing one is joined,
    /// as runc does, and is not removed on failure).
    public static func create(_ relativePath: String, in mount: CgroupMount,
                              controllers: Set<String>) throws(CgroupError) -> (cgroup: Cgroup, created: Bool) {
        var current = mount.path
        var created = false
        let components = relativePath.split(separator: "/")
        for (index, component) in components.enumerated() {
            try enableControllers(controllers, below: current, isRoot: index == 0)
            current += "/" + component
            if mkdir(current, 0o755) == 0 {
                created = index == components.count - 1
            } else if errno != EEXIST {
                throw CgroupError("create cgroup \(current)", errno: .current)
            } else if index == components.count - 1 {
                created = false
            }
        }
        return (Cgroup(path: current), created)
    }

    private static func enableControllers(_ controllers: Set<String>, below parent: String, isRoot: Bool) throws(CgroupError) {
        guard !controllers.isEmpty else { return }
        let file = parent + "/cgroup.subtree_control"
        let enabled = Set((FileSystem.readText(file) ?? "")
            .split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
        let missing = controllers.subtracting(enabled).sorted()
        guard !missing.isEmpty else { return }
        if isRoot {
            throw CgroupError("\(missing.joined(separator: ", ")) not enabled in \(file), and berth does not change the host's root cgroup")
        }
        let value = missing.map { "+" + $0 }.joined(separator: " ")
        do throws(Errno) {
            let fd = try FileDescriptor.open(file, O_WRONLY)
            defer { fd.close() }
            try fd.writeAll(Array(value.utf8))
        } catch {
            throw CgroupError("enable \(value) in \(file)", errno: error)
        }
    }

    public func apply(_ settings: [CgroupSetting]) throws(CgroupError) {
        for setting in settings {
            try write(setting.value, to: setting.file)
        }
    }

    public func write(_ value: String, to file: String) throws(CgroupError) {
        let filePath = path + "/" + file
        do throws(Errno) {
            let fd = try FileDescriptor.open(filePath, O_WRONLY | O_TRUNC)
            defer { fd.close() }
            try fd.writeAll(Array(value.utf8))
        } catch {
            throw CgroupError("write \(value) to \(filePath)", errno: error)
        }
    }

    public func read(_ file: String) -> String? {
        FileSystem.readText(path + "/" + file)?.trimmingWhitespace()
    }

    /// An O_PATH-free directory fd, as clone3's CLONE_INTO_CGROUP wants.
    public func openDirectory() throws(CgroupError) -> FileDescriptor {
        do {
            return try FileDescriptor.open(path, O_RDONLY | O_DIRECTORY)
        } catch {
            throw CgroupError("open cgroup \(path)", errno: error)
        }
    }

    /// The pids in the cgroup (not in its children).
    public func processes() -> [pid_t] {
        (read("cgroup.procs") ?? "").split(separator: "\n").compactMap { pid_t($0) }
    }

    public var exists: Bool { FileSystem.isDirectory(path) }

    /// Kills whatever is left (killAll), waits until the cgroup is empty, and
    /// removes it; EBUSY right after the last exit is retried briefly.
    public func remove() throws(CgroupError) {
        guard exists else { return }
        try? killAll()
        var failure: Errno?
        _ = Polling.until(seconds: 5, first: 500, longest: 20_000) {
            if rmdir(path) == 0 || errno == ENOENT {
                failure = nil
                return true
            }
            failure = Errno.current
            // Busy right after the last process exits: tried again until the
            // deadline. Any other error is final.
            return failure != .busy && failure != .notEmpty
        }
        if let failure { throw CgroupError("remove cgroup \(path)", errno: failure) }
    }
}
