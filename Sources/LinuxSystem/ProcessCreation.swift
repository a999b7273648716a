import CBerth
import Glibc

/// Making the container's processes. berth clones without CLONE_VM and runs
/// Swift in the child, which is safe only while berth has one thread: a
/// child of a threaded process can inherit a lock another thread held
/// (malloc's), and setns into mount or user namespaces fails with EINVAL in
/// a threaded process (DESIGN §3, §6). `clone` therefore checks the
/// invariant each time instead of trusting it.
public enum ProcessCreation {
    public struct ThreadedProcess: Error, Sendable {
        public let threads: Int
    }

    /// Like fork(), in new namespaces (`flags`: CLONE_NEW*) and, with a
    /// `cgroup` directory, started inside that cgroup (CLONE_INTO_CGROUP),
    /// so no code of the child ever runs outside it. 0 in the child, the
    /// child's pid in the parent.
    public static func clone(flags: UInt64, into cgroup: FileDescriptor?) throws(Errno) -> pid_t {
        let pid = berth_clone(flags, cgroup?.rawValue ?? -1)
        if pid < 0 { throw Errno.current }
        return pid
    }

    /// The calling process's own environment, as `NAME=value` entries.
    public static func currentEnvironment() -> [String] {
        var entries: [String] = []
        let start: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = environ  // nil after clearenv(3)
        guard var entry = start else { return entries }
        while let pointer = entry.pointee {
            entries.append(String(cString: pointer))
            entry += 1
        }
        return entries
    }

    /// A lifecycle hook's process: `path` executed with exactly `arguments`
    /// (argv[0] included) and `environment`, `stdio` as its descriptors 0–2
    /// and no other, every signal unblocked and at its default, in
    /// `directory` when given. Made without clone3 (see berth_spawn).
    public static func spawn(_ path: String, arguments: [String], environment: [String],
                             stdio: [FileDescriptor], directory: String?) throws(Errno) -> pid_t {
        guard stdio.count == 3 else { throw Errno(EINVAL) }
        let pid = withCStrings(arguments) { argv in
            withCStrings(environment) { envp in
                withOptionalCString(directory) { directory in
                    berth_spawn(path, argv, envp, stdio[0].rawValue, stdio[1].rawValue, stdio[2].rawValue, directory)
                }
            }
        }
        if pid < 0 { throw Errno.current }
        return pid
    }

    /// The threads of the calling process (entries of /proc/self/task).
    public static func threadCount() -> Int {
        guard let directory = opendir("/proc/self/task") else { return 0 }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            // Every entry but "." and ".." is a thread id.
            if entry.pointee.d_name.0 != UInt8(ascii: ".") { count += 1 }
        }
        return count
    }

    /// Throws unless the calling process has exactly one thread.
    public static func requireSingleThread() throws(ThreadedProcess) {
        let threads = threadCount()
        if threads != 1 { throw ThreadedProcess(threads: threads) }
    }
}
