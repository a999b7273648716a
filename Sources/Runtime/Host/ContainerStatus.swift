/// The runtime spec's statuses, plus `creating` for a container whose create
/// is still under way (or died half-way, until `delete --force`).
///
/// Every operation on an existing container asks its guard here and, when
/// it says no, throws `refusal(of:id:)`: one place decides which operation
/// is allowed in which status, and one sentence shape says why not.
public enum ContainerStatus: String, Sendable, Codable, CaseIterable {
    case creating, created, running, stopped, paused

    public var canStart: Bool { self == .created }
    public var canKill: Bool { self == .created || self == .running || self == .paused }
    /// runc execs into a created container too (its init is alive and in
    /// every namespace). A paused one only with --ignore-paused, which the
    /// operation decides.
    public var canExec: Bool { self == .created || self == .running }
    /// As runc, a created container can be paused too.
    public var canPause: Bool { self == .created || self == .running }
    public var canResume: Bool { self == .paused }
    public var canUpdate: Bool { self == .created || self == .running || self == .paused }
    /// Without --force. The spec: deleting a container that is not stopped
    /// MUST be an error; a creating one is a create that died half-way.
    public var canDelete: Bool { self == .stopped || self == .creating }

    public func allows(_ operation: ContainerOperation) -> Bool {
        switch operation {
        case .start: canStart
        case .kill: canKill
        case .exec: canExec
        case .pause: canPause
        case .resume: canResume
        case .update: canUpdate
        case .delete: canDelete
        }
    }

    /// Why `operation` is refused in this status, as runc words it
    /// ("cannot exec in a stopped container") with the id, and then the
    /// words container managers match ("container not running").
    public func refusal(of operation: ContainerOperation, id: String) -> RuntimeError {
        let rule = switch (operation, self) {
        case (.exec, .paused): "use --ignore-paused"
        case (.start, _): "container not created"
        case (.resume, _): "container not paused"
        case (.delete, _): "container not stopped (use --force)"
        default: "container not running"
        }
        return RuntimeError(.invalidState,
                            "cannot \(operation.phrase) a \(rawValue) container \(RuntimeError.quoted(id)): \(rule)")
    }
}

/// The operations whose status guard is `ContainerStatus.allows`.
public enum ContainerOperation: String, Sendable, CaseIterable {
    case start, kill, exec, pause, resume, update, delete

    /// The verb as it reads before "a running container".
    var phrase: String { self == .exec ? "exec in" : rawValue }
}
