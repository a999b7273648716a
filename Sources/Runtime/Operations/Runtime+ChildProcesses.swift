import Cgroups
import Glibc
import LinuxSystem
import OCI

/// berth's own children and the container's processes as several
/// operations see them: cloning, waiting for exec, forwarding signals,
/// pid files, id maps, and which processes share the init's namespaces.
extension Runtime {
    /// Clones a child of berth (the container's init, an exec'd process, a
    /// holder of a user namespace) after checking the invariant the child
    /// depends on: berth has one thread (see ProcessCreation).
    static func cloneChild(_ action: String, flags: UInt64 = 0,
                           into cgroup: FileDescriptor? = nil) throws(RuntimeError) -> pid_t {
        do {
            try ProcessCreation.requireSingleThread()
        } catch {
            throw RuntimeError(.system, "\(action): berth must be single-threaded to clone, and has \(error.threads) threads")
        }
        return try attempt(action) { () throws(Errno) in try ProcessCreation.clone(flags: flags, into: cgroup) }
    }

    /// Waits until the init has exec'd the user's program: its /proc/PID/exe
    /// stops being berth's own binary. False when the init died first.
    func waitUntilExecuted(_ record: ContainerRecord) -> Bool {
        Self.waitUntilExecuted(pid: record.pid) { status(of: record) == .running }
    }

    /// Polls until `pid` runs the user's program — neither berth itself nor
    /// the exec helper on its way (ExecHelper) — while `alive` holds.
    static func waitUntilExecuted(pid: pid_t, while alive: () -> Bool) -> Bool {
        var own = stat()
        guard stat("/proc/self/exe", &own) == 0 else { return true }
        var executed = false
        _ = Polling.until(first: 100, longest: 10_000) {
            var current = stat()
            let target = FileSystem.readLink("/proc/\(pid)/exe") ?? ""
            executed = stat("/proc/\(pid)/exe", &current) == 0
                && (current.st_dev != own.st_dev || current.st_ino != own.st_ino)
                && !target.hasPrefix("/memfd:berth-exec-helper")
            return executed || !alive()
        }
        return executed
    }

    /// The signals `run` forwards to the container's process. SIGCHLD tells
    /// it the process ended; the rest are the ones a terminal or a manager
    /// sends to stop, suspend or notify a foreground program.
    static let forwardedSignals: [Int32] = [
        SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT, SIGALRM, SIGPIPE,
    ]

    /// The forwarded signals plus SIGCHLD, to block and then wait for.
    static func forwardedSignalSet() -> sigset_t {
        var signals = sigset_t()
        sigemptyset(&signals)
        for signal in forwardedSignals + [SIGCHLD] { sigaddset(&signals, signal) }
        return signals
    }

    /// Waits for a child of berth, passing on every forwarded signal berth
    /// receives; returns its exit code, 128 + signal when it was killed.
    func waitForwardingSignals(to pid: pid_t, signals: inout sigset_t) -> Int32 {
        while true {
            var info = siginfo_t()
            let signal = sigwaitinfo(&signals, &info)
            if signal == SIGCHLD || signal < 0 {
                do {
                    if let status = try system.wait(for: pid, block: false) {
                        return ProcessExit(waitStatus: status).shellCode
                    }
                } catch {
                    if error.rawValue == ECHILD { return 0 }
                }
            } else if signal > 0 {
                try? system.signal(pid, signal)
            }
        }
    }

    /// Tells the caller which process it got, as it asked: a pidfd over
    /// `pidfdSocket`, the pid in `pidFile`.
    func publish(_ pid: pid_t, pidfdSocket: String?, pidFile: String?) throws(RuntimeError) {
        if let pidfdSocket {
            try PidfdSocket.send(pidfdOf: pid, to: pidfdSocket, system: system)
        }
        if let pidFile {
            try Self.writePidFile(pidFile, pid: pid)
        }
    }

    /// The host pid, without a trailing newline (containerd reads it so).
    static func writePidFile(_ path: String, pid: pid_t) throws(RuntimeError) {
        try attempt("write pid file \(path)") { () throws(Errno) in
            try FileSystem.writeFileAtomically(try FileSystem.absolute(path), Array(String(pid).utf8), mode: 0o644)
        }
    }

    /// As root, berth writes the maps itself (no newuidmap needed); the init
    /// waits for `proceed` until they are there.
    static func writeIdMappings(_ mappings: IDMappings, pid: pid_t) throws(RuntimeError) {
        try ProcFile.write(mappings.uidMapText, to: "/proc/\(pid)/uid_map")
        try ProcFile.write(mappings.gidMapText, to: "/proc/\(pid)/gid_map")
    }

    /// The container's processes, the init first, where no cgroup of
    /// berth's own holds them (none, or a joined one with others in it):
    /// with its own pid namespace, every process in it; sharing berth's, the
    /// init and its descendants (the namespace's other processes are the
    /// host's; one that daemonized away from the init is not found).
    static func processesOfContainer(withInit initPid: pid_t) -> [pid_t] {
        let all = ((try? FileSystem.listDirectory("/proc")) ?? []).compactMap { pid_t($0) }
        if let namespace = namespaceIdentity(of: initPid, "pid"), namespace != namespaceIdentity(of: getpid(), "pid") {
            return [initPid] + all.filter { $0 != initPid && namespaceIdentity(of: $0, "pid") == namespace }
        }
        var parents: [pid_t: pid_t] = [:]
        for pid in all { parents[pid] = ProcFS.parent(of: pid) }
        return [initPid] + all.filter { pid in
            var ancestor = parents[pid]
            var depth = 0
            while let current = ancestor, current > 1, depth < 4096 {
                if current == initPid { return true }
                ancestor = parents[current]
                depth += 1
            }
            return false
        }
    }

    /// The target of /proc/PID/ns/NAME, e.g. "pid:[4026531836]".
    static func namespaceIdentity(of pid: pid_t, _ name: String) -> String? {
        FileSystem.readLink("/proc/\(pid)/ns/\(name)")
    }
}
