import Glibc
import LinuxSystem
import OCI

extension Runtime {
    /// Writes a default config.json into `bundle`, like `runc spec`, and never
    /// overwrites one that is there.
    public static func writeDefaultSpec(bundle: String, rootless: Bool) throws(RuntimeError) -> String {
        let path = (bundle.isEmpty ? "." : bundle) + "/config.json"
        let spec = Spec.defaultSpec(rootless: rootless, uid: getuid(), gid: getgid())
        do {
            try FileSystem.writeNewFile(path, spec.encodedJSON() + [UInt8(ascii: "\n")], mode: 0o644)
        } catch .exists {
            throw RuntimeError(.alreadyExists, "write \(path): file exists, remove it first")
        } catch {
            throw .system("write \(path)", error)
        }
        return path
    }
}
