import Glibc
import LinuxSystem

/// The messages between berth (the parent) and the container's init over
/// their SOCK_SEQPACKET pair. `berth create`, as Runtime.launch and
/// ContainerInit.run do it:
///
///     berth create                                  container init
///         | record "creating" (cgroup path) in state.json  |
///         | clone3(CLONE_NEW*, INTO_CGROUP) ------------> |
///         |                                                | dies with berth (parent-death
///         | record the init's pid and start time           | signal); not dumpable; waits
///         | write uid_map / gid_map (new user ns)          |
///         | join Intel RDT group, move netDevices,         |
///         | write oom_score_adj                            |
///         | ---- proceed(hostPid) -----------------------> |
///         |                                                | affinity, join namespaces,
///         |                                                | cgroup ns, root in user ns,
///         |                                                | keyring, mounts, devices
///         |                                                | (still sees the host)
///         | <--- openMountSource(index) ------------------ | an idmapped bind, or a
///         | open it (idmapped: a helper makes the copy)    | bind source it may not
///         | in the init's mount namespace                  | reach (user namespace)
///         | ---- mountSourceOpened + the fd (SCM_RIGHTS) > |
///         |      or failed(error)                          |
///         | <--- runHooks -------------------------------- |
///         | prestart + createRuntime hooks                 | waits
///         | ---- hooksDone ------------------------------> |
///         |                                                | createContainer hooks, tty,
///         |                                                | rlimits, pivot_root, sysctl,
///         |                                                | masked/read-only paths,
///         |                                                | hostname, cwd, args[0] found,
///         |                                                | privileges dropped (seccomp
///         |                                                | here without no_new_privs)
///         | <--- warning(text) ... (any time, logged) ---- |
///         | <--- ready  or  failed(error) ---------------- |
///         | write state.json                               | waits
///         | ---- recorded -------------------------------> |
///         | waits for EOF                                  | parent-death signal off,
///         | <--- EOF -------------------------------------- | closes the socket
///         | write the pid file, exit 0                     | blocks reading exec.fifo
///
/// `berth start` then writes a byte into exec.fifo; the init runs the
/// startContainer hooks, sweeps its descriptors, loads seccomp (with
/// no_new_privs) and execs the user's program through the sealed helper.
///
/// `berth exec` (Runtime.launchExec, ContainerInit.runExec) is shorter:
///
///     berth exec                                    exec'd process
///         | join pid/time namespaces, clone3 into cgroup > |
///         | ---- proceed(hostPid) -----------------------> |
///         |                                                | join namespaces, rlimits,
///         |                                                | cwd, args[0], tty, drop
///         |                                                | privileges, seccomp, execve
///         |                                                | of the exec helper, which
///         |                                                | execs the user's program
///         | <--- failed(error)  or  execFailed(path, errno)|
///         |      (from the helper)  or  EOF (exec happened)|
///
/// The socket is close-on-exec (the exec helper sets it so again before its
/// own execve), so the parent sees EOF once the user's program runs, or if
/// the child dies at any point. A failure carries the
/// whole RuntimeError (code, errno, message, details), so `create` reports
/// an init's invalid config as such and not as a system error.
enum InitMessage: Equatable {
    case proceed(hostPid: Int32)
    case runHooks
    case hooksDone
    case ready
    /// berth has written the container's record: from now on the container
    /// outlives berth, so the init stops dying with it.
    case recorded
    case failed(RuntimeError)
    /// Something the user should know that does not stop the container.
    case warning(String)
    /// The init needs the source of `plan.mounts[index]` (a bind mount)
    /// from berth: idmapped, or one it could not open in its user
    /// namespace.
    case openMountSource(index: Int)
    /// berth's answer: the source's O_PATH descriptor follows in the next
    /// packet (SCM_RIGHTS).
    case mountSourceOpened
    /// Sent by the exec helper (helpers/exec-helper.c), not by Swift: the
    /// execve of the user's program failed with this errno.
    case execFailed(path: String, errno: Int32)

    /// The kind field of a packet.
    private enum Kind: UInt32 {
        case proceed = 1, runHooks, hooksDone, ready, failed, warning, recorded
        /// 8: the number helpers/exec-helper.c writes.
        case execFailed
        case openMountSource, mountSourceOpened
    }

    /// One packet: kind, errno, then the fields as length-prefixed UTF-8
    /// strings (so no message text can be mistaken for a separator).
    func encoded() -> (kind: UInt32, errno: Int32, payload: [UInt8]) {
        switch self {
        case .proceed(let hostPid): return (Kind.proceed.rawValue, 0, Self.fields([String(hostPid)]))
        case .runHooks: return (Kind.runHooks.rawValue, 0, [])
        case .hooksDone: return (Kind.hooksDone.rawValue, 0, [])
        case .ready: return (Kind.ready.rawValue, 0, [])
        case .recorded: return (Kind.recorded.rawValue, 0, [])
        case .failed(let error):
            return (Kind.failed.rawValue, error.errno?.rawValue ?? 0,
                    Self.fields([error.code.rawValue, error.message] + error.details))
        case .warning(let text): return (Kind.warning.rawValue, 0, Self.fields([text]))
        case .execFailed(let path, let errno): return (Kind.execFailed.rawValue, errno, Self.fields([path]))
        case .openMountSource(let index): return (Kind.openMountSource.rawValue, 0, Self.fields([String(index)]))
        case .mountSourceOpened: return (Kind.mountSourceOpened.rawValue, 0, [])
        }
    }

    /// The message a packet holds, or nil for one this berth does not know
    /// (a child of another berth binary, or garbage).
    init?(kind: UInt32, errno: Int32, payload: [UInt8]) {
        guard let kind = Kind(rawValue: kind), let fields = Self.fields(in: payload) else { return nil }
        switch kind {
        case .proceed:
            guard fields.count == 1, let pid = Int32(fields[0]) else { return nil }
            self = .proceed(hostPid: pid)
        case .runHooks: self = .runHooks
        case .hooksDone: self = .hooksDone
        case .ready: self = .ready
        case .recorded: self = .recorded
        case .failed:
            guard fields.count >= 2, let code = RuntimeError.Code(rawValue: fields[0]) else { return nil }
            self = .failed(RuntimeError(code, fields[1], errno: errno == 0 ? nil : Errno(errno),
                                        details: Array(fields.dropFirst(2))))
        case .warning:
            guard fields.count == 1 else { return nil }
            self = .warning(fields[0])
        case .execFailed:
            guard fields.count == 1 else { return nil }
            self = .execFailed(path: fields[0], errno: errno)
        case .openMountSource:
            guard fields.count == 1, let index = Int(fields[0]) else { return nil }
            self = .openMountSource(index: index)
        case .mountSourceOpened: self = .mountSourceOpened
        }
    }

    private static func fields(_ strings: [String]) -> [UInt8] {
        var bytes: [UInt8] = []
        for string in strings {
            let utf8 = Array(string.utf8)
            withUnsafeBytes(of: UInt32(truncatingIfNeeded: utf8.count).littleEndian) { bytes.append(contentsOf: $0) }
            bytes.append(contentsOf: utf8)
        }
        return bytes
    }

    private static func fields(in payload: [UInt8]) -> [String]? {
        var strings: [String] = []
        var offset = 0
        while offset < payload.count {
            guard payload.count - offset >= 4 else { return nil }
            let length = payload[offset..<offset + 4].reversed().reduce(0) { $0 << 8 | Int($1) }
            offset += 4
            guard length <= payload.count - offset else { return nil }
            strings.append(String(decoding: payload[offset..<offset + length], as: UTF8.self))
            offset += length
        }
        return strings
    }
}

extension SyncSocket {
    func send(_ message: InitMessage) throws(Errno) {
        let packet = message.encoded()
        try send(kind: packet.kind, errno: packet.errno, payload: packet.payload)
    }

    /// The next message; nil on EOF (the other end exited or exec'd).
    func receiveMessage() throws(Errno) -> InitMessage? {
        guard let packet = try receive() else { return nil }
        guard let message = InitMessage(kind: packet.kind, errno: packet.errno, payload: packet.payload) else {
            throw Errno(EPROTO)
        }
        return message
    }
}
