import Glibc

/// An owned file descriptor. Closing is explicit: a runtime passes descriptors
/// between processes, so implicit closing on deinit would hide bugs.
public struct FileDescriptor: Sendable, Equatable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let standardOutput = FileDescriptor(rawValue: 1)
    public static let standardError = FileDescriptor(rawValue: 2)

    /// Unbuffered, so nothing is lost in a forked child or reordered against
    /// the other stream; a failure to write a message is not reported.
    public func write(_ text: String) {
        try? writeAll(Array(text.utf8))
    }

    /// Opens with O_CLOEXEC always: no descriptor of the runtime may reach a
    /// container by accident.
    public static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o600) throws(Errno) -> FileDescriptor {
        let fd = try retryingInterrupts { Glibc.open(path, flags | O_CLOEXEC, mode) }
        return FileDescriptor(rawValue: fd)
    }

    /// A pipe whose ends are both close-on-exec. (pipe2 is not visible to
    /// Swift; berth has one thread, so no exec can come in between.)
    public static func pipe() throws(Errno) -> (read: FileDescriptor, write: FileDescriptor) {
        var fds: [Int32] = [-1, -1]
        _ = try retryingInterrupts { Glibc.pipe(&fds) }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return (FileDescriptor(rawValue: fds[0]), FileDescriptor(rawValue: fds[1]))
    }

    /// fstat(2) of the file.
    public func status() throws(Errno) -> stat {
        var info = stat()
        _ = try retryingInterrupts { fstat(rawValue, &info) }
        return info
    }

    public func close() {
        // EINTR on close must not be retried on Linux: the descriptor is gone.
        _ = Glibc.close(rawValue)
    }

    public func readAll() throws(Errno) -> [UInt8] {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = try retryingInterrupts {
                chunk.withUnsafeMutableBytes { Glibc.read(rawValue, $0.baseAddress, $0.count) }
            }
            if count == 0 { return result }
            result.append(contentsOf: chunk[0..<count])
        }
    }

    public func writeAll(_ bytes: [UInt8]) throws(Errno) {
        var offset = 0
        while offset < bytes.count {
            let written = try retryingInterrupts {
                bytes.withUnsafeBytes { Glibc.write(rawValue, $0.baseAddress! + offset, $0.count - offset) }
            }
            offset += written
        }
    }

    public enum LockKind: Sendable { case shared, exclusive }

    /// Blocks until the lock is held. Locks are released when the last
    /// descriptor of the open file description is closed.
    /// Without `wait`, a lock someone else holds is EWOULDBLOCK at once.
    public func lock(_ kind: LockKind, wait: Bool = true) throws(Errno) {
        let operation = (kind == .shared ? LOCK_SH : LOCK_EX) | (wait ? 0 : LOCK_NB)
        _ = try retryingInterrupts { flock(rawValue, operation) }
    }
}
