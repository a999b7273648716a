import Glibc
import LinuxSystem

/// Every write berth makes to a /proc file (sysctl, oom_score_adj, id maps,
/// time offsets, LSM attributes) goes through here: the file is opened,
/// checked to be on a real procfs, and only then written. A container image
/// or a mount of the config can put an ordinary file where /proc/sys/... or
/// /proc/self/attr/... is expected; writing into it would silently not
/// apply the setting, or apply it somewhere else (the class of
/// CVE-2025-52881).
enum ProcFile {

    /// Writes `value` to `path`; with `root`, the path is resolved inside it.
    static func write(_ value: String, to path: String, in root: FileDescriptor? = nil) throws(RuntimeError) {
        let refusal = try attempt("write \(path)") { () throws(Errno) -> String? in
            let fd = try open(path, in: root, flags: O_WRONLY)
            defer { fd.close() }
            if let refusal = try problem(with: fd, in: root) { return refusal }
            try fd.writeAll(Array(value.utf8))
            return nil
        }
        if let refusal {
            throw RuntimeError(.system, "write \(path): \(refusal)")
        }
    }

    private static func open(_ path: String, in root: FileDescriptor?, flags: Int32) throws(Errno) -> FileDescriptor {
        if let root { return try RootedPath.open(path, in: root, flags: flags) }
        return try FileDescriptor.open(path, flags)
    }

    /// Being on procfs is not enough: a bind mount of another procfs file
    /// (somaxconn over domainname) is procfs too. The file must be on the
    /// very mount of /proc, with nothing mounted between.
    private static func problem(with file: FileDescriptor, in root: FileDescriptor?) throws(Errno) -> String? {
        guard file.fileSystemType == FileDescriptor.procSuperMagic else {
            return "not a file of procfs (something is mounted or planted over it)"
        }
        let proc = try open("/proc", in: root, flags: O_PATH | O_DIRECTORY)
        defer { proc.close() }
        if let fileMount = file.mountID, let procMount = proc.mountID, fileMount != procMount {
            return "something is mounted over it (it is not on the mount of /proc)"
        }
        return nil
    }
}
