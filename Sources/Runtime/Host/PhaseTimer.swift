import LinuxSystem

/// The `--debug` timing of an operation's phases, one log line each
/// ("create c1: clone took 0.412 ms"), so that a phase that got slower is
/// visible without strace. With debug off it costs a clock read per phase.
struct PhaseTimer {
    let operation: String
    let log: Log
    private var last = Clock.monotonicNanoseconds()

    init(_ operation: String, log: Log) {
        self.operation = operation
        self.log = log
    }

    /// Logs the time since the previous phase ended as `phase`'s.
    mutating func end(_ phase: String) {
        let now = Clock.monotonicNanoseconds()
        report(phase, nanoseconds: now - last)
        last = now
    }

    /// Logs a time measured elsewhere (within another phase).
    func report(_ phase: String, nanoseconds: UInt64) {
        log.debug("\(operation): \(phase) took \(Self.milliseconds(nanoseconds)) ms")
    }

    /// "12.345": three decimals without Foundation's formatting.
    static func milliseconds(_ nanoseconds: UInt64) -> String {
        let micros = nanoseconds / 1000
        let fraction = String(micros % 1000)
        return "\(micros / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
