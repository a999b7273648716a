import Foundation
import Testing

/// Shortcuts for the usual shapes of a test: a bundle configured by the test,
/// then one container created from it or run in the foreground.
extension Sandbox {
    /// A shell script for a container that stays up until it is signalled:
    /// it writes /ready, then waits; SIGTERM makes it write "TERM" to /signal
    /// and exit 0. (A pid 1 without a handler would ignore SIGTERM.)
    static let waitingScript = #"trap 'echo TERM > /signal; exit 0' TERM; touch /ready; sleep 60 & wait"#

    /// Makes a bundle, lets `configure` change it, writes it and `create`s a
    /// container from it, requiring success.
    func createContainer(_ hint: String = "c", pidFile: String? = nil, stdout: OutputFile? = nil,
                         configure: (Bundle) throws -> Void = { _ in }) throws -> (id: String, bundle: Bundle) {
        let id = newID(hint)
        let bundle = try makeBundle(id)
        bundle.shell(Sandbox.waitingScript)
        try configure(bundle)
        try bundle.write()
        let result = try runtime.create(id, bundle: bundle.path, pidFile: pidFile, stdout: stdout)
        try #require(result.succeeded, "create: \(result)")
        return (id, bundle)
    }

    /// A created and started container running `waitingScript`, once it
    /// reported /ready.
    func startWaitingContainer(_ hint: String = "c") throws -> (id: String, bundle: Bundle) {
        let (id, bundle) = try createContainer(hint)
        let started = try runtime.start(id)
        try #require(started.succeeded, "start: \(started)")
        try #require(eventually { bundle.readRootfsFile("ready") != nil }, "the container never wrote /ready")
        return (id, bundle)
    }

    /// Makes a bundle whose process runs `script` in busybox sh, lets
    /// `configure` change it, and runs it in the foreground with `run`: the
    /// process's output comes through the runtime's stdout.
    func runShell(_ script: String, hint: String = "run", extraArguments: [String] = [], extraFiles: [Int32] = [],
                  configure: (Bundle) throws -> Void = { _ in }) throws -> ProcessResult {
        let id = newID(hint)
        let bundle = try makeBundle(id)
        bundle.shell(script)
        try configure(bundle)
        try bundle.write()
        return try runtime.run(["run", "--bundle", bundle.path] + extraArguments + [id], extraFiles: extraFiles)
    }
}
