import CBerth
import Glibc
import LinuxSystem

/// `--pidfd-socket` (runc 1.2+): a manager that wants to wait for or signal
/// the container's process without pid-reuse races gets a pidfd of it over
/// a unix socket, sent with SCM_RIGHTS.
enum PidfdSocket {
    static func send(pidfdOf pid: pid_t, to path: String) throws(RuntimeError) {
        try attempt("send a pidfd of \(pid) to \(path)") { () throws(Errno) in
            let pidfd = FileDescriptor(rawValue: try retryingInterrupts { berth_pidfd_open(pid) })
            defer { pidfd.close() }
            let socket = try UnixSocket.connect(to: path)
            defer { socket.close() }
            _ = try retryingInterrupts { berth_send_fd(socket.rawValue, pidfd.rawValue, nil, 0) }
        }
    }
}
