import Glibc
import Testing
@testable import LinuxSystem
@testable import Runtime

/// berth_spawn, which starts hooks: what the child gets and how its own
/// failures come back.
@Suite struct HookSpawnTests {
    /// Runs `/bin/sh -c script` through spawn and returns what it wrote and
    /// its wait status.
    static func spawnShell(_ script: String, directory: String? = nil,
                           environment: [String] = []) throws -> (output: String, status: Int32) {
        let stdin = try FileDescriptor.open("/dev/null", O_RDONLY)
        defer { stdin.close() }
        let output = try FileDescriptor.pipe()
        defer { output.read.close() }
        let pid: pid_t
        do {
            pid = try ProcessCreation.spawn("/bin/sh", arguments: ["own-argv0", "-c", script], environment: environment,
                                            stdio: [stdin, output.write, output.write], directory: directory)
        } catch {
            output.write.close()
            throw error
        }
        output.write.close()
        let text = String(decoding: try output.read.readAll(), as: UTF8.self)
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
        return (text, status)
    }

    @Test func theChildGetsOnlyItsStdioItsArgv0ItsEnvironmentAndItsDirectory() throws {
        let (output, status) = try Self.spawnShell(#"echo "$0 $ONLY"; pwd; ls /proc/self/fd"#, directory: "/tmp",
                                                   environment: ["ONLY=this"])
        #expect(status == 0)
        // The 3 is ls's own directory.
        #expect(output == "own-argv0 this\n/tmp\n0\n1\n2\n3\n")
    }

    @Test func theChildsExecveFailureIsTheError() {
        #expect(throws: Errno(ENOENT)) {
            try ProcessCreation.spawn("/nonexistent/hook", arguments: ["hook"], environment: [],
                                      stdio: [.standardError, .standardError, .standardError], directory: nil)
        }
    }

    @Test func aDirectoryTheChildCannotEnterIsTheError() {
        #expect(throws: Errno(ENOENT)) {
            try ProcessCreation.spawn("/bin/true", arguments: ["true"], environment: [],
                                      stdio: [.standardError, .standardError, .standardError],
                                      directory: "/nonexistent/directory")
        }
    }

    @Test func theChildStartsWithNoSignalBlocked() throws {
        var blocked = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGTERM)
        var previous = sigset_t()
        pthread_sigmask(SIG_BLOCK, &blocked, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        let (output, _) = try Self.spawnShell("grep SigBlk /proc/self/status")
        #expect(output == "SigBlk:\t0000000000000000\n")
    }
}
