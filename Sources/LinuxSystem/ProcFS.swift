import Glibc

/// What the runtime reads from /proc about processes and the kernel.
public enum ProcFS {
    /// The process's start time in clock ticks since boot (field 22 of
    /// /proc/PID/stat). A pid plus its start time names one process for good:
    /// a recycled pid gets a later start time.
    public static func startTime(of pid: Int32) -> UInt64? {
        guard let bytes = try? FileSystem.readFile("/proc/\(pid)/stat") else { return nil }
        return parseStartTime(statLine: String(decoding: bytes, as: UTF8.self))
    }

    /// The command name (field 2) may hold spaces and parentheses, so fields
    /// are counted from the last ')'.
    public static func parseStartTime(statLine: String) -> UInt64? {
        guard let closing = statLine.lastIndex(of: ")") else { return nil }
        let fields = statLine[statLine.index(after: closing)...].split(separator: " ")
        // fields[0] is field 3 (state), so field 22 is fields[19].
        guard fields.count > 19 else { return nil }
        return UInt64(fields[19])
    }

    /// The process state letter (field 3): "Z" for a zombie, "X" dead.
    public static func state(of pid: Int32) -> Character? {
        guard let bytes = try? FileSystem.readFile("/proc/\(pid)/stat") else { return nil }
        let line = String(decoding: bytes, as: UTF8.self)
        guard let closing = line.lastIndex(of: ")") else { return nil }
        return line[line.index(after: closing)...].split(separator: " ").first?.first
    }

    /// The calling process's capability bounding set (CapBnd): what it can
    /// ever give a child. All bits when it cannot be read.
    public static func boundingCapabilities() -> UInt64 {
        guard let bytes = try? FileSystem.readFile("/proc/self/status") else { return .max }
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where line.hasPrefix("CapBnd:") {
            return UInt64(line.dropFirst(7).trimmingCharacters(), radix: 16) ?? .max
        }
        return .max
    }

    /// The highest capability number this kernel knows.
    public static func lastCapability() -> Int {
        guard let bytes = try? FileSystem.readFile("/proc/sys/kernel/cap_last_cap"),
              let value = Int(String(decoding: bytes, as: UTF8.self).trimmingWhitespace())
        else { return 40 }
        return value
    }
}

extension Substring {
    func trimmingCharacters() -> String { String(self).trimmingWhitespace() }
}

extension String {
    public func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }),
              let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
