import Cgroups
import Glibc
import LinuxSystem
import OCI

/// What several operations need of a container's recorded state: its
/// record (locked or live), the config create kept, the owner's name.
extension Runtime {
    /// The record of an existing container; one still being created has none.
    func loadRecord(_ id: String) throws(RuntimeError) -> ContainerRecord {
        guard let record = try store.load(id) else {
            throw RuntimeError(.invalidState, "container \(id) is still being created")
        }
        return record
    }

    /// The record of a container that is not stopped, read under its lock.
    func liveRecord(_ id: String) throws(RuntimeError) -> ContainerRecord {
        let lock = try store.lock(id)
        defer { lock.unlock() }
        let record = try loadRecord(id)
        guard status(of: record) != .stopped else {
            throw RuntimeError(.invalidState, "container with id \(id) is not running")
        }
        return record
    }

    /// config.json decoded and validated, every problem reported with its
    /// JSON path, and the bytes it was decoded from.
    /// 16 MiB: a config with thousands of mounts and seccomp rules is a few
    /// hundred KiB.
    static let maximumConfigSize = 16 << 20

    func loadSpec(bundle: String) throws(RuntimeError) -> (spec: Spec, bytes: [UInt8]) {
        let path = bundle + "/config.json"
        var info = stat()
        if stat(path, &info) == 0, info.st_size > Self.maximumConfigSize {
            // Read whole and parsed into a tree, a huge file costs twice its
            // size in memory; no real config comes near this.
            throw RuntimeError(.invalidConfig, "read \(path): \(info.st_size) bytes, more than the \(Self.maximumConfigSize) berth reads")
        }
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.readFile(path)
        } catch {
            throw RuntimeError(.invalidConfig, "read \(path)", errno: error)
        }
        return (try decodeSpec(bytes, path: path, pathExists: { FileSystem.exists($0) }), bytes)
    }

    /// The config create kept for the container, for exec: what create
    /// checked is checked again (the planning code relies on it), except
    /// that paths need not exist any more, e.g. a namespace joined at create.
    func recordedSpec(of record: ContainerRecord) throws(RuntimeError) -> Spec {
        try decodeSpec(try store.loadConfig(record.id), path: store.configPath(of: record.id), pathExists: { _ in true })
    }

    func decodeSpec(_ bytes: [UInt8], path: String,
                    pathExists: @escaping @Sendable (String) -> Bool) throws(RuntimeError) -> Spec {
        let spec: Spec
        do {
            spec = try SpecLoader.decode(bytes)
        } catch {
            throw RuntimeError(.invalidConfig, "\(path): invalid config", details: error.problems.map(\.description))
        }
        let environment = ValidationEnvironment(pathExists: pathExists)
        let problems = spec.validate(for: .create, environment: environment)
        if !problems.isEmpty {
            throw RuntimeError(.invalidConfig, "\(path): \(problems.count) problem(s)", details: problems.map(\.description))
        }
        return spec
    }

    /// The name of berth's user, read from /etc/passwd itself: berth is a
    /// static executable, and a static glibc cannot load NSS modules.
    static func ownerName() -> String {
        let uid = String(geteuid())
        let passwd = FileSystem.readText("/etc/passwd") ?? ""
        for line in passwd.split(separator: "\n") {
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            if fields.count > 2 && fields[2] == uid { return String(fields[0]) }
        }
        return uid
    }

    /// The record of `id` and its status, once `operation` is allowed in
    /// that status; its refusal otherwise. The caller holds the lock.
    func record(_ id: String, allowing operation: ContainerOperation) throws(RuntimeError)
        -> (record: ContainerRecord, status: ContainerStatus) {
        let record = try loadRecord(id)
        let status = status(of: record)
        guard status.allows(operation) else { throw status.refusal(of: operation, id: id) }
        return (record, status)
    }
}
