import Glibc
import Testing
@testable import Runtime

@Suite struct LaunchRollbackTests {
    @Test func undoKillsAndReapsTheInitBerthMade() {
        let system = RecordingSystemCalls()
        LaunchRollback(initPid: 4242).undo(system: system)
        #expect(system.calls == ["kill 4242 \(SIGKILL)", "waitpid 4242"])
    }

    @Test func nothingMadeIsNothingUndone() {
        let system = RecordingSystemCalls()
        LaunchRollback().undo(system: system)
        #expect(system.calls.isEmpty)
    }
}
