import Glibc
import Testing
@testable import LinuxSystem
@testable import Runtime

@Suite struct InitMessageTests {
    static let messages: [InitMessage] = [
        .proceed(hostPid: 4242), .runHooks, .hooksDone, .ready, .recorded, .warning("keyring: operation not permitted"),
        .execFailed(path: "/bin/ünïcode", errno: ENOEXEC), .openMountSource(index: 3), .mountSourceOpened,
        .failed(RuntimeError(.invalidConfig, "exec: \"nope\": executable file not found in $PATH")),
        .failed(RuntimeError(.system, "mount proc on /proc", errno: Errno(EPERM),
                             details: ["a line\nwith a newline", "", "ünïcode"])),
    ]

    @Test(arguments: messages)
    func everyMessageSurvivesTheSocket(_ message: InitMessage) throws {
        let (berth, child) = try SyncSocket.pair()
        defer { berth.close(); child.close() }
        try child.send(message)
        #expect(try berth.receiveMessage() == message)
    }

    @Test func aFailureKeepsItsCodeErrnoAndDetails() throws {
        let (berth, child) = try SyncSocket.pair()
        defer { berth.close(); child.close() }
        try child.send(.failed(RuntimeError(.invalidConfig, "set uid 1000", errno: Errno(EINVAL), details: ["x"])))
        guard case .failed(let error)? = try berth.receiveMessage() else {
            Issue.record("not a failure")
            return
        }
        #expect(error.code == .invalidConfig)
        #expect(error.summary == "set uid 1000: invalid argument")
        #expect(error.details == ["x"])
    }

    /// The bytes helpers/exec-helper.c writes when execve fails: kind 8,
    /// the errno, the path as one field, all little endian.
    @Test func theExecHelpersPacketIsAnExecFailure() throws {
        let (berth, child) = try SyncSocket.pair()
        defer { berth.close(); child.close() }
        let packet: [UInt8] = [8, 0, 0, 0, UInt8(ENOEXEC), 0, 0, 0, 4, 0, 0, 0] + Array("/bad".utf8)
        #expect(packet.withUnsafeBytes { write(child.descriptor.rawValue, $0.baseAddress, $0.count) } == packet.count)
        #expect(try berth.receiveMessage() == .execFailed(path: "/bad", errno: ENOEXEC))
    }

    @Test func endOfFileIsNilAndGarbageIsAProtocolError() throws {
        let (berth, child) = try SyncSocket.pair()
        defer { berth.close() }
        try child.send(kind: 99, payload: [1, 2, 3])
        #expect(throws: Errno(EPROTO)) { try berth.receiveMessage() }
        try child.send(kind: 5, payload: [200, 0, 0, 0, 65])  // a field longer than the packet
        #expect(throws: Errno(EPROTO)) { try berth.receiveMessage() }
        child.close()
        #expect(try berth.receiveMessage() == nil)
    }
}
