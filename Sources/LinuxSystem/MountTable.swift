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
