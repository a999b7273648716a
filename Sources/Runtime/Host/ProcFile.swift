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
        let onProcfs = try attempt("write \(path)") { () throws(Errno) -> Bool in
            let fd: FileDescriptor
            if let root {
                fd = try RootedPath.open(path, in: root, flags: O_WRONLY)
            } else {
                fd = try FileDescriptor.open(path, O_WRONLY)
            }
            defer { fd.close() }
            guard fd.fileSystemType == FileDescriptor.procSuperMagic else { return false }
            try fd.writeAll(Array(value.utf8))
            return true
        }
        if !onProcfs {
            throw RuntimeError(.system, "write \(path): not a file of procfs (something is mounted or planted over it)")
        }
    }
}
