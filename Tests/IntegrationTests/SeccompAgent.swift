import Foundation
import Glibc
import Testing

/// A seccomp agent (config-linux.md#seccomp, "listenerPath") in python3: it
/// listens on a unix socket, takes the container process state (JSON) and
/// the one fd the runtime sends with SCM_RIGHTS, then answers every
/// notification on that fd with "success, return value 0" without doing the
/// system call, until no process uses the filter any more (POLLHUP) or 20 s
/// passed. It prints one JSON report:
///
///     {"message": <the state as sent>, "fdCount": N, "raw": "…",
///      "notifications": [{"pid": …, "nr": …}, …], "errors": […]}
final class SeccompAgent: Sendable {
    let socketPath: String
    private let process: Subprocess

    static let script = """
        import fcntl, json, select, socket, struct, sys, time
        SECCOMP_IOCTL_NOTIF_RECV = 0xC0502100  # _IOWR('!', 0, struct seccomp_notif), 80 bytes
        SECCOMP_IOCTL_NOTIF_SEND = 0xC0182101  # _IOWR('!', 1, struct seccomp_notif_resp), 24 bytes
        report = {"message": None, "fdCount": 0, "raw": "", "notifications": [], "errors": []}
        try:
            server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            server.bind(sys.argv[1])
            server.listen(1)
            server.settimeout(20)
            connection, _ = server.accept()
            connection.settimeout(20)
            data, fds, _, _ = socket.recv_fds(connection, 65536, 4)
            report["fdCount"] = len(fds)
            # One JSON document; the runtime need not close the connection
            # (it may wait for the container), so read until it parses.
            while True:
                try:
                    report["message"] = json.loads(data)
                    break
                except ValueError:
                    more = connection.recv(65536)
                    if not more:
                        raise
                    data += more
            report["raw"] = data.decode("utf-8", "replace")
            if len(fds) == 1:
                fd = fds[0]
                poller = select.poll()
                poller.register(fd, select.POLLIN)
                deadline = time.monotonic() + 20
                while time.monotonic() < deadline:
                    events = poller.poll(1000)
                    if not events:
                        continue
                    mask = events[0][1]
                    if mask & select.POLLIN:
                        request = bytearray(80)  # struct seccomp_notif, zeroed as the kernel wants
                        try:
                            fcntl.ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, request)
                        except OSError as error:
                            report["errors"].append("recv: " + str(error))
                            continue
                        notification_id, pid, _flags, nr = struct.unpack_from("=QIIi", request)
                        report["notifications"].append({"pid": pid, "nr": nr})
                        # struct seccomp_notif_resp: u64 id, s64 val, s32 error, u32 flags
                        response = bytearray(struct.pack("=QqiI", notification_id, 0, 0, 0))
                        try:
                            fcntl.ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, response)
                        except OSError as error:
                            report["errors"].append("send: " + str(error))
                    elif mask & (select.POLLHUP | select.POLLERR | select.POLLNVAL):
                        break
        except Exception as error:
            report["errors"].append(type(error).__name__ + ": " + str(error))
        print(json.dumps(report))
        """

    /// Starts the agent on `socketPath` and waits until it listens.
    init(socketPath: String) throws {
        self.socketPath = socketPath
        process = try Subprocess(SchemaValidator.python, ["-c", SeccompAgent.script, socketPath])
        try #require(eventually { FileManager.default.fileExists(atPath: socketPath) }, "the seccomp agent did not start")
    }

    /// Waits for the agent to finish and decodes its report.
    func report(timeout: Double = 30) throws -> [String: Any] {
        let result = process.wait(timeout: timeout)
        try #require(result.succeeded, "seccomp agent: \(result)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return try #require(object, "seccomp agent printed \(result.stdout)")
    }

    func stop() { process.stop() }
}
