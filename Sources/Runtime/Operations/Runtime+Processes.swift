import Cgroups
import Glibc
import LinuxSystem

extension Runtime {
    /// The pids of every process of the container: those in its cgroup and
    /// the cgroup's descendants (runc's GetAllPids). Without a cgroup, the
    /// processes of the init's pid namespace while it runs.
    public func processes(id: String) throws(RuntimeError) -> [pid_t] {
        let lock = try store.lock(id)
        defer { lock.unlock() }
        let record = try loadRecord(id)
        if record.joinedCgroup != true, let cgroup = cgroupManager(of: record) {
            return cgroup.processes()
        }
        return status(of: record) == .stopped ? [] : Self.processesOfContainer(withInit: record.pid)
    }

    /// `ps ARGUMENTS` (default `-ef`) run on the host: its whole table, which
    /// the CLI cuts down to a container's processes.
    public func hostProcessTable(psArguments: [String]) throws(RuntimeError) -> String {
        let arguments = psArguments.isEmpty ? ["-ef"] : psArguments
        let (status, output) = try runCapturingOutput(["ps"] + arguments)
        guard status == 0 else {
            let text = output.trimmingWhitespace()
            throw RuntimeError(.system, "ps \(arguments.joined(separator: " ")): exit status \(status)\(text.isEmpty ? "" : ": " + text)")
        }
        return output
    }

    /// Runs a program found in $PATH with stdout and stderr into one pipe
    /// (as Go's CombinedOutput) and returns its exit status (128+N for a
    /// signal N) and output.
    func runCapturingOutput(_ arguments: [String]) throws(RuntimeError) -> (status: Int32, output: String) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw .system("run \(arguments[0]): create a pipe", .current) }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 2)
        var pid: pid_t = 0
        let spawned = withCStrings(arguments) { argv in
            posix_spawnp(&pid, arguments[0], &actions, nil, argv, environ)
        }
        close(fds[1])
        let reader = FileDescriptor(rawValue: fds[0])
        defer { reader.close() }
        guard spawned == 0 else { throw .system("run \(arguments[0])", Errno(spawned)) }
        let bytes = (try? reader.readAll()) ?? []
        let status = (try? system.wait(for: pid, block: true)) ?? nil
        return (ProcessExit(waitStatus: status ?? 0).shellCode, String(decoding: bytes, as: UTF8.self))
    }
}
