import Testing
@testable import Runtime

/// The status guards: which operation each status allows, and the one
/// sentence shape of a refusal with the words managers match.
@Suite struct ContainerStatusTests {
    /// runc's rules (and the spec's for start, kill and delete).
    static let allowed: [ContainerOperation: Set<ContainerStatus>] = [
        .start: [.created],
        .kill: [.created, .running, .paused],
        .exec: [.created, .running],
        .pause: [.created, .running],
        .resume: [.paused],
        .update: [.created, .running, .paused],
        .delete: [.stopped, .creating],
    ]

    @Test(arguments: ContainerStatus.allCases, ContainerOperation.allCases)
    func eachOperationIsAllowedInExactlyItsStatuses(status: ContainerStatus, operation: ContainerOperation) {
        #expect(status.allows(operation) == Self.allowed[operation]!.contains(status))
    }

    @Test(arguments: ContainerStatus.allCases)
    func theNamedGuardsAgreeWithAllows(status: ContainerStatus) {
        let guards: [(ContainerOperation, Bool)] = [
            (.start, status.canStart), (.kill, status.canKill), (.exec, status.canExec), (.pause, status.canPause),
            (.resume, status.canResume), (.update, status.canUpdate), (.delete, status.canDelete),
        ]
        for (operation, allowed) in guards {
            #expect(allowed == status.allows(operation), "\(operation) in \(status)")
        }
    }

    @Test(arguments: ContainerStatus.allCases, ContainerOperation.allCases)
    func everyRefusalReadsCannotVerbAStatusContainer(status: ContainerStatus, operation: ContainerOperation) {
        let error = status.refusal(of: operation, id: "c1")
        #expect(error.code == .invalidState)
        let verb = operation == .exec ? "exec in" : operation.rawValue
        #expect(error.summary.hasPrefix("cannot \(verb) a \(status.rawValue) container \"c1\": "), "\(error.summary)")
    }

    /// Managers match "container not running"; the integration tests match
    /// the rest word for word.
    @Test(arguments: [
        (ContainerOperation.kill, ContainerStatus.stopped, "container not running"),
        (.pause, .paused, "container not running"),
        (.pause, .stopped, "container not running"),
        (.update, .stopped, "container not running"),
        (.exec, .stopped, "cannot exec in a stopped container"),
        (.exec, .paused, "cannot exec in a paused container"),
        (.exec, .paused, "--ignore-paused"),
        (.resume, .running, "container not paused"),
        (.start, .running, "container not created"),
        (.delete, .running, "--force"),
    ])
    func refusalsKeepTheWordsOthersMatch(operation: ContainerOperation, status: ContainerStatus, words: String) {
        let summary = status.refusal(of: operation, id: "c1").summary
        #expect(summary.contains(words), "\(summary)")
    }
}
