import Cgroups
import LinuxSystem

/// The one error type of the runtime. Messages read "verb object: cause",
/// lowercase, e.g. `create cgroup /sys/fs/cgroup/berth/c1: permission denied`.
public struct RuntimeError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Code: String, Sendable, Equatable {
        case notFound, alreadyExists, invalidState, invalidConfig, invalidArgument, system, notImplemented
        /// A container's state.json that does not decode.
        case corruptState
    }

    public var code: Code
    public var message: String
    public var errno: Errno?
    /// Further lines, one per problem, when one operation finds several
    /// (every invalid field of a config.json).
    public var details: [String]

    public init(_ code: Code, _ message: String, errno: Errno? = nil, details: [String] = []) {
        self.code = code
        self.message = message
        self.errno = errno
        self.details = details
    }

    /// `verb object: strerror(errno)`.
    public static func system(_ action: String, _ errno: Errno) -> RuntimeError {
        RuntimeError(.system, action, errno: errno)
    }

    /// The first line: the message with its cause.
    public var summary: String {
        errno.map { "\(message): \($0)" } ?? message
    }

    /// Every line, the summary first.
    public var lines: [String] { [summary] + details }

    public var description: String { lines.joined(separator: "\n") }
}

/// Runs a cgroup operation, turning its error into the runtime's.
func cgroupAttempt<T>(_ body: () throws(CgroupError) -> T) throws(RuntimeError) -> T {
    do {
        return try body()
    } catch {
        throw RuntimeError(.system, error.message, errno: error.errno)
    }
}

/// Runs `body`, turning an `Errno` into a RuntimeError that names `action`.
@inline(__always)
func attempt<T>(_ action: @autoclosure () -> String, _ body: () throws(Errno) -> T) throws(RuntimeError) -> T {
    do {
        return try body()
    } catch {
        throw .system(action(), error)
    }
}

extension RuntimeError {
    /// A value from a config or the command line, quoted for a message as a
    /// JSON string, so nothing in it can break the line or move a terminal.
    public static func quoted(_ value: String) -> String { Log.jsonString(value) }

    /// `line` with its control characters (C0 and DEL) escaped as \u00XX:
    /// a message may carry values from a config, and each problem must stay
    /// one line on a terminal and in a log.
    public static func printable(_ line: String) -> String {
        guard line.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return line }
        var out = ""
        for scalar in line.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F {
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
