import CBerth
import Glibc
import OCI

// A minimal rtnetlink (NETLINK_ROUTE) client: just what moving a network
// device into a container needs. Messages are built and parsed byte by byte
// rather than through the C structs, which Swift imports awkwardly (the
// NLMSG_* and RTA_* alignment helpers are macros). All integers are in host
// byte order, as netlink wants them.
//
// A message is a header followed by a fixed family header and attributes,
// each part padded to a multiple of 4 bytes:
//
//   nlmsghdr (16)  len:u32  type:u16  flags:u16  seq:u32  pid:u32
//   ifinfomsg (16) family:u8 pad:u8 type:u16 index:i32 flags:u32 change:u32   (links)
//   ifaddrmsg (8)  family:u8 prefixlen:u8 flags:u8 scope:u8 index:u32         (addresses)
//   rtattr (4+n)   len:u16 (4 + n, unpadded)  type:u16  payload[n]  padding
//
// `len` in nlmsghdr counts the whole message including the header. Replies
// come as one or more messages per datagram; a request ends with an
// NLMSG_ERROR whose error (i32, a negative errno, 0 for an acknowledgement)
// is followed by the request's header, or, for a dump, with NLMSG_DONE.

/// An address of a network interface, as RTM_GETADDR reports it.
public struct InterfaceAddress: Sendable, Equatable {
    /// AF_INET or AF_INET6.
    public var family: UInt8
    public var prefixLength: UInt8
    public var flags: InterfaceAddressFlags
    /// RT_SCOPE_*: 0 (universe) is global, 253 link, 254 host.
    public var scope: UInt8
    /// IFA_LOCAL: the interface's own address. Only IPv4 and point-to-point
    /// IPv6 addresses have one.
    public var local: [UInt8]?
    /// IFA_ADDRESS: the interface's address, or the peer's on a
    /// point-to-point link.
    public var address: [UInt8]?
    /// IFA_BROADCAST, IPv4 only.
    public var broadcast: [UInt8]?

    public static let globalScope: UInt8 = 0  // RT_SCOPE_UNIVERSE

    public init(family: UInt8, prefixLength: UInt8, flags: InterfaceAddressFlags, scope: UInt8,
                local: [UInt8]? = nil, address: [UInt8]? = nil, broadcast: [UInt8]? = nil) {
        self.family = family
        self.prefixLength = prefixLength
        self.flags = flags
        self.scope = scope
        self.local = local
        self.address = address
        self.broadcast = broadcast
    }
}

/// IFA_F_* flags of an interface address.
public struct InterfaceAddressFlags: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let noDAD = InterfaceAddressFlags(rawValue: 0x02)
    public static let homeAddress = InterfaceAddressFlags(rawValue: 0x10)
    /// Configured by a user, not learned (SLAAC, DHCP lifetimes): it has no expiry.
    public static let permanent = InterfaceAddressFlags(rawValue: 0x80)
    public static let manageTemporaryAddresses = InterfaceAddressFlags(rawValue: 0x100)
    public static let noPrefixRoute = InterfaceAddressFlags(rawValue: 0x200)
    public static let multicastAutoJoin = InterfaceAddressFlags(rawValue: 0x400)
}

/// A network interface as RTM_GETLINK reports it.
public struct NetworkLink: Sendable, Equatable {
    public var index: Int32
    public var name: String
}

/// A NETLINK_ROUTE socket. It acts on the network namespace it was created
/// in, whichever namespace its user is in later.
public struct NetlinkSocket {
    public let descriptor: FileDescriptor
    private var sequence: UInt32 = 0

    /// A socket in the calling thread's network namespace.
    public init() throws(Errno) {
        let fd = try retryingInterrupts {
            socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), Self.netlinkRoute)
        }
        descriptor = FileDescriptor(rawValue: fd)
    }

    /// A socket in the network namespace at `path` (e.g. /proc/PID/ns/net).
    /// The calling thread enters the namespace only to create the socket and
    /// returns at once; network namespaces are per thread, so this is safe
    /// even in a threaded process.
    public static func inNetworkNamespace(at path: String) throws(Errno) -> NetlinkSocket {
        let own = try FileDescriptor.open("/proc/thread-self/ns/net", O_RDONLY)
        defer { own.close() }
        let target = try FileDescriptor.open(path, O_RDONLY)
        defer { target.close() }
        try enterNetworkNamespace(target)
        let created = Result { () throws(Errno) in try NetlinkSocket() }
        // Going back cannot fail in practice (the thread was just there);
        // if it does, the caller's operation fails with the error.
        do {
            try enterNetworkNamespace(own)
        } catch {
            (try? created.get())?.close()
            throw error
        }
        return try created.get()
    }

    public func close() { descriptor.close() }

    // MARK: Links

    /// The link called `name`, or nil when there is none.
    public mutating func link(named name: String) throws(Errno) -> NetworkLink? {
        var request = NetlinkRequest(type: Self.getLink, flags: 0)
        request.appendLinkHeader(index: 0)
        request.appendAttribute(Self.linkName, name)
        return try link(replyingTo: request)
    }

    /// The link with `index`, or nil when there is none.
    public mutating func link(index: Int32) throws(Errno) -> NetworkLink? {
        var request = NetlinkRequest(type: Self.getLink, flags: 0)
        request.appendLinkHeader(index: index)
        return try link(replyingTo: request)
    }

    private mutating func link(replyingTo request: NetlinkRequest) throws(Errno) -> NetworkLink? {
        let replies: [NetlinkReply]
        do {
            replies = try exchange(request)
        } catch Errno(ENODEV) {
            return nil
        }
        guard let reply = replies.first(where: { $0.type == Self.newLink }), reply.payload.count >= 16 else {
            throw Errno(EPROTO)
        }
        let payload = reply.payload
        var name = ""
        for attribute in attributes(of: payload, after: 16) where attribute.type == Self.linkName {
            name = String(decoding: attribute.value.prefix { $0 != 0 }, as: UTF8.self)
        }
        return NetworkLink(index: payload.load(at: 4), name: name)
    }

    /// Moves the link into the network namespace `namespace` refers to, and
    /// renames it there when `newName` is given. The kernel checks the name
    /// in the target namespace and fills in a `%d` template with the first
    /// free number. Addresses do not move: the kernel drops them.
    public mutating func moveLink(index: Int32, toNetworkNamespace namespace: FileDescriptor, renamingTo newName: String?) throws(Errno) {
        var request = NetlinkRequest(type: Self.newLink, flags: 0)
        request.appendLinkHeader(index: index)
        request.appendAttribute(Self.linkNetworkNamespaceFD, UInt32(bitPattern: namespace.rawValue))
        if let newName { request.appendAttribute(Self.linkName, newName) }
        _ = try exchange(request)
    }

    public mutating func setLinkUp(index: Int32) throws(Errno) {
        var request = NetlinkRequest(type: Self.newLink, flags: 0)
        request.appendLinkHeader(index: index, flags: Self.interfaceUp, change: Self.interfaceUp)
        _ = try exchange(request)
    }

    // MARK: Addresses

    /// Every address of the link with `index`, of every family.
    public mutating func addresses(ofLink index: Int32) throws(Errno) -> [InterfaceAddress] {
        // Without strict checking the kernel ignores the index of a dump
        // request and returns every link's addresses, so they are filtered here.
        var request = NetlinkRequest(type: Self.getAddress, flags: Self.dump)
        request.appendAddressHeader(family: UInt8(AF_UNSPEC), prefixLength: 0, flags: 0, scope: 0, index: 0)
        var found: [InterfaceAddress] = []
        for reply in try exchange(request) where reply.type == Self.newAddress && reply.payload.count >= 8 {
            let payload = reply.payload
            guard payload.load(at: 4) as UInt32 == UInt32(bitPattern: index) else { continue }
            // The header's flags byte holds only the low 8 bits; IFA_FLAGS all 32.
            var address = InterfaceAddress(
                family: payload[0], prefixLength: payload[1],
                flags: InterfaceAddressFlags(rawValue: UInt32(payload[2])), scope: payload[3])
            for attribute in attributes(of: payload, after: 8) {
                switch attribute.type {
                case Self.addressAddress: address.address = attribute.value
                case Self.addressLocal: address.local = attribute.value
                case Self.addressBroadcast: address.broadcast = attribute.value
                case Self.addressFlags where attribute.value.count >= 4:
                    address.flags = InterfaceAddressFlags(rawValue: attribute.value.load(at: 0))
                default: break
                }
            }
            found.append(address)
        }
        return found
    }

    /// Adds `address` to the link with `index`; EEXIST if it already has it.
    public mutating func addAddress(_ address: InterfaceAddress, toLink index: Int32) throws(Errno) {
        var request = NetlinkRequest(type: Self.newAddress, flags: Self.create | Self.exclusive)
        request.appendAddressHeader(
            family: address.family, prefixLength: address.prefixLength,
            flags: UInt8(truncatingIfNeeded: address.flags.rawValue), scope: address.scope,
            index: UInt32(bitPattern: index))
        if let local = address.local { request.appendAttribute(Self.addressLocal, local) }
        if let value = address.address { request.appendAttribute(Self.addressAddress, value) }
        if let broadcast = address.broadcast { request.appendAttribute(Self.addressBroadcast, broadcast) }
        request.appendAttribute(Self.addressFlags, address.flags.rawValue)
        _ = try exchange(request)
    }

    // MARK: Exchanging messages

    /// Sends `request` with an acknowledgement asked for and collects the
    /// replies until the acknowledgement, an error, or the end of a dump.
    private mutating func exchange(_ request: NetlinkRequest) throws(Errno) -> [NetlinkReply] {
        sequence &+= 1
        let bytes = request.finished(sequence: sequence, extraFlags: Self.request | Self.acknowledge)
        _ = try retryingInterrupts {
            bytes.withUnsafeBytes { send(descriptor.rawValue, $0.baseAddress, $0.count, 0) }
        }
        var replies: [NetlinkReply] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            // MSG_TRUNC makes recv return the datagram's real length, so a
            // datagram larger than the buffer is noticed instead of cut.
            let count = try retryingInterrupts {
                buffer.withUnsafeMutableBytes { recv(descriptor.rawValue, $0.baseAddress, $0.count, Int32(MSG_TRUNC)) }
            }
            guard count <= buffer.count else { throw Errno(EMSGSIZE) }
            var offset = 0
            while offset + 16 <= count {
                let length = Int(buffer.load(at: offset) as UInt32)
                guard length >= 16, offset + length <= count else { throw Errno(EPROTO) }
                let type: UInt16 = buffer.load(at: offset + 4)
                let replySequence: UInt32 = buffer.load(at: offset + 8)
                let payload = Array(buffer[(offset + 16)..<(offset + length)])
                offset += netlinkAligned(length)
                // Anything else is left over from an earlier exchange (an
                // acknowledgement of a dump, say) and is not ours to read.
                guard replySequence == sequence else { continue }
                switch type {
                case Self.error, Self.done:
                    let code: Int32 = payload.count >= 4 ? payload.load(at: 0) : 0
                    if code < 0 { throw Errno(-code) }
                    return replies
                default:
                    replies.append(NetlinkReply(type: type, payload: payload))
                }
            }
        }
    }

    /// The attributes that follow a family header of `headerSize` bytes.
    private func attributes(of payload: [UInt8], after headerSize: Int) -> [(type: UInt16, value: [UInt8])] {
        var found: [(type: UInt16, value: [UInt8])] = []
        var offset = netlinkAligned(headerSize)
        while offset + 4 <= payload.count {
            let length = Int(payload.load(at: offset) as UInt16)
            guard length >= 4, offset + length <= payload.count else { break }
            // The top two bits of the type are the NLA_F_NESTED and
            // NLA_F_NET_BYTEORDER markers, not part of it.
            let type = (payload.load(at: offset + 2) as UInt16) & 0x3FFF
            found.append((type, Array(payload[(offset + 4)..<(offset + length)])))
            offset += netlinkAligned(length)
        }
        return found
    }

    // MARK: Constants (linux/netlink.h, linux/rtnetlink.h, linux/if_link.h, linux/if_addr.h)

    static let netlinkRoute: Int32 = 0          // NETLINK_ROUTE
    static let interfaceUp: UInt32 = 0x1        // IFF_UP

    // Message types.
    static let error: UInt16 = 2                // NLMSG_ERROR
    static let done: UInt16 = 3                 // NLMSG_DONE
    static let newLink: UInt16 = 16             // RTM_NEWLINK
    static let getLink: UInt16 = 18             // RTM_GETLINK
    static let newAddress: UInt16 = 20          // RTM_NEWADDR
    static let getAddress: UInt16 = 22          // RTM_GETADDR

    // Header flags.
    static let request: UInt16 = 0x1            // NLM_F_REQUEST
    static let acknowledge: UInt16 = 0x4        // NLM_F_ACK
    static let dump: UInt16 = 0x300             // NLM_F_DUMP (ROOT | MATCH)
    static let exclusive: UInt16 = 0x200        // NLM_F_EXCL
    static let create: UInt16 = 0x400           // NLM_F_CREATE

    // Attribute types.
    static let linkName: UInt16 = 3             // IFLA_IFNAME
    static let linkNetworkNamespaceFD: UInt16 = 28  // IFLA_NET_NS_FD
    static let addressAddress: UInt16 = 1       // IFA_ADDRESS
    static let addressLocal: UInt16 = 2         // IFA_LOCAL
    static let addressBroadcast: UInt16 = 4     // IFA_BROADCAST
    static let addressFlags: UInt16 = 8         // IFA_FLAGS
}

private func enterNetworkNamespace(_ namespace: FileDescriptor) throws(Errno) {
    _ = try retryingInterrupts { berth_setns(namespace.rawValue, NamespaceKind.network.cloneFlag) }
}

/// Netlink pads every header and attribute to 4 bytes (NLMSG_ALIGN, RTA_ALIGN).
private func netlinkAligned(_ length: Int) -> Int { (length + 3) & ~3 }

/// One message from the kernel: its type and what follows the nlmsghdr.
private struct NetlinkReply {
    var type: UInt16
    var payload: [UInt8]
}

/// A request being built: an nlmsghdr whose length and sequence number are
/// filled in when it is sent, then the family header and attributes.
private struct NetlinkRequest {
    private var bytes: [UInt8] = []

    init(type: UInt16, flags: UInt16) {
        append(UInt32(0))   // length, set by `finished`
        append(type)
        append(flags)
        append(UInt32(0))   // sequence, set by `finished`
        append(UInt32(0))   // port id: 0 lets the kernel fill in ours
    }

    /// ifinfomsg.
    mutating func appendLinkHeader(index: Int32, flags: UInt32 = 0, change: UInt32 = 0) {
        append(UInt8(AF_UNSPEC))
        append(UInt8(0))
        append(UInt16(0))   // device type: unused in requests
        append(index)
        append(flags)
        append(change)
    }

    /// ifaddrmsg.
    mutating func appendAddressHeader(family: UInt8, prefixLength: UInt8, flags: UInt8, scope: UInt8, index: UInt32) {
        append(family)
        append(prefixLength)
        append(flags)
        append(scope)
        append(index)
    }

    mutating func appendAttribute(_ type: UInt16, _ value: [UInt8]) {
        append(UInt16(4 + value.count))
        append(type)
        bytes += value
        padToAlignment()
    }

    /// A string attribute, NUL-terminated as the kernel expects.
    mutating func appendAttribute(_ type: UInt16, _ value: String) {
        appendAttribute(type, Array(value.utf8) + [0])
    }

    mutating func appendAttribute(_ type: UInt16, _ value: UInt32) {
        appendAttribute(type, withUnsafeBytes(of: value) { Array($0) })
    }

    func finished(sequence: UInt32, extraFlags: UInt16) -> [UInt8] {
        var message = self
        message.store(UInt32(bytes.count), at: 0)
        message.store(message.bytes.load(at: 6) as UInt16 | extraFlags, at: 6)
        message.store(sequence, at: 8)
        return message.bytes
    }

    private mutating func append<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value) { bytes += $0 }
    }

    private mutating func store<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        withUnsafeBytes(of: value) { bytes.replaceSubrange(offset..<(offset + $0.count), with: $0) }
    }

    private mutating func padToAlignment() {
        bytes += [UInt8](repeating: 0, count: netlinkAligned(bytes.count) - bytes.count)
    }
}

extension Array where Element == UInt8 {
    /// The host-order integer at `offset`, which need not be aligned.
    fileprivate func load<T: FixedWidthInteger>(at offset: Int) -> T {
        withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: T.self) }
    }
}
