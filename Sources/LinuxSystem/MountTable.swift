/// /proc/self/mountinfo, read for the mount points of a file system type.
public enum MountTable {
    /// The calling process's mountinfo, or "" when it cannot be read.
    public static func current() -> String {
        FileSystem.readText("/proc/self/mountinfo") ?? ""
    }

    /// One line of mountinfo: the fields berth reads.
    struct Entry {
        var id: UInt64
        /// The file system's directory shown at the mount point ("/": all of it).
        var root: Substring
        var mountPoint: String
        var type: Substring
    }

    /// Every line that parses, in mountinfo's order.
    static func entries(in mountinfo: String) -> [Entry] {
        mountinfo.split(separator: "\n").compactMap { line in
            // Fields: id parent major:minor root mountpoint options [optional...] - fstype source super
            // (split on single spaces: a String separator would bring in the
            // whole of _StringProcessing's searcher code on every start)
            let fields = line.split(separator: " ")
            guard let dash = fields.firstIndex(of: "-"), dash >= 6, dash + 1 < fields.count,
                  let id = UInt64(fields[0]) else { return nil }
            return Entry(id: id, root: fields[3], mountPoint: unescape(String(fields[4])), type: fields[dash + 1])
        }
    }

    /// The mount points of every mount of `type`, in mountinfo's order.
    public static func mountPoints(ofType type: String, in mountinfo: String) -> [String] {
        entries(in: mountinfo).filter { $0.type == type }.map(\.mountPoint)
    }

    /// The mount points, in mountinfo's order, of the mounts of one of
    /// `types` that show their file system from its root (the mountinfo
    /// root field is "/"): what the kernel counts as a fully visible procfs
    /// or sysfs when it decides whether a new one may be mounted in a user
    /// namespace (mount_too_revealing).
    public static func fullMountPoints(ofTypes types: Set<String>, in mountinfo: String) -> [String] {
        entries(in: mountinfo).filter { $0.root == "/" && types.contains(String($0.type)) }.map(\.mountPoint)
    }

    /// The id and mount point of every mount strictly below `directory`
    /// (an absolute, resolved path), deepest first and, of mounts stacked
    /// on one point, the upper (later in mountinfo) first: the order to
    /// unmount them in.
    public static func mounts(below directory: String, in mountinfo: String) -> [(id: UInt64, path: String)] {
        let prefix = directory == "/" ? "/" : directory + "/"
        let found = entries(in: mountinfo).enumerated().filter { $0.element.mountPoint.hasPrefix(prefix) }
        return found.sorted { a, b in
            let (depthA, depthB) = (a.element.mountPoint.utf8.count, b.element.mountPoint.utf8.count)
            return depthA != depthB ? depthA > depthB : a.offset > b.offset
        }.map { ($0.element.id, $0.element.mountPoint) }
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
