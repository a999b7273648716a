import Glibc
import LinuxSystem
import OCI

/// One directory per container under the state root:
///
///     <root>/                 0700
///       <id>/                 0700, flock'ed by every command on the id
///         state.json          ContainerRecord, replaced atomically
///         config.json         the bundle's config.json as create read it
///         exec.fifo           present from create until start
///         start-error         the init's reason when it fails after start
///
/// `mkdir <root>/<id>` is the claim on an id: of two concurrent creates with
/// the same id exactly one gets past it.
public struct StateStore: Sendable {
    public let root: String

    public init(root: String) {
        self.root = root
    }

    public func directory(of id: String) -> String { root + "/" + id }
    public func execFifo(of id: String) -> String { directory(of: id) + "/exec.fifo" }
    /// Where the init writes why it could not run the user's program after
    /// `start` (a startContainer hook or execve failed), for `start` to report.
    public func startError(of id: String) -> String { directory(of: id) + "/start-error" }
    func recordPath(of id: String) -> String { directory(of: id) + "/state.json" }
    /// Kept apart from state.json: only exec and update read it, while
    /// `state` and `list` decode state.json on every call.
    func configPath(of id: String) -> String { directory(of: id) + "/config.json" }

    /// A record decides which pids berth signals and which hooks it runs,
    /// as berth's user: a root that anyone else can write to would let them
    /// plant one. So the root must be berth's user's and writable by no
    /// group or other user (berth makes it 0700). An absent root is fine:
    /// the first create makes it.
    func requireTrustedRoot() throws(RuntimeError) {
        var info = stat()
        guard stat(root, &info) == 0 else { return }
        let user = geteuid()
        if info.st_uid != user {
            throw RuntimeError(.invalidState, "state root \(root) is owned by uid \(info.st_uid), not by berth's user \(user)")
        }
        if info.st_mode & 0o022 != 0 {
            throw RuntimeError(.invalidState,
                "state root \(root) is writable by others (mode \(String(info.st_mode & 0o7777, radix: 8))): make it 0700")
        }
    }

    /// Claims a new id. The caller owns the returned lock and must either save
    /// a record or `remove` the id.
    public func claim(_ id: String) throws(RuntimeError) -> ContainerLock {
        try ContainerID.validate(id)
        try attempt("create state directory \(root)") { () throws(Errno) in
            try FileSystem.makeDirectories(root, mode: 0o700)
        }
        try requireTrustedRoot()
        do {
            try FileSystem.makeNewDirectory(directory(of: id), mode: 0o700)
        } catch .exists {
            throw RuntimeError(.alreadyExists, "container with id exists: \(id)")
        } catch {
            throw .system("create state directory \(directory(of: id))", error)
        }
        return try lockDirectory(of: id)
    }

    /// Locks an existing container's directory; a missing one is `notFound`.
    public func lock(_ id: String) throws(RuntimeError) -> ContainerLock {
        try ContainerID.validate(id)
        try requireTrustedRoot()
        return try lockDirectory(of: id)
    }

    /// The lock itself, once the id and the root have been checked.
    private func lockDirectory(of id: String) throws(RuntimeError) -> ContainerLock {
        do throws(Errno) {
            let fd = try FileDescriptor.open(directory(of: id), O_RDONLY | O_DIRECTORY)
            do throws(Errno) {
                try fd.lock(.exclusive)
            } catch {
                fd.close()
                throw error
            }
            return ContainerLock(id: id, descriptor: fd)
        } catch .notFound {
            throw Self.doesNotExist(id)
        } catch {
            throw .system("lock state directory \(directory(of: id))", error)
        }
    }

    static func doesNotExist(_ id: String) -> RuntimeError {
        RuntimeError(.notFound, "container \(RuntimeError.quoted(id)) does not exist")
    }

    /// The record, or nil while the container is being created (its directory
    /// is claimed but no record was written yet).
    public func load(_ id: String) throws(RuntimeError) -> ContainerRecord? {
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.readFile(recordPath(of: id))
        } catch .notFound {
            guard FileSystem.isDirectory(directory(of: id)) else { throw Self.doesNotExist(id) }
            return nil
        } catch {
            throw .system("read \(recordPath(of: id))", error)
        }
        do {
            return try SpecLoader.decode(ContainerRecord.self, from: bytes)
        } catch {
            throw RuntimeError(.system, "read \(recordPath(of: id)): corrupt state file (\(error))")
        }
    }

    /// Needs the container's lock: the write is atomic, but two writers must
    /// not interleave read-modify-write cycles.
    public func save(_ record: ContainerRecord, holding lock: ContainerLock) throws(RuntimeError) {
        precondition(lock.id == record.id, "saving \(record.id) under the lock of \(lock.id)")
        let bytes: [UInt8]
        do {
            bytes = try JSONText.encode(record)
        } catch {
            throw RuntimeError(.system, "encode state of \(record.id): \(error)")
        }
        try attempt("write \(recordPath(of: record.id))") { () throws(Errno) in
            try FileSystem.writeFileAtomically(recordPath(of: record.id), bytes)
        }
    }

    /// Keeps the config as create read it (the exact bytes): the bundle may
    /// change or go once the container exists, and must not change what
    /// exec and update do (runtime.md, lifecycle step 2).
    public func saveConfig(_ bytes: [UInt8], holding lock: ContainerLock) throws(RuntimeError) {
        try attempt("write \(configPath(of: lock.id))") { () throws(Errno) in
            try FileSystem.writeFileAtomically(configPath(of: lock.id), bytes)
        }
    }

    /// The config `saveConfig` kept.
    public func loadConfig(_ id: String) throws(RuntimeError) -> [UInt8] {
        try attempt("read \(configPath(of: id))") { () throws(Errno) in try FileSystem.readFile(configPath(of: id)) }
    }

    /// Removes the container's directory and everything in it.
    public func remove(holding lock: ContainerLock) throws(RuntimeError) {
        try attempt("remove state directory \(directory(of: lock.id))") { () throws(Errno) in
            try FileSystem.removeTree(directory(of: lock.id))
        }
    }

    /// The ids of every container under the root, sorted; an absent root has none.
    public func ids() throws(RuntimeError) -> [String] {
        try requireTrustedRoot()
        do {
            return try FileSystem.listDirectory(root).filter { name in
                (try? ContainerID.validate(name)) != nil && FileSystem.isDirectory(directory(of: name))
            }
        } catch .notFound {
            return []
        } catch {
            throw .system("list state directory \(root)", error)
        }
    }
}

/// Proof that the caller holds a container's lock; released by `unlock` or
/// when the process exits.
public struct ContainerLock: Sendable {
    public let id: String
    let descriptor: FileDescriptor

    public func unlock() { descriptor.close() }
}
