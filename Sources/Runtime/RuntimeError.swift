import Cgroups
import LinuxSystem

/// The one error type of the runtime. Messages read "verb object: cause",
/// lowercase, e.g. `create cgroup /sys/fs/cgroup/berth/c1: permission denied`.
public struct RuntimeError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Code: String, Sendable, Equatable {
        case notFound, alreadyExists, invalidState, invalidConfig, invalidArgument, system, notImplemented
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
