/// /proc/self/mountinfo, read for the mount points of a file system type.
public enum MountTable {
    /// The calling process's mountinfo, or "" when it cannot be read.
    public static func current() -> String {
        FileSystem.readText("/proc/self/mountinfo") ?? ""
    }

    /// The mount points of every mount of `type`, in mountinfo's order.
    public static func mountPoints(ofType type: String, in mountinfo: String) -> [String] {
        var found: [String] = []
        for line in mountinfo.split(separator: "\n") {
            // Fields: id parent major:minor root mountpoint options [optional...] - fstype source super
            // (split on single spaces: a String separator would bring in the
            // whole of _StringProcessing's searcher code on every start)
            let fields = line.split(separator: " ")
            guard let dash = fields.firstIndex(of: "-"), dash >= 6, dash + 1 < fields.count,
                  fields[dash + 1] == type else { continue }
            found.append(unescape(String(fields[4])))
        }
        return found
    }

    /// The mount points, in mountinfo's order, of the mounts of one of
    /// `types` that show their file system from its root (the mountinfo
    /// root field is "/"): what the kernel counts as a fully visible procfs
    /// or sysfs when it decides whether a new one may be mounted in a user
    /// namespace (mount_too_revealing).
    public static func fullMountPoints(ofTypes types: Set<String>, in mountinfo: String) -> [String] {
        var found: [String] = []
        for line in mountinfo.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard let dash = fields.firstIndex(of: "-"), dash >= 6, dash + 1 < fields.count,
                  fields[3] == "/", types.contains(String(fields[dash + 1])) else { continue }
            found.append(unescape(String(fields[4])))
        }
        return found
    }

    /// The id and mount point of every mount strictly below `directory`
    /// (an absolute, resolved path), deepest first and, of mounts stacked
    /// on one point, the upper (later in mountinfo) first: the order to
    /// unmount them in.
    public static func mounts(below directory: String, in mountinfo: String) -> [(id: UInt64, path: String)] {
        let prefix = directory == "/" ? "/" : directory + "/"
        var found: [(order: Int, id: UInt64, path: String)] = []
        for line in mountinfo.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count > 4, let id = UInt64(fields[0]) else { continue }
            let path = unescape(String(fields[4]))
            if path.hasPrefix(prefix) { found.append((found.count, id, path)) }
        }
        found.sort { a, b in
            let (depthA, depthB) = (a.path.utf8.count, b.path.utf8.count)
            return depthA != depthB ? depthA > depthB : a.order > b.order
        }
        return found.map { ($0.id, $0.path) }
    }

    /// mountinfo escapes space, tab, newline and backslash as octal (\040).
    public static func unescape(_ text: String) -> String {
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
