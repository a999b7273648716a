import Foundation
import Glibc
import Testing

/// An `exec` that fails before the user's program runs exits 255, as runc's
/// does, so a manager can tell it from the program's own status; the reason
/// an execve failed reads "exec PATH: <strerror>", for `exec` and for the
/// container's own process alike; `--debug` shows what exec does.
@Suite(.integration, .timeLimit(.minutes(1)))
struct ExecFailureTests {
    /// An executable file the kernel cannot run: not ELF, no "#!".
    static func addUnrunnableProgram(_ bundle: Bundle) throws {
        try bundle.writeRootfsFile("bad", "not a program\n")
        #expect(chmod(bundle.rootfs + "/bad", 0o755) == 0)
    }

    /// A usage error is not a failed exec: 1, as runc's "requires a minimum
    /// of 1 argument(s)"; an unknown container is one: 255, as runc.
    @Test func aMissingIdExits1AndAnUnknownContainer255() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let usage = try sandbox.runtime.run(["exec"])
        #expect(usage.status == 1 && !usage.timedOut, "\(usage)")
        let unknown = try sandbox.runtime.run(["exec", sandbox.newID("nope"), "true"])
        #expect(unknown.status == 255 && !unknown.timedOut, "\(unknown)")
    }

    @Test func execOfAProgramTheKernelCannotRunExits255AndSaysWhy() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let (id, _, _) = try ExecTests.running(sandbox, "noexec", configure: Self.addUnrunnableProgram)
        let result = try ExecTests.exec(sandbox, id, ["/bad"])
        #expect(result.status == 255 && !result.timedOut, "\(result)")
        if sandbox.runtime.isBerth {
            #expect(result.stderr == "berth: exec /bad: exec format error\n", "\(result)")
        }
        #expect(try sandbox.runtime.state(id).status == "running")
    }

    @Test func execWithAPidFileInAMissingDirectoryExits255AndLeavesNoProcess() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let (id, _, _) = try ExecTests.running(sandbox, "pidfile")
        let pidFile = sandbox.path + "/no-such-directory/pid"
        let result = try ExecTests.exec(sandbox, id, options: ["--pid-file", pidFile], ["sleep", "31"])
        #expect(result.status == 255 && !result.timedOut, "\(result)")
        if sandbox.runtime.isBerth {
            #expect(result.stderr.contains(pidFile), "\(result)")
        }
        let processes = try ExecTests.exec(sandbox, id, ["ps", "-o", "args"])
        #expect(processes.succeeded && !processes.stdout.contains("sleep 31"), "\(processes)")
    }

    @Test func theContainersProcessThatCannotBeExecutedIsNamedWithTheReason() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let result = try sandbox.runShell("unused") { bundle in
            try Self.addUnrunnableProgram(bundle)
            bundle.args = ["/bad"]
        }
        #expect(!result.succeeded && !result.timedOut, "\(result)")
        if sandbox.runtime.isBerth {
            #expect(result.stderr.contains("exec /bad: exec format error"), "\(result)")
        }
    }

    @Test func debugLogsTheStepsOfExec() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let (id, _, _) = try ExecTests.running(sandbox, "debug")
        let result = try sandbox.runtime.run(["--debug", "exec", id, "true"])
        #expect(result.succeeded, "\(result)")
        for step in ["state check", "plan took", "runs true in / as uid 0", "cloned pid", "clone, join and execve"] {
            #expect(result.stderr.contains("exec \(id): ") && result.stderr.contains(step), "\(step): \(result)")
        }
        let quiet = try sandbox.runtime.run(["exec", id, "true"])
        #expect(quiet.succeeded && quiet.stderr.isEmpty, "\(quiet)")
    }
}
