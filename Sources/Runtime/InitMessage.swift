import LinuxSystem

/// The messages between berth (the parent) and the container's init over
/// their SOCK_SEQPACKET pair, in the order they are sent during `create`:
///
///     berth create                                  container init
///         | clone(CLONE_NEW*) --------------------------> |
///         | write uid_map / gid_map (new user ns)          | waits
///         | ---- proceed(host pid) ----------------------> |
///         |                                                | join namespaces, mounts,
///         |                                                | devices (still sees the host)
///         | <--- runHooks ------------------------------- |
///         | prestart + createRuntime hooks                 | waits
///         | ---- hooksDone ------------------------------> |
///         |                                                | createContainer hooks,
///         |                                                | pivot_root, masked paths,
///         |                                                | hostname, rlimits, cwd, tty
///         | <--- ready  or  failed(errno, message) ------ |
///         | write state.json and the pid file, exit 0      | blocks reading exec.fifo
///
/// `berth start` then writes a byte into exec.fifo; the init runs the
/// startContainer hooks, drops to the process's user and capabilities and
/// execs. The socket is close-on-exec, so the parent sees EOF if the init
/// dies at any point.
enum InitMessage: UInt32 {
    case proceed = 1
    case runHooks = 2
    case hooksDone = 3
    case ready = 4
    case failed = 5
}

extension SyncSocket {
    func send(_ message: InitMessage, errno: Int32 = 0, payload: String = "") throws(Errno) {
        try send(kind: message.rawValue, errno: errno, payload: payload)
    }

    /// The next message, or nil on EOF.
    func receiveMessage() throws(Errno) -> (message: InitMessage?, errno: Int32, payload: String)? {
        guard let packet = try receive() else { return nil }
        return (InitMessage(rawValue: packet.kind), packet.errno, packet.payload)
    }
}
