import Glibc
import LinuxSystem

/// The exec helper (helpers/exec-helper.c, built by the Makefile): a few
/// hundred bytes of static code that a container's process executes just
/// before the user's program. berth copies it into a sealed memfd for each
/// container, so the process's /proc/self/exe is never the berth binary
/// when the user's program (or a `#!/proc/self/exe` script) starts, and
/// nothing in the container can write to berth through it (CVE-2019-5736).
/// Copying these bytes costs microseconds where copying berth itself would
/// cost milliseconds per container.
enum ExecHelper {
    /// Where it is installed next to berth: the build directory, or
    /// PREFIX/libexec/berth for `make install`.
    static func candidates(besides executable: String) -> [String] {
        let directory = String(executable[..<(executable.lastIndex(of: "/") ?? executable.startIndex)])
        return [directory + "/berth-exec-helper", directory + "/../libexec/berth/exec-helper"]
    }

    static func sealedCopy() throws(RuntimeError) -> FileDescriptor {
        let places = candidates(besides: FileSystem.readLink("/proc/self/exe") ?? "")
        guard let path = places.first(where: FileSystem.exists) else {
            throw RuntimeError(.system, "find the exec helper: none at \(places.joined(separator: " or ")) (build berth with make)")
        }
        return try attempt("copy the exec helper \(path) into a sealed memfd") { () throws(Errno) in
            let bytes = try FileSystem.readFile(path)
            return try FileDescriptor.sealedMemoryFile(named: "berth-exec-helper", holding: bytes)
        }
    }
}
