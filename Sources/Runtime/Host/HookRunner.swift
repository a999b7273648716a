import Glibc
import LinuxSystem
import OCI

/// Runs one lifecycle hook: the container's state JSON on stdin, the hook's
/// own args and env, killed when its timeout passes. Used by berth and by
/// the container's init (createContainer, startContainer), both of which are
/// single-threaded, so posix_spawn is safe in either.
enum HookRunner {
    static func run(_ hook: Hook, kind: String, index: Int, state: State, system: any SystemCalls) throws(RuntimeError) {
        let label = "\(kind) hook #\(index) (\(hook.path))"
        let input = (try? JSONText.encode(state)) ?? []

        // The hook's stdin is a socket rather than a pipe so that berth can
        // write with MSG_NOSIGNAL: a hook that exits without reading must
        // not kill berth with SIGPIPE. Close-on-exec, so the hook sees EOF
        // once berth closes its end.
        let (hookEnd, berthEnd) = try attempt("run \(label): create its stdin") { () throws(Errno) in
            try FileDescriptor.socketPair(.stream)
        }
        var pipeFds = [hookEnd.rawValue, berthEnd.rawValue]
        defer { if pipeFds[1] >= 0 { close(pipeFds[1]) } }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipeFds[0], 0)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The hook must not inherit the signals `run` blocks for forwarding.
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))

        let arguments = hook.args ?? [hook.path]
        var pid: pid_t = 0
        let spawned = withCStrings(arguments) { argv in
            withCStrings(hook.env ?? []) { envp in
                posix_spawn(&pid, hook.path, &actions, &attributes, argv, envp)
            }
        }
        close(pipeFds[0])
        guard spawned == 0 else { throw .system("run \(label)", Errno(spawned)) }

        // A hook that does not read its stdin is fine: EPIPE is ignored.
        try? berthEnd.sendAll(input)
        close(pipeFds[1])
        pipeFds[1] = -1

        let status = wait(for: pid, timeoutSeconds: hook.timeout, system: system)
        switch status {
        case .ended(.exited(0)): return
        case .ended(let ending): throw RuntimeError(.system, "\(label) failed: \(ending)")
        case .timedOut: throw RuntimeError(.system, "\(label) failed: timed out after \(hook.timeout ?? 0)s")
        }
    }

    enum Outcome: Equatable { case ended(ProcessExit), timedOut }

    /// Waits for a child, killing it once `timeoutSeconds` have passed.
    static func wait(for pid: pid_t, timeoutSeconds: Int?, system: any SystemCalls) -> Outcome {
        var outcome = Outcome.ended(.exited(-1))
        // Without a timeout the wait blocks; with one, it polls.
        let block = timeoutSeconds == nil
        let ended = Polling.until(seconds: timeoutSeconds.map { UInt64(clamping: $0) }, first: 1000, longest: 50_000) {
            do {
                guard let status = try system.wait(for: pid, block: block) else { return false }
                outcome = .ended(ProcessExit(waitStatus: status))
            } catch {
                outcome = .ended(.exited(-1))
            }
            return true
        }
        if !ended {
            system.killAndReap(pid)
            return .timedOut
        }
        return outcome
    }
}
