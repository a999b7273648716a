import Glibc
import Testing
@testable import LinuxSystem
@testable import Runtime

@Suite struct PollingTests {
    /// A hook's timeout may be any number the schema allows (2e10 seconds
    /// once trapped in the nanosecond conversion).
    @Test(arguments: [UInt64(20_000_000_000), UInt64.max])
    func aHugeTimeoutIsNeverAndDoesNotTrap(seconds: UInt64) {
        var checks = 0
        #expect(Polling.until(seconds: seconds, first: 1, longest: 1) { checks += 1; return checks == 3 })
        #expect(checks == 3)
    }

    @Test func aHookThatOutlivesItsTimeoutIsKilledAndReaped() {
        let system = RecordingSystemCalls()
        system.running = [77]
        #expect(HookRunner.wait(for: 77, timeoutSeconds: 0, system: system) == .timedOut)
        #expect(system.calls.suffix(2) == ["kill 77 \(SIGKILL)", "waitpid 77"])
    }

    @Test func aHookThatEndsInTimeIsReapedOnce() {
        let system = RecordingSystemCalls()
        #expect(HookRunner.wait(for: 78, timeoutSeconds: 5, system: system) == .ended(.exited(0)))
        #expect(system.calls == ["waitpid 78"])
    }
}
