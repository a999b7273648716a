import Glibc

/// One end of the SOCK_SEQPACKET pair between berth and the container's
/// init. Each message is one packet: a 4-byte kind, a 4-byte errno and a
/// payload, so a message can never be read half.
public struct SyncSocket: Sendable {
    public let descriptor: FileDescriptor

    public static func pair() throws(Errno) -> (parent: SyncSocket, child: SyncSocket) {
        let (parent, child) = try FileDescriptor.socketPair(.packets)
        return (SyncSocket(descriptor: parent), SyncSocket(descriptor: child))
    }

    public func send(kind: UInt32, errno code: Int32 = 0, payload: [UInt8] = []) throws(Errno) {
        var packet: [UInt8] = []
        withUnsafeBytes(of: kind.littleEndian) { packet.append(contentsOf: $0) }
        withUnsafeBytes(of: code.littleEndian) { packet.append(contentsOf: $0) }
        packet.append(contentsOf: payload)
        _ = try retryingInterrupts {
            packet.withUnsafeBytes { Glibc.send(descriptor.rawValue, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }
    }

    /// The next message, or nil when the other end closed (the init died or
    /// exec'd: the socket is close-on-exec).
    public func receive() throws(Errno) -> (kind: UInt32, errno: Int32, payload: [UInt8])? {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = try retryingInterrupts {
            buffer.withUnsafeMutableBytes { recv(descriptor.rawValue, $0.baseAddress, $0.count, 0) }
        }
        guard count >= 8 else { return nil }
        let kind = buffer.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: 0, as: UInt32.self)) }
        let code = buffer.withUnsafeBytes { Int32(littleEndian: $0.loadUnaligned(fromByteOffset: 4, as: Int32.self)) }
        return (kind, code, Array(buffer[8..<count]))
    }

    public func close() { descriptor.close() }
}
