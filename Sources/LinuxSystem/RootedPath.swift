import CBerth
import Glibc

/// Paths inside a container's rootfs, resolved by the kernel as if the
/// rootfs were "/" (openat2 RESOLVE_IN_ROOT): a symlink in an image such as
/// `/evil -> /etc` leads to the rootfs's own /etc, never the host's.
/// O_PATH, which Glibc's module does not export: an fd that names a file
/// without opening it for I/O.
public let O_PATH: Int32 = 0o10000000

public enum RootedPath {
    static let resolveInRoot: UInt64 = 0x10      // RESOLVE_IN_ROOT
    static let resolveNoMagicLinks: UInt64 = 0x02 // RESOLVE_NO_MAGICLINKS

    public enum Create: Sendable { case nothing, directory, file }

    /// Opens `path` (absolute, inside the root) as O_PATH, creating missing
    /// directories on the way and, with `.file`/`.directory`, the last one.
    /// A dangling symlink on the way is followed inside the root and its
    /// target created there, as `mkdir -p` would inside a chroot.
    public static func open(_ path: String, in root: FileDescriptor, create: Create = .nothing,
                            flags: Int32 = O_PATH, mode: mode_t = 0o755) throws(Errno) -> FileDescriptor {
        try open(path.split(separator: "/").map(String.init), in: root, create: create, flags: flags,
                 mode: mode, symlinksLeft: 40)
    }

    private static func open(_ components: [String], in root: FileDescriptor, create: Create, flags: Int32,
                             mode: mode_t, symlinksLeft: Int) throws(Errno) -> FileDescriptor {
        if components.isEmpty {
            return try resolve(".", in: root, flags: flags)
        }
        if create == .nothing {
            return try resolve(components.joined(separator: "/"), in: root, flags: flags)
        }
        for end in 1...components.count {
            let prefix = components[..<end].joined(separator: "/")
            let isLast = end == components.count
            do {
                let fd = try resolve(prefix, in: root, flags: isLast ? flags : O_PATH | O_DIRECTORY)
                if isLast { return fd }
                fd.close()
            } catch .notFound {
                let parentComponents = Array(components[..<(end - 1)])
                let parent = try resolve(parentComponents.isEmpty ? "." : parentComponents.joined(separator: "/"),
                                         in: root, flags: O_PATH | O_DIRECTORY)
                defer { parent.close() }
                let name = components[end - 1]
                if let target = try danglingSymlinkTarget(name, in: parent) {
                    guard symlinksLeft > 0 else { throw Errno(ELOOP) }
                    let base = target.hasPrefix("/") ? [] : parentComponents
                    let rest = Array(components[end...])
                    return try open(base + target.split(separator: "/").map(String.init) + rest, in: root,
                                    create: create, flags: flags, mode: mode, symlinksLeft: symlinksLeft - 1)
                }
                if isLast && create == .file {
                    let fd = openat(parent.rawValue, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0o644)
                    if fd < 0 && errno != EEXIST { throw Errno.current }
                    if fd >= 0 { Glibc.close(fd) }
                } else if mkdirat(parent.rawValue, name, mode) != 0 && errno != EEXIST {
                    throw Errno.current
                }
                if isLast { return try resolve(prefix, in: root, flags: flags) }
            }
        }
        preconditionFailure("unreachable")
    }

    /// The target of `name` in `parent` when it is a symlink, else nil.
    private static func danglingSymlinkTarget(_ name: String, in parent: FileDescriptor) throws(Errno) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX))
        let count = readlinkat(parent.rawValue, name, &buffer, buffer.count - 1)
        if count < 0 {
            if errno == EINVAL || errno == ENOENT { return nil }  // not a symlink, or nothing there
            throw Errno.current
        }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The target of `path` when its last component is a symlink; nil when
    /// it is anything else or is not there.
    public static func symbolicLinkTarget(of path: String, in root: FileDescriptor) throws(Errno) -> String? {
        var components = path.split(separator: "/").map(String.init)
        guard let name = components.popLast() else { return nil }
        let parent: FileDescriptor
        do {
            parent = try resolve(components.isEmpty ? "." : components.joined(separator: "/"), in: root,
                                 flags: O_PATH | O_DIRECTORY)
        } catch .notFound {
            return nil
        }
        defer { parent.close() }
        return try danglingSymlinkTarget(name, in: parent)
    }

    /// The directory holding `path`, and the last component's name, for the
    /// *at calls (mknodat, symlinkat) that create the entry itself.
    public static func openParent(of path: String, in root: FileDescriptor) throws(Errno) -> (FileDescriptor, String) {
        var components = path.split(separator: "/").map(String.init)
        // "/" has no parent and no name: there is nothing to make there.
        guard let name = components.popLast() else { throw Errno(EISDIR) }
        let parent = try open("/" + components.joined(separator: "/"), in: root, create: .directory,
                              flags: O_PATH | O_DIRECTORY)
        return (parent, name)
    }

    static func resolve(_ relative: String, in root: FileDescriptor, flags: Int32) throws(Errno) -> FileDescriptor {
        let fd = try retryingInterrupts {
            berth_openat2(root.rawValue, relative, UInt64(flags | O_CLOEXEC), 0, resolveInRoot | resolveNoMagicLinks)
        }
        return FileDescriptor(rawValue: fd)
    }

    /// The magic link through which mount(2) and friends reach an O_PATH fd.
    public static func procPath(of fd: FileDescriptor) -> String {
        "/proc/self/fd/\(fd.rawValue)"
    }
}
