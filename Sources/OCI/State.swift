// The state of a container (runtime.md "State"), as printed by `state` and
// passed to hooks on stdin.

public struct State: Codable, Sendable, Equatable {
    public var ociVersion: String
    public var id: String
    /// `creating`, `created`, `running` or `stopped`; the spec allows more.
    public var status: String
    /// Required on Linux when the status is `created` or `running`.
    public var pid: Int32?
    /// Absolute path of the bundle directory.
    public var bundle: String
    public var annotations: [String: String]?

    public init(
        ociVersion: String = ociSpecVersion, id: String, status: String, pid: Int32? = nil,
        bundle: String, annotations: [String: String]? = nil
    ) {
        self.ociVersion = ociVersion
        self.id = id
        self.status = status
        self.pid = pid
        self.bundle = bundle
        self.annotations = annotations
    }
}
