import Glibc

/// A kernel error number, with the C library's text for it.
public struct Errno: Error, Equatable, Sendable, CustomStringConvertible {
    public let rawValue: Int32
    public init(_ rawValue: Int32) { self.rawValue = rawValue }

    /// The calling thread's `errno` right now.
    public static var current: Errno { Errno(errno) }

    public static let notFound = Errno(ENOENT)
    public static let exists = Errno(EEXIST)
    public static let interrupted = Errno(EINTR)
    public static let noSuchProcess = Errno(ESRCH)
    public static let notEmpty = Errno(ENOTEMPTY)
    public static let busy = Errno(EBUSY)
    public static let brokenPipe = Errno(EPIPE)
    public static let connectionReset = Errno(ECONNRESET)

    /// The other end of a socket went away (it exited or was killed).
    public var meansPeerGone: Bool { self == .brokenPipe || self == .connectionReset }

    /// Lowercase, as in "open /x: no such file or directory", like Go's errors.
    public var description: String {
        guard let text = strerror(rawValue) else { return "errno \(rawValue)" }
        var message = String(cString: text)
        if let first = message.first { message = first.lowercased() + message.dropFirst() }
        return message
    }
}

/// Runs a system call until it stops failing with EINTR. The one place that
/// retries interrupted calls, so every other wrapper can ignore EINTR.
@inline(__always)
public func retryingInterrupts<T: FixedWidthInteger>(_ call: () -> T) throws(Errno) -> T {
    while true {
        let result = call()
        if result != -1 { return result }
        let error = Errno.current
        if error != .interrupted { throw error }
    }
}
