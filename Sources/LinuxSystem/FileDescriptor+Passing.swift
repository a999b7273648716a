import CBerth
import Glibc

/// Sockets and what berth sends over them: socket pairs, unix-socket
/// connections, descriptors passed with SCM_RIGHTS, signalfds.
extension FileDescriptor {
    public enum SocketKind: Sendable {
        /// A byte stream (hook stdin, the terminal relay's stand-in console socket).
        case stream
        /// Packets that are never read half (berth and the container's init).
        case packets

        var rawValue: Int32 {
            switch self {
            case .stream: return Int32(SOCK_STREAM.rawValue)
            case .packets: return Int32(SOCK_SEQPACKET.rawValue)
            }
        }
    }

    /// An AF_UNIX socket pair, both ends close-on-exec.
    public static func socketPair(_ kind: SocketKind) throws(Errno) -> (FileDescriptor, FileDescriptor) {
        var fds: [Int32] = [-1, -1]
        _ = try retryingInterrupts { socketpair(AF_UNIX, kind.rawValue | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) }
        return (FileDescriptor(rawValue: fds[0]), FileDescriptor(rawValue: fds[1]))
    }

    /// A connected AF_UNIX stream socket, close-on-exec.
    public static func connectUnixSocket(_ path: String) throws(Errno) -> FileDescriptor {
        let fd = FileDescriptor(rawValue: try retryingInterrupts {
            socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        })
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            fd.close()
            throw Errno(ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: bytes)
        }
        do {
            _ = try retryingInterrupts {
                withUnsafePointer(to: &address) { pointer in
                    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        Glibc.connect(fd.rawValue, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                    }
                }
            }
        } catch {
            fd.close()
            throw error
        }
        return fd
    }

    /// Sends all of `bytes` over this socket with MSG_NOSIGNAL: a peer that
    /// has gone away is EPIPE, never a SIGPIPE that would kill berth.
    public func sendAll(_ bytes: [UInt8]) throws(Errno) {
        var offset = 0
        while offset < bytes.count {
            offset += try retryingInterrupts {
                bytes.withUnsafeBytes { Glibc.send(rawValue, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            }
        }
    }

    /// Sends `descriptor` over this unix socket (SCM_RIGHTS) with `payload`
    /// as the message's data: conmon and containerd expect the terminal's
    /// name there, a seccomp agent the container process state.
    public func sendDescriptor(_ descriptor: Int32, payload: [UInt8] = []) throws(Errno) {
        _ = try retryingInterrupts {
            payload.withUnsafeBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) {
                    berth_send_fd(rawValue, descriptor, $0.baseAddress, $0.count)
                }
            }
        }
    }

    /// Receives one descriptor sent with `sendDescriptor`.
    public func receiveDescriptor() throws(Errno) -> FileDescriptor {
        FileDescriptor(rawValue: try retryingInterrupts { berth_receive_fd(rawValue) })
    }

    /// A close-on-exec signalfd for `signals`, which must be blocked already.
    public static func signalDescriptor(for signals: sigset_t) throws(Errno) -> FileDescriptor {
        var signals = signals
        return FileDescriptor(rawValue: try retryingInterrupts { berth_signalfd(&signals) })
    }

    /// The next signal read from a signalfd, or nil on an error.
    public func readSignal() -> Int32? {
        let signal = berth_signalfd_read(rawValue)
        return signal > 0 ? signal : nil
    }
}

/// Terminals: the pty a container gets, and the size it shows.
extension FileDescriptor {
    /// Unlocks this pty master and opens its peer through it (TIOCGPTPEER),
    /// so the peer is never looked up by a path an image could have planted.
    public func openPtyPeer(flags: Int32) throws(Errno) -> FileDescriptor {
        FileDescriptor(rawValue: try retryingInterrupts { berth_open_pty_peer(rawValue, flags | O_CLOEXEC) })
    }

    public func setWindowSize(rows: UInt16, columns: UInt16) throws(Errno) {
        _ = try retryingInterrupts { berth_set_window_size(rawValue, rows, columns) }
    }

    /// Turns off the terminal's "\n" to "\r\n" translation on output (ONLCR).
    public func clearOutputNewlineTranslation() throws(Errno) {
        var attributes = termios()
        _ = try retryingInterrupts { tcgetattr(rawValue, &attributes) }
        attributes.c_oflag &= ~tcflag_t(ONLCR)
        _ = try retryingInterrupts { tcsetattr(rawValue, TCSANOW, &attributes) }
    }

    /// The terminal's size, or nil when this is not a terminal.
    public func windowSize() -> (rows: UInt16, columns: UInt16)? {
        var rows: UInt16 = 0, columns: UInt16 = 0
        return berth_get_window_size(rawValue, &rows, &columns) == 0 ? (rows, columns) : nil
    }
}

extension FileDescriptor {
    /// The magic number of the file system the descriptor is on (fstatfs).
    public var fileSystemType: Int64 { berth_fd_filesystem_type(rawValue) }

    public static let procSuperMagic: Int64 = 0x9FA0

    /// The id of the mount the file is on, or nil where the kernel cannot
    /// say: two files with different ids have something mounted between them.
    public var mountID: UInt64? {
        let id = berth_fd_mount_id(rawValue)
        return id == 0 ? nil : id
    }

    /// A close-on-exec memfd holding `bytes`, sealed against every change,
    /// so no process that can reach it can alter what it holds.
    public static func sealedMemoryFile(named name: String, holding bytes: [UInt8]) throws(Errno) -> FileDescriptor {
        let memfd = FileDescriptor(rawValue: try retryingInterrupts { berth_memfd_create_sealable(name) })
        do throws(Errno) {
            try memfd.writeAll(bytes)
            _ = try retryingInterrupts { berth_memfd_seal(memfd.rawValue) }
        } catch {
            memfd.close()
            throw error
        }
        return memfd
    }
}
