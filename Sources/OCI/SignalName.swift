// Signal names and numbers for Linux on x86_64 and arm64 (asm-generic), so
// that `kill` can parse its argument without a system call. SIGRTMIN is
// glibc's 34, not the kernel's 32: glibc keeps the first two for threads,
// and runc and crun use the same numbering.

public enum SignalName {
    private static let numbers: [String: Int32] = [
        "HUP": 1, "INT": 2, "QUIT": 3, "ILL": 4, "TRAP": 5, "ABRT": 6, "IOT": 6, "BUS": 7,
        "FPE": 8, "KILL": 9, "USR1": 10, "SEGV": 11, "USR2": 12, "PIPE": 13, "ALRM": 14,
        "TERM": 15, "STKFLT": 16, "CHLD": 17, "CLD": 17, "CONT": 18, "STOP": 19, "TSTP": 20,
        "TTIN": 21, "TTOU": 22, "URG": 23, "XCPU": 24, "XFSZ": 25, "VTALRM": 26, "PROF": 27,
        "WINCH": 28, "IO": 29, "POLL": 29, "PWR": 30, "SYS": 31,
    ]
    static let realtimeMinimum: Int32 = 34
    static let realtimeMaximum: Int32 = 64

    /// The number of a signal given as `TERM`, `SIGTERM` (any case), a
    /// number 1...64, or `RTMIN+n` / `RTMAX-n`; nil if it names no signal.
    public static func number(of text: String) -> Int32? {
        if let number = Int32(text) {
            return (1...realtimeMaximum).contains(number) ? number : nil
        }
        var name = Substring(text.uppercased())
        if name.hasPrefix("SIG") { name = name.dropFirst(3) }
        if let number = numbers[String(name)] { return number }
        return realtimeNumber(name)
    }

    /// The conventional name (`SIGTERM`, `SIGRTMIN+2`) of a signal number.
    public static func name(of number: Int32) -> String? {
        if let name = numbers.filter({ $0.value == number }).map(\.key).sorted(by: preferredName).first {
            return "SIG" + name
        }
        switch number {
        case realtimeMinimum: return "SIGRTMIN"
        case realtimeMaximum: return "SIGRTMAX"
        case realtimeMinimum..<realtimeMaximum: return "SIGRTMIN+\(number - realtimeMinimum)"
        default: return nil
        }
    }

    private static func realtimeNumber(_ name: Substring) -> Int32? {
        let bases: [(prefix: String, base: Int32, sign: Character)] = [
            ("RTMIN", realtimeMinimum, "+"), ("RTMAX", realtimeMaximum, "-"),
        ]
        for (prefix, base, sign) in bases where name.hasPrefix(prefix) {
            let rest = name.dropFirst(prefix.count)
            if rest.isEmpty { return base }
            guard rest.first == sign, let offset = Int32(rest.dropFirst()), offset >= 0 else { return nil }
            let number = sign == "+" ? base + offset : base - offset
            return (realtimeMinimum...realtimeMaximum).contains(number) ? number : nil
        }
        return nil
    }

    // Of the aliases (ABRT/IOT, CHLD/CLD, IO/POLL) print the usual one.
    private static func preferredName(_ a: String, _ b: String) -> Bool {
        let aliases: Set = ["IOT", "CLD", "POLL"]
        return !aliases.contains(a) && aliases.contains(b)
    }
}
