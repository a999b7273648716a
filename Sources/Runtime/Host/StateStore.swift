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
/// The claim on an id is the rename of a staging directory, already locked
/// and holding the first record, to `<root>/<id>` (without replacing):
/// of two concurrent creates with the same id exactly one gets past it,
/// and no one ever sees a container directory without its record.
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

    /// Claims a new id with its first record (and the config create read)
    /// in place. The caller owns the returned lock and must either keep the
    /// record up to date or `remove` the id.
    public func claim(_ record: ContainerRecord, config: [UInt8]? = nil) throws(RuntimeError) -> ContainerLock {
        let id = record.id
        try ContainerID.validate(id)
        try attempt("create state directory \(root)") { () throws(Errno) in
            try FileSystem.makeDirectories(root, mode: 0o700)
        }
        try requireTrustedRoot()
        // Named after this process: a staging directory left by a berth
        // that died is removed by the next berth with its pid, or by
        // `delete --force` (removeAbandonedStaging). `remove` uses the
        // same name on the way out.
        let staging = root + "/" + Self.stagingPrefix + String(getpid())
        try? FileSystem.removeTree(staging)
        let lock = try attempt("create state directory \(staging)") { () throws(Errno) in
            try FileSystem.makeNewDirectory(staging, mode: 0o700)
            let fd = try FileDescriptor.open(staging, O_RDONLY | O_DIRECTORY)
            // Taken before anyone can see the directory under the id, and
            // kept across the rename (the lock is on the directory itself).
            do throws(Errno) { try fd.lock(.exclusive) } catch { fd.close(); throw error }
            return ContainerLock(id: id, descriptor: fd)
        }
        do throws(RuntimeError) {
            try write(record, to: staging + "/state.json")
            if let config {
                try attempt("write \(staging)/config.json") { () throws(Errno) in
                    try FileSystem.writeFileAtomically(staging + "/config.json", config)
                }
            }
            do throws(Errno) {
                try FileSystem.renameWithoutReplacing(staging, to: directory(of: id))
            } catch .exists {
                throw RuntimeError(.alreadyExists, "container with id exists: \(id)")
            } catch {
                throw .system("create state directory \(directory(of: id))", error)
            }
        } catch {
            lock.unlock()
            try? FileSystem.removeTree(staging)
            throw error
        }
        return lock
    }

    /// Staging directories (a container's directory on its way in or out)
    /// start with a character no container id has.
    static let stagingPrefix = "~claim-"

    /// Compiled seccomp filters, beside the containers: "~" is not in any
    /// container id, so `list` never takes it for one. None under a state
    /// root berth does not trust: a planted entry would be a filter.
    var seccompCache: SeccompCache? {
        (try? requireTrustedRoot()) == nil ? nil : SeccompCache(directory: root + "/~seccomp-cache")
    }

    /// Removes staging directories whose berth died before it was done with
    /// them (nobody holds their lock). They never stand for anything on the
    /// host: a claim is renamed in before create changes anything, and a
    /// container is renamed out only after delete undid everything.
    public func removeAbandonedStaging() {
        for name in (try? FileSystem.listDirectory(root)) ?? [] where name.hasPrefix(Self.stagingPrefix) {
            let path = root + "/" + name
            guard let fd = try? FileDescriptor.open(path, O_RDONLY | O_DIRECTORY) else { continue }
            defer { fd.close() }
            if (try? fd.lock(.exclusive, wait: false)) != nil { try? FileSystem.removeTree(path) }
        }
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
            throw RuntimeError(.corruptState, "read \(recordPath(of: id)): corrupt state file (\(error))")
        }
    }

    /// Needs the container's lock: the write is atomic, but two writers must
    /// not interleave read-modify-write cycles.
    public func save(_ record: ContainerRecord, holding lock: ContainerLock) throws(RuntimeError) {
        precondition(lock.id == record.id, "saving \(record.id) under the lock of \(lock.id)")
        try write(record, to: recordPath(of: record.id))
    }

    private func write(_ record: ContainerRecord, to path: String) throws(RuntimeError) {
        let bytes: [UInt8]
        do {
            bytes = try JSONText.encode(record)
        } catch {
            throw RuntimeError(.system, "encode state of \(record.id): \(error)")
        }
        try attempt("write \(path)") { () throws(Errno) in
            try FileSystem.writeFileAtomically(path, bytes)
        }
    }

    /// The config as create read it (the exact bytes, kept by `claim`): the
    /// bundle may change or go once the container exists, and must not
    /// change what exec and update do (runtime.md, lifecycle step 2).
    public func loadConfig(_ id: String) throws(RuntimeError) -> [UInt8] {
        try attempt("read \(configPath(of: id))") { () throws(Errno) in try FileSystem.readFile(configPath(of: id)) }
    }

    /// Removes the container's directory and everything in it: first
    /// renamed out of the way in one step, so that a berth killed half-way
    /// leaves either the whole container or a staging directory that no
    /// command mistakes for one (removeAbandonedStaging sweeps it).
    public func remove(holding lock: ContainerLock) throws(RuntimeError) {
        let leaving = root + "/" + Self.stagingPrefix + String(getpid())
        try? FileSystem.removeTree(leaving)
        try attempt("remove state directory \(directory(of: lock.id))") { () throws(Errno) in
            _ = try retryingInterrupts { rename(directory(of: lock.id), leaving) }
            try FileSystem.removeTree(leaving)
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
