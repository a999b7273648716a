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
        let (childEnd, berthEnd) = try attempt("create the terminal's socket pair") { () throws(Errno) in
            try FileDescriptor.socketPair(.stream)
        }
        return TerminalRelay(childEnd: childEnd, berthEnd: berthEnd)
    }

    /// Relays until the child `pid` exits; returns its exit code (128 +
    /// signal when killed). `signals` are blocked already; SIGWINCH resizes
    /// the pty, the others are forwarded.
    func relay(until pid: pid_t, signals: sigset_t, system: any SystemCalls) throws(RuntimeError) -> Int32 {
        // childEnd was the child's console socket: berth's copy is closed
        // with the other host connections right after the clone.
        let master = try attempt("receive the pty master") { () throws(Errno) in
            try berthEnd.receiveDescriptor()
        }
        berthEnd.close()
        defer { master.close() }
        let signalDescriptor = try attempt("create a signalfd") { () throws(Errno) in
            try FileDescriptor.signalDescriptor(for: signals)
        }
        defer { signalDescriptor.close() }
        let signalFd = signalDescriptor.rawValue

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
            _ = try attempt("wait for terminal input") { () throws(Errno) in
                try retryingInterrupts { poll(&fds, nfds_t(fds.count), -1) }
            }
            if fds[1].revents != 0 && !copy(from: master.rawValue, to: 1, &buffer) {
                // EIO once the last process holding the pty has ended.
                watchMaster = false
            }
            if fds[2].revents != 0 && !copy(from: 0, to: master.rawValue, &buffer) {
                watchInput = false
            }
            if fds[0].revents != 0 {
                guard let signal = signalDescriptor.readSignal() else { continue }
                if signal == SIGWINCH {
                    copyWindowSize(to: master)
                } else if signal != SIGCHLD {
                    try? system.signal(pid, signal)
                }
                if let status = try? system.wait(for: pid, block: false) {
                    while copy(from: master.rawValue, to: 1, &buffer, nonBlocking: true) {}
                    return ProcessExit(waitStatus: status).shellCode
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
        guard let count = try? retryingInterrupts({ buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) } }),
              count > 0 else { return false }
        try? FileDescriptor(rawValue: target).writeAll(Array(buffer[0..<count]))
        return true
    }

    private func copyWindowSize(to master: FileDescriptor) {
        if let size = FileDescriptor.standardOutput.windowSize() {
            try? master.setWindowSize(rows: size.rows, columns: size.columns)
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
