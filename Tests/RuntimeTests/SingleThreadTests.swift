import Testing
@testable import LinuxSystem
@testable import Runtime

/// berth clones without CLONE_VM and runs Swift in the child, which is safe
/// only in a single-threaded process (DESIGN §3): every clone checks it.
@Suite struct SingleThreadTests {
    @Test func aCloneFromAThreadedProcessIsRefusedWithTheThreadCount() throws {
        // The test runner itself runs tests on several threads.
        let threads = ProcessCreation.threadCount()
        try #require(threads > 1)
        // Required, so that a broken check never reaches the clone below.
        try #require(throws: ProcessCreation.ThreadedProcess.self) { try ProcessCreation.requireSingleThread() }
        do {
            _ = try Runtime.cloneChild("clone the container's init")
            Issue.record("a threaded process was allowed to clone")
        } catch {
            #expect(error.code == .system)
            #expect(error.message.hasPrefix("clone the container's init: berth must be single-threaded to clone, and has "))
        }
    }
}
