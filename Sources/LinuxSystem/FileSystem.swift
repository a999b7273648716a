import CBerth
import Glibc

/// Plain file-system helpers for the runtime's own files (state, config).
/// Paths inside a container's rootfs never go through these: they are
/// resolved with openat2 RESOLVE_IN_ROOT instead.
public enum FileSystem {
    public static func readFile(_ path: String) throws(Errno) -> [UInt8] {
        let fd = try FileDescriptor.open(path, O_RDONLY)
        defer { fd.close() }
        return try fd.readAll()
    }

    /// A file's content as text, or nil when it cannot be read: for /proc,
    /// /sys and cgroup files, where absence is an answer, not an error.
    public static func readText(_ path: String) -> String? {
        (try? readFile(path)).map { String(decoding: $0, as: UTF8.self) }
    }

    /// A symlink's target, or nil (not a link, or unreadable).
    public static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX))
        let length = readlink(path, &buffer, buffer.count - 1)
        guard length > 0 else { return nil }
        return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Writes to a temporary file beside `path` and renames it into place,
    /// so a reader sees the old or the new content, never a torn one. No
    /// fsync: the runtime's state lives on tmpfs (/run) and means nothing
    /// after a reboot, and a sync costs a container start milliseconds on a
    /// disk-backed --root.
    public static func writeFileAtomically(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o600) throws(Errno) {
        let temporary = path + ".tmp-\(getpid())"
        let fd = try FileDescriptor.open(temporary, O_WRONLY | O_CREAT | O_TRUNC, mode: mode)
        do {
            try fd.writeAll(bytes)
            fd.close()
            _ = try retryingInterrupts { rename(temporary, path) }
        } catch {
            fd.close()
            unlink(temporary)
            throw error
        }
    }

    /// Moves `from` to `to` unless `to` exists (EEXIST), in one step: what
    /// another process sees at `to` is either nothing or all of `from`.
    public static func renameWithoutReplacing(_ from: String, to: String) throws(Errno) {
        _ = try retryingInterrupts { berth_rename_noreplace(from, to) }
    }

    /// Creates a new file and fails if it exists (O_EXCL), so nothing the user
    /// already has is overwritten.
    public static func writeNewFile(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o644) throws(Errno) {
        let fd = try FileDescriptor.open(path, O_WRONLY | O_CREAT | O_EXCL, mode: mode)
        defer { fd.close() }
        try fd.writeAll(bytes)
    }

    public static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// mkdir that succeeds when the directory is already there.
    public static func makeDirectory(_ path: String, mode: mode_t) throws(Errno) {
        if mkdir(path, mode) != 0 && errno != EEXIST { throw Errno.current }
    }

    /// mkdir -p, each created component with `mode`.
    public static func makeDirectories(_ path: String, mode: mode_t) throws(Errno) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            try makeDirectory(prefix, mode: mode)
        }
    }

    /// mkdir that fails with EEXIST when the directory is there: used to claim
    /// a container id atomically.
    public static func makeNewDirectory(_ path: String, mode: mode_t) throws(Errno) {
        _ = try retryingInterrupts { mkdir(path, mode) }
    }

    public static func listDirectory(_ path: String) throws(Errno) -> [String] {
        guard let directory = opendir(path) else { throw Errno.current }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// rm -rf without following symlinks. A missing path is not an error.
    public static func removeTree(_ path: String) throws(Errno) {
        var info = stat()
        if lstat(path, &info) != 0 {
            if errno == ENOENT { return }
            throw Errno.current
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            for name in try listDirectory(path) {
                try removeTree(path + "/" + name)
            }
            if rmdir(path) != 0 && errno != ENOENT { throw Errno.current }
        } else if unlink(path) != 0 && errno != ENOENT {
            throw Errno.current
        }
    }

    public static func currentDirectory() throws(Errno) -> String {
        guard let pointer = getcwd(nil, 0) else { throw Errno.current }
        defer { free(pointer) }
        return String(cString: pointer)
    }

    /// Makes a path absolute against the current directory without resolving
    /// symlinks: the spec records the bundle "as given", made absolute.
    public static func absolute(_ path: String) throws(Errno) -> String {
        if path.hasPrefix("/") { return normalized(path) }
        return normalized(try currentDirectory() + "/" + path)
    }

    /// Removes `.`, empty components and resolves `..` lexically.
    public static func normalized(_ path: String) -> String {
        var parts: [Substring] = []
        for component in path.split(separator: "/") {
            switch component {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(component)
            }
        }
        return "/" + parts.joined(separator: "/")
    }
}
