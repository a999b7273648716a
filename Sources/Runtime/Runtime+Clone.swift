import Glibc
import LinuxSystem

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
}
