import Foundation
import Testing

/// `process.terminal`: the runtime makes a pty, sends its master over
/// `--console-socket` (SCM_RIGHTS), and the process runs on the slave.
@Suite(.integration, .timeLimit(.minutes(1)))
struct ConsoleSocketTests {
    /// Listens on the socket, takes the one fd sent, and copies what arrives
    /// on it to stdout until the slave side is closed (EIO) or 20 s passed.
    /// As conmon does (and crun's test receiver), it turns ONLCR on for the
    /// master it received: the runtime leaves the pty's output settings to
    /// the manager.
    static let listener = """
        import os, select, socket, sys, termios, time
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(sys.argv[1])
        server.listen(1)
        server.settimeout(20)
        connection, _ = server.accept()
        _, fds, _, _ = socket.recv_fds(connection, 4096, 1)
        connection.close()
        if not fds:
            sys.exit("no file descriptor received")
        attributes = termios.tcgetattr(fds[0])
        attributes[1] |= termios.ONLCR
        termios.tcsetattr(fds[0], termios.TCSANOW, attributes)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if not select.select([fds[0]], [], [], 1)[0]:
                continue
            try:
                data = os.read(fds[0], 4096)
            except OSError:  # EIO: every slave fd is closed
                break
            if not data:
                break
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        """

    @Test func theProcessWritesToThePtyWhoseMasterWasSent() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let socketPath = sandbox.path + "/console.sock"
        let listener = try Subprocess(SchemaValidator.python, ["-c", ConsoleSocketTests.listener, socketPath])
        defer { listener.stop() }
        try #require(eventually { FileManager.default.fileExists(atPath: socketPath) }, "the listener did not start")

        let id = sandbox.newID("tty")
        let bundle = try sandbox.makeBundle(id)
        bundle.shell("echo hello; stty size; test -t 0 && test -t 1 && echo is-a-tty")
        bundle.process["terminal"] = true
        bundle.process["consoleSize"] = ["height": 40, "width": 100]
        try bundle.write()

        let created = try sandbox.runtime.create(id, bundle: bundle.path, consoleSocket: socketPath)
        try #require(created.succeeded, "\(created)")
        let started = try sandbox.runtime.start(id)
        #expect(started.succeeded, "\(started)")

        let heard = listener.wait(timeout: 30)
        #expect(heard.succeeded, "\(heard)")
        #expect(heard.stdout == "hello\r\n40 100\r\nis-a-tty\r\n", "\(heard)")
        #expect(try sandbox.runtime.waitForStatus(id, "stopped"))
    }
}
