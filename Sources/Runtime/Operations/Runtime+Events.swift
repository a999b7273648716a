import Cgroups
import Glibc
import LinuxSystem

/// One line of `berth events`: runc's event JSON, `{"type":"stats",
/// "id":ID,"data":{…}}` or `{"type":"oom","id":ID}`.
public struct ContainerEvent: Encodable, Sendable, Equatable {
    public var type: String
    public var id: String
    public var data: CgroupStats?

    public init(type: String, id: String, data: CgroupStats? = nil) {
        self.type = type
        self.id = id
        self.data = data
    }
}

extension Runtime {
    /// The container's resource usage now, as one stats event.
    public func stats(id: String) throws(RuntimeError) -> ContainerEvent {
        let record = try liveRecord(id)
        let cgroup = try requireCgroup(of: record, for: "read stats of")
        return ContainerEvent(type: "stats", id: id, data: cgroup.stats())
    }

    /// Streams events until the container stops: a stats event every
    /// `intervalNanoseconds`, and an oom event whenever oom_kill in
    /// memory.events grows (the kernel killed a process of the container for
    /// want of memory). Single-threaded: it sleeps in poll(2) on an inotify
    /// watch of memory.events and cgroup.events, waking at least once a
    /// second to see whether the init is still alive. The container's lock
    /// is not held while waiting, so kill and delete go on meanwhile.
    public func events(id: String, intervalNanoseconds: UInt64, emit: (ContainerEvent) -> Void) throws(RuntimeError) {
        guard intervalNanoseconds > 0 else {
            throw RuntimeError(.invalidArgument, "duration interval must be greater than 0")
        }
        let record = try liveRecord(id)
        let cgroup = try requireCgroup(of: record, for: "watch events of")

        let watch = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        defer { if watch >= 0 { close(watch) } }
        if watch >= 0 {
            for file in cgroup.eventFiles {
                _ = inotify_add_watch(watch, file, UInt32(IN_MODIFY))
            }
        }
        var reportedOOMKills = cgroup.oomKillCount
        var nextStats = Clock.monotonicNanoseconds() + intervalNanoseconds
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let now = Clock.monotonicNanoseconds()
            let untilStats = nextStats > now ? nextStats - now : 0
            let timeout = Int32(min(untilStats, 1_000_000_000) / 1_000_000)
            var entry = pollfd(fd: watch, events: Int16(POLLIN), revents: 0)
            if watch >= 0 {
                _ = poll(&entry, 1, max(timeout, 1))
                while buffer.withUnsafeMutableBytes({ Glibc.read(watch, $0.baseAddress, $0.count) }) > 0 {}
            } else {
                usleep(UInt32(max(timeout, 1)) * 1000)
            }
            let kills = cgroup.oomKillCount
            if kills > reportedOOMKills {
                emit(ContainerEvent(type: "oom", id: id))
                reportedOOMKills = kills
            }
            if status(of: record) == .stopped || !cgroup.exists { return }
            if Clock.monotonicNanoseconds() >= nextStats {
                emit(ContainerEvent(type: "stats", id: id, data: cgroup.stats()))
                nextStats += intervalNanoseconds
                let later = Clock.monotonicNanoseconds()
                if nextStats <= later { nextStats = later + intervalNanoseconds }
            }
        }
    }

    /// A Go duration such as "5s", "100ms", "1m30s" or "1.5h", in nanoseconds.
    public static func parseDuration(_ text: String) -> UInt64? {
        let units: [(String, Double)] = [("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9)]
        var rest = Substring(text)
        var total: Double = 0
        guard !rest.isEmpty else { return nil }
        if rest == "0" { return 0 }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            // The longest unit that matches: "ms" before "m".
            guard let (unit, scale) = units.filter({ rest.hasPrefix($0.0) }).max(by: { $0.0.count < $1.0.count }) else {
                return nil
            }
            rest = rest.dropFirst(unit.count)
            total += value * scale
        }
        return total < 1.8e19 ? UInt64(total) : nil
    }
}
