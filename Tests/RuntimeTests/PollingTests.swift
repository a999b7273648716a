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

    /// The read end of a hook's output pipe holding `text`, its writer gone.
    static func finishedOutput(_ text: String = "") throws -> FileDescriptor {
        let pipe = try HookRunner.outputPipe()
        try pipe.write.writeAll(Array(text.utf8))
        pipe.write.close()
        return pipe.read
    }

    @Test func aHookThatOutlivesItsTimeoutIsKilledAndReaped() throws {
        let system = RecordingSystemCalls()
        system.running = [77]
        let output = try Self.finishedOutput(); defer { output.close() }
        #expect(HookRunner.wait(for: 77, reading: output, timeoutSeconds: 0, system: system).0 == .timedOut)
        #expect(system.calls.suffix(2) == ["kill 77 \(SIGKILL)", "waitpid 77"])
    }

    @Test func aHookThatEndsInTimeIsReapedOnce() throws {
        let system = RecordingSystemCalls()
        let output = try Self.finishedOutput(); defer { output.close() }
        #expect(HookRunner.wait(for: 78, reading: output, timeoutSeconds: 5, system: system).0 == .ended(.exited(0)))
        #expect(system.calls == ["waitpid 78"])
    }

    /// A failing hook's error quotes the end of what it wrote, as one line.
    @Test func theEndOfAHooksOutputIsKeptForItsError() throws {
        let text = String(repeating: "x", count: 3 * HookRunner.quotedOutput) + "\nthe reason\n"
        let output = try Self.finishedOutput(text); defer { output.close() }
        let (_, written) = HookRunner.wait(for: 79, reading: output, timeoutSeconds: 5, system: RecordingSystemCalls())
        let quoted = HookRunner.lastOutput(written)
        #expect(quoted.hasSuffix(#"xx\nthe reason""#))
        #expect(!quoted.contains("\n"))
        #expect(quoted.count < HookRunner.quotedOutput + 32)
    }
}
