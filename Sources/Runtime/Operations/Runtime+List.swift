import Glibc
import LinuxSystem
import OCI

/// One row of `berth list`, with the fields runc's `list --format json` has.
public struct ContainerSummary: Codable, Sendable, Equatable {
    public var ociVersion: String
    public var id: String
    public var pid: Int32
    public var status: String
    public var bundle: String
    public var rootfs: String
    public var created: String
    public var owner: String
    public var annotations: [String: String]?
}

extension Runtime {
    /// Every container under the root, also one whose create is under way
    /// or died half-way ("creating"). Containers deleted while listing are
    /// skipped; one whose state cannot be read is warned about (only
    /// `delete --force` can remove it).
    ///
    /// A root that does not exist holds no containers; with `rootMustExist`
    /// (a --root given on the command line) it is an error instead, as with
    /// runc: a mistyped --root must not look like an empty one.
    public func list(rootMustExist: Bool = false) throws(RuntimeError) -> [ContainerSummary] {
        if rootMustExist && !FileSystem.exists(store.root) {
            throw RuntimeError(.notFound, "open \(store.root)", errno: Errno(ENOENT))
        }
        var summaries: [ContainerSummary] = []
        for id in try store.ids() {
            let record: ContainerRecord?
            do {
                let lock = try store.lock(id)
                defer { lock.unlock() }
                record = try store.load(id)
            } catch where error.code == .notFound {
                continue
            } catch {
                log.warning("container \(RuntimeError.quoted(id)) not listed: \(error.summary)")
                continue
            }
            guard let record else { continue }
            let status = status(of: record)
            summaries.append(ContainerSummary(
                ociVersion: record.ociVersion, id: id, pid: status == .stopped ? 0 : record.pid,
                status: status.rawValue, bundle: record.bundle, rootfs: record.rootfs,
                created: record.created, owner: record.owner, annotations: record.annotations))
        }
        return summaries
    }
}
