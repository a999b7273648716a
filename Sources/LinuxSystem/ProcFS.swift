import Glibc

/// What the runtime reads from /proc about processes and the kernel.
public enum ProcFS {
    /// The process's start time in clock ticks since boot (field 22 of
    /// /proc/PID/stat). A pid plus its start time names one process for good:
    /// a recycled pid gets a later start time.
    public static func startTime(of pid: Int32) -> UInt64? {
        stat(of: pid)?.startTime
    }

    /// Whether `pid` is still the process that started at `startTime` and
    /// has not exited (a zombie has): one read of /proc/PID/stat.
    public static func isAlive(_ pid: Int32, startedAt startTime: UInt64?) -> Bool {
        guard let stat = stat(of: pid) else { return false }
        return stat.startTime == startTime && stat.state != "Z" && stat.state != "X"
    }

    static func stat(of pid: Int32) -> (state: Character, parent: Int32, startTime: UInt64)? {
        FileSystem.readText("/proc/\(pid)/stat").flatMap(parseStat(statLine:))
    }

    /// The parent's pid (field 4) as berth's pid namespace numbers it.
    public static func parent(of pid: Int32) -> Int32? {
        stat(of: pid)?.parent
    }

    public static func parseStartTime(statLine: String) -> UInt64? {
        parseStat(statLine: statLine)?.startTime
    }

    /// Field 3 (state: "Z" a zombie, "X" dead), field 4 (parent pid) and
    /// field 22 (start time). The command name (field 2) may hold spaces and
    /// parentheses, so fields are counted from the last ')'.
    static func parseStat(statLine: String) -> (state: Character, parent: Int32, startTime: UInt64)? {
        guard let closing = statLine.lastIndex(of: ")") else { return nil }
        let fields = statLine[statLine.index(after: closing)...].split(separator: " ")
        // fields[0] is field 3 (state), so field 22 is fields[19].
        guard fields.count > 19, let state = fields[0].first, let parent = Int32(fields[1]),
              let startTime = UInt64(fields[19]) else { return nil }
        return (state, parent, startTime)
    }

    /// The calling process's capability bounding set (CapBnd): what it can
    /// ever give a child. All bits when it cannot be read.
    public static func boundingCapabilities() -> UInt64 {
        guard let status = FileSystem.readText("/proc/self/status") else { return .max }
        for line in status.split(separator: "\n") where line.hasPrefix("CapBnd:") {
            return UInt64(line.dropFirst(7).trimmingCharacters(), radix: 16) ?? .max
        }
        return .max
    }

    /// False when the calling process's user namespace says "deny" in
    /// /proc/self/setgroups (written before its gid_map by an unprivileged
    /// maker, as `unshare --map-root-user` does): setgroups(2) then fails
    /// with EPERM whatever the privileges.
    public static func setgroupsAllowed() -> Bool {
        FileSystem.readText("/proc/self/setgroups")?.trimmingWhitespace() != "deny"
    }

    /// The highest capability number this kernel knows.
    public static func lastCapability() -> Int {
        guard let text = FileSystem.readText("/proc/sys/kernel/cap_last_cap"),
              let value = Int(text.trimmingWhitespace())
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
