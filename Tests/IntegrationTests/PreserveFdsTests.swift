import Foundation
import Glibc
import Testing

/// Which file descriptors reach the container's process: 0, 1, 2, and
/// `--preserve-fds N` more from 3 on (runc's `run`/`create` option).
@Suite(.integration, .timeLimit(.minutes(1)))
struct PreserveFdsTests {
    /// Opens a host file holding `text`, to pass as fd 3 to the runtime.
    static func openFile(in sandbox: Sandbox, holding text: String) throws -> Int32 {
        let path = sandbox.path + "/passed-file"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        try #require(fd >= 0, "open \(path): \(String(cString: strerror(errno)))")
        return fd
    }

    @Test func aPreservedFdReachesTheProcess() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let fd = try PreserveFdsTests.openFile(in: sandbox, holding: "passed through\n")
        defer { close(fd) }
        // `ls` lists its own directory fd as well: the next free number.
        let result = try sandbox.runShell("cat <&3; ls /proc/self/fd", extraArguments: ["--preserve-fds", "1"],
                                          extraFiles: [fd])
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout == "passed through\n0\n1\n2\n3\n4\n")
    }

    @Test func withoutPreserveFdsTheProcessHasOnlyStdio() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let fd = try PreserveFdsTests.openFile(in: sandbox, holding: "must not pass\n")
        defer { close(fd) }
        // The runtime gets an fd 3 of ours; the process must not. The 3 that
        // `ls` shows is its own directory fd.
        let result = try sandbox.runShell("ls /proc/self/fd", extraFiles: [fd])
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout == "0\n1\n2\n3\n")
    }

    /// The created init is a copy of the runtime: a descriptor its caller
    /// left open must not be held by the container until `start`, unless
    /// --preserve-fds passes it (3 to 7 here).
    @Test(arguments: [false, true])
    func theCreatedInitHoldsNoDescriptorOfTheCallerUnlessPreserved(preserved: Bool) throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let id = sandbox.newID("held")
        let bundle = try sandbox.makeBundle(id)
        bundle.shell(Sandbox.waitingScript)
        try bundle.write()
        let callers = sandbox.path + "/callers-file"
        try Data("the caller's\n".utf8).write(to: URL(fileURLWithPath: callers))
        let preserve = preserved ? ["--preserve-fds", "5"] : []
        let created = try sandbox.runtime.runLeakingDescriptor7(["create", "--bundle", bundle.path] + preserve + [id],
                                                                file: callers)
        try #require(created.succeeded, "\(created)")
        let pid = try sandbox.runtime.state(id).pid
        let descriptors = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")
        let holding = descriptors.filter {
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\($0)")) == callers
        }
        #expect(holding == (preserved ? ["7"] : []), "\(descriptors.sorted())")
    }
}
