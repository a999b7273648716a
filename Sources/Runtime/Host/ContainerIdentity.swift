import OCI

/// What the spec's state document says of a container besides its status
/// and pid. The init has only the launch plan (no record exists before
/// `ready`); berth later has only the record: both describe the container
/// the same way, so every hook and `state` get their document from
/// `state(_:pid:)` and cannot drift apart.
protocol ContainerIdentity {
    var ociVersion: String { get }
    var id: String { get }
    var bundle: String { get }
    var annotations: [String: String]? { get }
}

extension ContainerIdentity {
    /// The state document (runtime.md, State) that hooks get on stdin and
    /// `state` prints. `pid` as whoever reads it sees the init: the host's
    /// for berth's hooks, the container's for those run in its namespaces.
    func state(_ status: ContainerStatus, pid: Int32?) -> State {
        State(ociVersion: ociVersion, id: id, status: status.rawValue, pid: pid, bundle: bundle, annotations: annotations)
    }
}

extension ContainerRecord: ContainerIdentity {}
extension LaunchPlan: ContainerIdentity {}
