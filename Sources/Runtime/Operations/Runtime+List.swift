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
    /// Every container under the root. Containers deleted while listing are
    /// skipped rather than reported as errors.
    public func list() throws(RuntimeError) -> [ContainerSummary] {
        var summaries: [ContainerSummary] = []
        for id in try store.ids() {
            guard let lock = try? store.lock(id) else { continue }
            defer { lock.unlock() }
            guard let record = try? store.load(id) else { continue }
            let status = status(of: record)
            summaries.append(ContainerSummary(
                ociVersion: record.ociVersion, id: id, pid: status == .stopped ? 0 : record.pid,
                status: status.rawValue, bundle: record.bundle, rootfs: record.rootfs,
                created: record.created, owner: record.owner, annotations: record.annotations))
        }
        return summaries
    }
}
