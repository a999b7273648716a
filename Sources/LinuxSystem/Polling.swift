import Glibc

/// Waiting for a state the kernel offers no event for (a process gone, a
/// cgroup frozen, a program exec'd): check, pause, check again, with pauses
/// that double from `first` to `longest` microseconds.
public enum Polling {
    /// Checks `done` until it returns true, or until `seconds` have passed
    /// (nil: no limit). Returns whether `done` did.
    public static func until(seconds: UInt64? = nil, first: UInt32, longest: UInt32, _ done: () -> Bool) -> Bool {
        // Saturating: a timeout of any size (a hook's may be huge) is "never".
        let deadline = seconds.map { seconds in
            let (span, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
            return overflow ? UInt64.max : Clock.monotonicNanoseconds().addingReportingOverflow(span).partialValue
        }
        var pause = first
        while !done() {
            if let deadline, Clock.monotonicNanoseconds() > deadline { return false }
            usleep(pause)
            pause = min(pause * 2, longest)
        }
        return true
    }
}
