import Foundation
import Glibc

/// The container state the runtime prints for `state ID` (runtime.md#state).
struct ContainerState {
    var id: String
    var status: String
    var pid: Int32
    var bundle: String
    var json: [String: Any]

    init(json text: String) throws {
        guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw IntegrationSetupError(message: "state is not a JSON object: \(text)")
        }
        json = object
        id = object["id"] as? String ?? ""
        status = object["status"] as? String ?? ""
        pid = (object["pid"] as? NSNumber)?.int32Value ?? 0
        bundle = object["bundle"] as? String ?? ""
    }
}

/// The runtime binary under test, with one state root (`--root`) per test.
/// Every call runs the binary; nothing of the runtime is linked.
struct Runtime: Sendable {
    let binary: String
    let root: String
    /// Put in the runtime's environment so that the test can find any
    /// process the runtime leaves behind (see `Sandbox.leftoverProcesses`).
    let environment: [String: String]

    /// True when the binary under test is berth, whose messages the tests
    /// know word for word; other runtimes are held to exit codes only.
    var isBerth: Bool { URL(fileURLWithPath: binary).lastPathComponent == "berth" }

    /// Runs `binary --root ROOT args…`.
    @discardableResult
    func run(_ arguments: [String], stdin: OutputFile? = nil, stdout: OutputFile? = nil, extraFiles: [Int32] = [],
             timeout: Double = 20) throws -> ProcessResult {
        try Subprocess.run(binary, ["--root", root] + arguments, stdin: stdin, stdout: stdout,
                           extraFiles: extraFiles, environment: environment, timeout: timeout)
    }

    /// Like `run`, with descriptor 7 open on `file` and not close-on-exec, as
    /// a caller that leaks one leaves it (sh opens it, then executes the
    /// runtime).
    @discardableResult
    func runLeakingDescriptor7(_ arguments: [String], file: String = "/dev/null") throws -> ProcessResult {
        try Subprocess.run("/bin/sh", ["-c", #"exec 7<"$0"; exec "$@""#, file, binary, "--root", root] + arguments,
                           environment: environment, timeout: 20)
    }

    /// `create`; the container's init inherits `stdout` (terminal false).
    @discardableResult
    func create(_ id: String, bundle: String, pidFile: String? = nil, consoleSocket: String? = nil,
                stdout: OutputFile? = nil) throws -> ProcessResult {
        var arguments = ["create", "--bundle", bundle]
        if let pidFile { arguments += ["--pid-file", pidFile] }
        if let consoleSocket { arguments += ["--console-socket", consoleSocket] }
        return try run(arguments + [id], stdout: stdout)
    }

    @discardableResult
    func start(_ id: String) throws -> ProcessResult { try run(["start", id]) }

    @discardableResult
    func kill(_ id: String, _ signal: String? = nil) throws -> ProcessResult {
        try run(["kill", id] + (signal.map { [$0] } ?? []))
    }

    @discardableResult
    func delete(_ id: String, force: Bool = false) throws -> ProcessResult {
        try run(["delete"] + (force ? ["--force"] : []) + [id])
    }

    /// `state ID` decoded; throws when the runtime fails.
    func state(_ id: String) throws -> ContainerState {
        let result = try run(["state", id])
        guard result.succeeded else { throw IntegrationSetupError(message: "state \(id): \(result)") }
        return try ContainerState(json: result.stdout)
    }

    /// Polls `state ID` until it reports `status` (up to `timeout` seconds).
    func waitForStatus(_ id: String, _ status: String, timeout: Double = 10) throws -> Bool {
        try eventually(timeout: timeout) { try state(id).status == status }
    }

    /// The runtime's directory for a container under the state root.
    func stateDirectory(_ id: String) -> String { root + "/" + id }
}
