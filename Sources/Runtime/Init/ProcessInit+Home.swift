import Glibc
import LinuxSystem

/// HOME, as runc sets it: a process whose environment has no HOME (or an
/// empty one) gets its user's home directory from the container's
/// /etc/passwd, or "/" when the user has no entry there.
extension ProcessInit {
    /// Larger than any real passwd file; a bound on what an image can make
    /// the init read.
    static let passwdSizeLimit = 4 << 20

    /// The environment the process gets. Called once "/" is the container's
    /// root (after pivot_root, or after joining its mount namespace).
    func environmentWithHome() -> [String] {
        let env = plan.process.env
        if let home = env.last(where: { $0.hasPrefix("HOME=") }), home.count > 5 { return env }
        let passwd = Self.readContainerPasswd() ?? []
        let home = Self.homeDirectory(ofUser: plan.process.uid, passwd: passwd) ?? "/"
        return env.filter { !$0.hasPrefix("HOME=") } + ["HOME=" + home]
    }

    /// The container's /etc/passwd, resolved inside its root (no symlink
    /// leads out, no magic link is followed), only if it is a regular file
    /// (a FIFO there must not block the init) of a bounded size.
    static func readContainerPasswd() -> [UInt8]? {
        guard let root = try? FileDescriptor.open("/", O_PATH | O_DIRECTORY) else { return nil }
        defer { root.close() }
        guard let file = try? RootedPath.open("/etc/passwd", in: root, flags: O_RDONLY | O_NONBLOCK | O_NOCTTY) else {
            return nil
        }
        defer { file.close() }
        guard let info = try? file.status(), (info.st_mode & S_IFMT) == S_IFREG,
              info.st_size <= passwdSizeLimit else { return nil }
        guard let bytes = try? file.readAll(), bytes.count <= passwdSizeLimit else { return nil }
        return bytes
    }

    /// The home field of the first passwd(5) entry with this uid; nil when
    /// there is none or it is empty.
    static func homeDirectory(ofUser uid: uid_t, passwd: [UInt8]) -> String? {
        for line in passwd.split(separator: UInt8(ascii: "\n")) {
            let fields = line.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
            guard fields.count >= 7, fields[2].elementsEqual(String(uid).utf8) else { continue }
            let home = String(decoding: fields[5], as: UTF8.self)
            return home.isEmpty ? nil : home
        }
        return nil
    }
}
