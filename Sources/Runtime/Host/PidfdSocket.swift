import Glibc
import LinuxSystem

/// `--pidfd-socket` (runc 1.2+): a manager that wants to wait for or signal
/// the container's process without pid-reuse races gets a pidfd of it over
/// a unix socket, sent with SCM_RIGHTS.
enum PidfdSocket {
    static func send(pidfdOf pid: pid_t, to path: String, system: any SystemCalls) throws(RuntimeError) {
        try attempt("send a pidfd of \(pid) to \(path)") { () throws(Errno) in
            let pidfd = try system.openPidfd(pid)
            defer { pidfd.close() }
            let socket = try FileDescriptor.connectUnixSocket(path)
            defer { socket.close() }
            try socket.sendDescriptor(pidfd.rawValue)
        }
    }
}
