import CBerth
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
        guard let bytes = try? FileSystem.readFile("/proc/self/mountinfo"),
              let path = cgroup2MountPoint(mountinfo: String(decoding: bytes, as: UTF8.self)),
              isCgroup2(path)
        else { return nil }
        let text = (try? FileSystem.readFile(path + "/cgroup.controllers")).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let controllers = text.trimmingWhitespace().split(separator: " ").map(String.init)
        return CgroupMount(path: path, controllers: controllers)
    }

    /// Whether `path` is a cgroup2 file system now: mountinfo still lists a
    /// mount that something else was mounted over (a tmpfs hiding it).
    static func isCgroup2(_ path: String) -> Bool {
        berth_filesystem_type(path) == 0x6367_7270  // CGROUP2_SUPER_MAGIC
    }

    /// The mount point of the first cgroup2 file system in a mountinfo text,
    /// preferring `/sys/fs/cgroup` itself when several are mounted.
    public static func cgroup2MountPoint(mountinfo: String) -> String? {
        var found: [String] = []
        for line in mountinfo.split(separator: "\n") {
            // Fields: id parent major:minor root mountpoint options [optional...] - fstype source super
            let halves = line.split(separator: " - ", maxSplits: 1)
            guard halves.count == 2,
                  halves[1].split(separator: " ").first == "cgroup2" else { continue }
            let fields = halves[0].split(separator: " ")
            guard fields.count >= 5 else { continue }
            found.append(unescapeMountinfo(String(fields[4])))
        }
        return found.first(where: { $0 == "/sys/fs/cgroup" }) ?? found.first
    }

    /// mountinfo escapes space, tab, newline and backslash as octal (\040).
    static func unescapeMountinfo(_ text: String) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "\\"), utf8.count >= 3,
               let value = UInt8(String(decoding: utf8.prefix(3), as: UTF8.self), radix: 8) {
                bytes.append(value)
                utf8 = utf8.dropFirst(3)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
