import OCI

extension Runtime {
    /// The spec's `state` document of one container. A stopped container
    /// reports pid 0, like runc.
    public func state(of id: String) throws(RuntimeError) -> State {
        let lock = try store.lock(id)
        defer { lock.unlock() }
        return try stateDocument(of: id)
    }

    func stateDocument(of id: String) throws(RuntimeError) -> State {
        let record = try store.load(id)
        let status = status(of: record)
        guard let record else {
            return State(ociVersion: BerthVersion.ociVersion, id: id, status: status.rawValue, pid: nil, bundle: "", annotations: nil)
        }
        let livePid: Int32? = (status == .stopped || status == .creating) ? 0 : record.pid
        return record.state(status, pid: livePid)
    }
}
