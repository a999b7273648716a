import CBerth
import Glibc
import LinuxSystem

/// `run` and `exec --tty` in the foreground without --console-socket: berth
/// itself takes the pty master (over a socket pair standing in for the
/// console socket) and relays it to its own stdin and stdout, as runc does
/// for CRI-O and for people at a terminal. Single-threaded: one poll loop
/// over stdin, the master and a signalfd.
struct TerminalRelay {
    /// Given to the child as its console socket.
    let childEnd: FileDescriptor
    private let berthEnd: FileDescriptor

    static func make() throws(RuntimeError) -> TerminalRelay {
        var fds: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
            throw .system("create the terminal's socket pair", .current)
        }
        return TerminalRelay(childEnd: FileDescriptor(rawValue: fds[0]), berthEnd: FileDescriptor(rawValue: fds[1]))
    }

    /// Relays until the child `pid` exits; returns its exit code (128 +
    /// signal when killed). `signals` are blocked already; SIGWINCH resizes
    /// the pty, the others are forwarded.
    func relay(until pid: pid_t, signals: sigset_t) throws(RuntimeError) -> Int32 {
        // childEnd was the child's console socket: berth's copy is closed
        // with the other host connections right after the clone.
        let master = try attempt("receive the pty master") { () throws(Errno) in
            FileDescriptor(rawValue: try retryingInterrupts { berth_receive_fd(berthEnd.rawValue) })
        }
        berthEnd.close()
        defer { master.close() }
        var signals = signals
        let signalFd = berth_signalfd(&signals)
        guard signalFd >= 0 else { throw .system("create a signalfd", .current) }
        defer { close(signalFd) }

        let rawMode = RawTerminal(fd: 0)
        defer { rawMode?.restore() }
        copyWindowSize(to: master)

        var watchInput = true
        var watchMaster = true
        var buffer = [UInt8](repeating: 0, count: 32768)
        while true {
            var fds = [pollfd(fd: signalFd, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: watchMaster ? master.rawValue : -1, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: watchInput ? 0 : -1, events: Int16(POLLIN), revents: 0)]
            if poll(&fds, nfds_t(fds.count), -1) < 0 {
                if errno == EINTR { continue }
                throw .system("wait for terminal input", .current)
            }
            if fds[1].revents != 0 && !copy(from: master.rawValue, to: 1, &buffer) {
                // EIO once the last process holding the pty has ended.
                watchMaster = false
            }
            if fds[2].revents != 0 && !copy(from: 0, to: master.rawValue, &buffer) {
                watchInput = false
            }
            if fds[0].revents != 0 {
                let signal = berth_signalfd_read(signalFd)
                guard signal > 0 else { continue }
                if signal == SIGWINCH {
                    copyWindowSize(to: master)
                } else if signal != SIGCHLD {
                    Glibc.kill(pid, signal)
                }
                var status: Int32 = 0
                if waitpid(pid, &status, WNOHANG) == pid {
                    while copy(from: master.rawValue, to: 1, &buffer, nonBlocking: true) {}
                    return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
                }
            }
        }
    }

    /// One read and write; false at end of input or on an error.
    private func copy(from source: Int32, to target: Int32, _ buffer: inout [UInt8], nonBlocking: Bool = false) -> Bool {
        if nonBlocking {
            var check = [pollfd(fd: source, events: Int16(POLLIN), revents: 0)]
            if poll(&check, 1, 0) <= 0 { return false }
        }
        let count = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) }
        if count <= 0 { return count < 0 && errno == EINTR }
        try? FileDescriptor(rawValue: target).writeAll(Array(buffer[0..<count]))
        return true
    }

    private func copyWindowSize(to master: FileDescriptor) {
        var size = winsize()
        if berth_get_window_size(1, &size.ws_row, &size.ws_col) == 0 {
            _ = berth_set_window_size(master.rawValue, size.ws_row, size.ws_col)
        }
    }
}

/// The caller's terminal in raw mode while the container has it, so keys
/// reach the container's line discipline untouched; restored afterwards.
struct RawTerminal {
    let fd: Int32
    let saved: termios

    init?(fd: Int32) {
        guard isatty(fd) == 1 else { return nil }
        var attributes = termios()
        guard tcgetattr(fd, &attributes) == 0 else { return nil }
        self.fd = fd
        saved = attributes
        cfmakeraw(&attributes)
        tcsetattr(fd, TCSANOW, &attributes)
    }

    func restore() {
        var attributes = saved
        tcsetattr(fd, TCSANOW, &attributes)
    }
}
