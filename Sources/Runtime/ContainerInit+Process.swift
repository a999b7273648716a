import CBerth
import Glibc
import LinuxSystem

/// The process's own settings: limits, working directory, executable,
/// terminal, user, capabilities, and finally execve.
extension ContainerInit {
    func applyProcessLimits() throws(RuntimeError) {
        for limit in plan.process.rlimits {
            var value = rlimit(rlim_cur: rlim_t(limit.soft), rlim_max: rlim_t(limit.hard))
            try attempt("set rlimit \(limit.resource)") { () throws(Errno) in
                _ = try retryingInterrupts { setrlimit(__rlimit_resource_t(UInt32(limit.resource)), &value) }
            }
        }
    }

    /// The cwd is created when missing, inside the container's root, and
    /// entered through the descriptor that resolution returned: a path such
    /// as /proc/self/fd/N naming a leaked host directory is refused (no magic
    /// links), and nothing can swap the path between check and use (the
    /// class of CVE-2024-21626).
    func changeToWorkingDirectory() throws(RuntimeError) {
        let cwd = plan.process.cwd
        try attempt("change to working directory \(cwd)") { () throws(Errno) in
            let root = try FileDescriptor.open("/", O_PATH | O_DIRECTORY)
            defer { root.close() }
            let directory = try RootedPath.open(cwd, in: root, create: .directory, flags: O_PATH | O_DIRECTORY)
            defer { directory.close() }
            _ = try retryingInterrupts { fchdir(directory.rawValue) }
        }
    }

    /// Finds args[0] the way execvp would, in the container's root and with
    /// the process's PATH, so that a missing or non-executable program is
    /// reported by `create` with the words runc uses (podman matches them).
    func resolveExecutable() throws(RuntimeError) -> String {
        let name = plan.process.args[0]
        func failure(_ reason: String) -> RuntimeError {
            RuntimeError(.invalidConfig, "exec: \"\(name)\": \(reason)")
        }
        func check(_ path: String) -> Int32 {
            var info = stat()
            if stat(path, &info) != 0 { return errno }
            if (info.st_mode & S_IFMT) == S_IFDIR || info.st_mode & 0o111 == 0 { return EACCES }
            return 0
        }
        if name.contains("/") {
            switch check(name) {
            case 0: return name
            case ENOENT: throw failure("no such file or directory")
            case let code: throw failure(Errno(code).description)
            }
        }
        let path = plan.process.env.last { $0.hasPrefix("PATH=") }.map { String($0.dropFirst(5)) }
            ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        var sawNonExecutable = false
        for directory in path.split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (directory.isEmpty ? "." : String(directory)) + "/" + name
            switch check(candidate) {
            case 0: return candidate
            case EACCES: sawNonExecutable = true
            default: continue
            }
        }
        throw failure(sawNonExecutable ? "permission denied" : "executable file not found in $PATH")
    }

    /// Opens a pty from the container's devpts and hands the master to the
    /// console socket (SCM_RIGHTS), as conmon and containerd's shim expect.
    func openTerminal(in root: FileDescriptor, sendingTo socket: FileDescriptor) throws(RuntimeError) -> FileDescriptor {
        defer { socket.close() }
        return try attempt("set up the terminal") { () throws(Errno) in
            let master = try RootedPath.open("/dev/pts/ptmx", in: root, flags: O_RDWR | O_NOCTTY)
            defer { master.close() }
            let peer = FileDescriptor(rawValue: try retryingInterrupts {
                berth_open_pty_peer(master.rawValue, O_RDWR | O_NOCTTY | O_CLOEXEC)
            })
            if let size = plan.process.consoleSize {
                _ = try retryingInterrupts { berth_set_window_size(peer.rawValue, size.rows, size.columns) }
            }
            _ = try retryingInterrupts { berth_send_fd(socket.rawValue, master.rawValue, "/dev/ptmx", 9) }
            return peer
        }
    }

    /// A new session whose controlling terminal is the pty, on stdio.
    func makeControllingTerminal(_ terminal: FileDescriptor) throws(RuntimeError) {
        try attempt("make the pty the controlling terminal") { () throws(Errno) in
            _ = try retryingInterrupts { setsid() }
            _ = try retryingInterrupts { berth_set_controlling_terminal(terminal.rawValue) }
            for target: Int32 in 0...2 {
                _ = try retryingInterrupts { dup2(terminal.rawValue, target) }
            }
            terminal.close()
        }
    }

    /// Scheduling, user, groups, capabilities, no_new_privs, umask, labels:
    /// done before the init reports ready, so a setting the kernel refuses
    /// fails `create` (as with runc) rather than a silent `start`.
    /// Capabilities are kept across the uid change (PR_SET_KEEPCAPS) and
    /// then set exactly to the config's sets.
    func dropPrivileges(_ prepared: PreparedProcess) throws(RuntimeError) {
        let process = plan.process
        try applyScheduling()
        try attempt("drop capabilities from the bounding set") { () throws(Errno) in
            for capability in 0...process.lastCapability where process.capabilities.bounding & (1 << UInt64(capability)) == 0 {
                _ = try retryingInterrupts { berth_prctl(Prctl.dropFromBoundingSet, UInt(capability), 0, 0, 0) }
            }
            _ = try retryingInterrupts { berth_prctl(Prctl.setKeepCapabilities, 1, 0, 0, 0) }
        }
        if !process.noNewPrivileges {
            // Without no_new_privs loading needs CAP_SYS_ADMIN, which the
            // user change below gives up (runc's order): the profile must
            // then allow the calls that follow.
            try loadSeccomp(prepared)
        }
        try attempt("set groups \(process.additionalGids)") { () throws(Errno) in
            _ = try retryingInterrupts { berth_setgroups(process.additionalGids.count, process.additionalGids) }
        }
        try attempt("set gid \(process.gid)") { () throws(Errno) in
            _ = try retryingInterrupts { berth_setresgid(process.gid, process.gid, process.gid) }
        }
        try attempt("set uid \(process.uid)") { () throws(Errno) in
            _ = try retryingInterrupts { berth_setresuid(process.uid, process.uid, process.uid) }
        }
        let sets = process.capabilities
        try attempt("set capabilities") { () throws(Errno) in
            _ = try retryingInterrupts { berth_capset(sets.effective, sets.permitted, sets.inheritable) }
            _ = try retryingInterrupts { berth_prctl(Prctl.setKeepCapabilities, 0, 0, 0, 0) }
            for capability in 0...process.lastCapability where sets.ambient & (1 << UInt64(capability)) != 0 {
                _ = try retryingInterrupts {
                    berth_prctl(Prctl.ambientCapabilities, Prctl.ambientRaise, UInt(capability), 0, 0)
                }
            }
        }
        if process.noNewPrivileges {
            try attempt("set no_new_privs") { () throws(Errno) in
                _ = try retryingInterrupts { berth_prctl(Prctl.setNoNewPrivileges, 1, 0, 0, 0) }
            }
        }
        umask(process.umask ?? 0o022)
        try applySecurityLabels()
    }

    /// The last steps, right before the user's program: the final CPU
    /// affinity, the descriptor sweep, the seccomp filter (with
    /// no_new_privs), execve.
    func execute(_ prepared: PreparedProcess) throws(RuntimeError) -> Never {
        let process = plan.process
        let executable = prepared.executable
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        sigprocmask(SIG_SETMASK, &unblocked, nil)
        try setAffinity(process.tuning.finalAffinity, "final")

        // Only stdio and the --preserve-fds descriptors reach the process.
        // Kept until execve, and closed by it (all close-on-exec): the exec
        // helper, the start-error file, the seccomp agent's socket (until
        // the notify fd is sent).
        let firstClosed = 3 + Int32(plan.options.preserveFds)
        for fd in 3..<firstClosed { _ = fcntl(fd, F_SETFD, 0) }
        var kept = [connections.execHelper?.rawValue, startError.rawValue >= 0 ? startError.rawValue : nil]
            + prepared.keptUntilExec.map { Optional($0) }
        if process.noNewPrivileges { kept.append(prepared.seccompListener?.rawValue) }
        Self.closeDescriptors(from: firstClosed, keeping: kept.compactMap { $0 })
        if process.noNewPrivileges {
            // As late as possible: every call after this one is filtered.
            try loadSeccomp(prepared)
        }

        // Through the sealed exec helper: see ExecHelper.
        guard let helper = connections.execHelper else {
            throw RuntimeError(.system, "exec \(executable): no exec helper")
        }
        _ = withCStrings(["berth-exec-helper", executable] + process.args) { argv in
            withCStrings(process.env) { envp in berth_execveat(helper.rawValue, argv, envp) }
        }
        throw RuntimeError(.system, "exec \(executable) through the exec helper", errno: .current)
    }

    /// close_range over everything from `first` on except `kept`.
    static func closeDescriptors(from first: Int32, keeping kept: [Int32]) {
        var start = UInt32(first)
        for fd in kept.filter({ $0 >= first }).sorted().map(UInt32.init) {
            if fd > start { _ = berth_close_range(start, fd - 1, 0) }
            start = fd + 1
        }
        _ = berth_close_range(start, UInt32.max, 0)
    }
}

/// A connected AF_UNIX stream socket.
enum UnixSocket {
    static func connect(to path: String) throws(Errno) -> FileDescriptor {
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
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd.rawValue, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        if result != 0 {
            let error = Errno.current
            fd.close()
            throw error
        }
        return fd
    }
}
