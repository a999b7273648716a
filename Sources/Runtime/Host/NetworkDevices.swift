import Glibc
import LinuxSystem
import OCI

/// A host network device to move into the container, and its name there.
public struct PlannedNetworkDevice: Sendable, Equatable {
    public var hostName: String
    public var containerName: String

    public init(hostName: String, containerName: String? = nil) {
        self.hostName = hostName
        self.containerName = containerName ?? hostName
    }

    /// A name with `%d` lets the kernel pick the first free number, so it
    /// may match names already taken in the container.
    var isTemplate: Bool {
        // Not `contains("%d")`: that is _StringProcessing's, and using it
        // links that library (and its protocol conformances, which the Swift
        // runtime reads through at start-up) into berth.
        let utf8 = Array(containerName.utf8)
        return zip(utf8, utf8.dropFirst()).contains { $0 == UInt8(ascii: "%") && $1 == UInt8(ascii: "d") }
    }
}

/// `linux.netDevices`: host network devices moved into the container's
/// network namespace, keeping their permanent global addresses and set up.
/// Once moved they belong to the namespace: berth never moves them back,
/// the kernel does (physical devices) or destroys them (virtual ones) when
/// the namespace goes away, as the spec asks.
enum NetworkDevices {
    /// Checks that the devices can be moved (the spec's MUST): each exists
    /// in berth's network namespace (the host's), the container gets a
    /// network namespace of its own, and no two devices would take the same
    /// name there.
    static func plan(_ devices: [String: LinuxNetDevice]?, hasNewNetworkNamespace: Bool)
        -> (devices: [PlannedNetworkDevice], problems: [ConfigProblem])
    {
        guard let devices, !devices.isEmpty else { return ([], []) }
        var problems: [ConfigProblem] = []
        if !hasNewNetworkNamespace {
            // Without one, they would be moved into the namespace they are
            // already in, or into one berth did not make for the container.
            problems.append(ConfigProblem(path: "linux.netDevices", message: "moving devices needs a new network namespace"))
        }
        var planned: [PlannedNetworkDevice] = []
        var hostNameOfContainerName: [String: String] = [:]
        for hostName in devices.keys.sorted() {
            let device = PlannedNetworkDevice(hostName: hostName, containerName: devices[hostName]?.name)
            let path = "linux.netDevices[\"\(hostName)\"]"
            if if_nametoindex(hostName) == 0 {
                problems.append(ConfigProblem(path: path, message: "no network device \"\(hostName)\" on the host"))
            }
            if !device.isTemplate {
                if device.containerName == "lo" {
                    problems.append(ConfigProblem(path: path, message: "every network namespace already has a device \"lo\""))
                } else if let other = hostNameOfContainerName[device.containerName] {
                    problems.append(ConfigProblem(
                        path: path, message: "\"\(other)\" is also to be called \"\(device.containerName)\" in the container"))
                }
                hostNameOfContainerName[device.containerName] = hostName
            }
            planned.append(device)
        }
        return (planned, problems)
    }

    /// Moves `devices` from berth's network namespace into that of `pid`,
    /// the container's init, which must not run the user's process yet.
    static func move(_ devices: [PlannedNetworkDevice], intoNetworkNamespaceOf pid: pid_t) throws(RuntimeError) {
        guard !devices.isEmpty else { return }
        let namespacePath = "/proc/\(pid)/ns/net"
        let namespace = try attempt("open \(namespacePath)") { () throws(Errno) in
            try FileDescriptor.open(namespacePath, O_RDONLY)
        }
        defer { namespace.close() }
        var host = try attempt("open a netlink socket") { () throws(Errno) in try NetlinkSocket() }
        defer { host.close() }
        var container = try attempt("open a netlink socket in \(namespacePath)") { () throws(Errno) in
            try NetlinkSocket.inNetworkNamespace(at: namespacePath)
        }
        defer { container.close() }
        for device in devices {
            try move(device, host: &host, container: &container, namespace: namespace)
        }
    }

    private static func move(
        _ device: PlannedNetworkDevice, host: inout NetlinkSocket, container: inout NetlinkSocket, namespace: FileDescriptor
    ) throws(RuntimeError) {
        let hostDevice = "network device \(device.hostName)"
        let found = try attempt("find \(hostDevice)") { () throws(Errno) in try host.link(named: device.hostName) }
        guard let link = found else { throw .system("find \(hostDevice)", Errno(ENODEV)) }

        // The kernel drops a device's addresses when it changes namespace,
        // so the ones to keep are read before.
        let addresses = try attempt("list the addresses of \(hostDevice)") { () throws(Errno) in
            try host.addresses(ofLink: link.index)
        }.compactMap(addressToKeep)

        let step = "move \(hostDevice) into the container as \(device.containerName)"
        // Checked before, not left to the kernel: it renames a device after
        // moving it, so a taken name would fail with the device already gone
        // from the host.
        if !device.isTemplate {
            let taken = try attempt(step) { () throws(Errno) in try container.link(named: device.containerName) }
            if taken != nil { throw .system(step, .exists) }
        }
        try attempt(step) { () throws(Errno) in
            try host.moveLink(
                index: link.index, toNetworkNamespace: namespace,
                renamingTo: device.containerName == device.hostName ? nil : device.containerName)
        }

        // The device keeps its index unless the target namespace uses it,
        // and a new namespace holds only lo (index 1, which cannot move) and
        // devices moved from this host namespace, each with its own index.
        // Finding it by index also learns the name a template became.
        let arrived = try attempt("find \(hostDevice) in the container") { () throws(Errno) in
            try container.link(index: link.index)
        }
        guard let moved = arrived else { throw .system("find \(hostDevice) in the container", Errno(ENODEV)) }
        let containerDevice = "network device \(moved.name) in the container"
        for address in addresses {
            try attempt("add address \(describe(address)) to \(containerDevice)") { () throws(Errno) in
                try container.addAddress(address, toLink: moved.index)
            }
        }
        try attempt("set \(containerDevice) up") { () throws(Errno) in try container.setLinkUp(index: moved.index) }
    }

    /// The spec keeps the permanent addresses of global scope: the others
    /// are learned (DHCP, SLAAC) or only mean something on the host. Of the
    /// flags, only those a user chooses are kept; the rest (tentative,
    /// secondary, …) describe the address's state, which the kernel works
    /// out anew.
    private static func addressToKeep(_ address: InterfaceAddress) -> InterfaceAddress? {
        guard address.flags.contains(.permanent), address.scope == InterfaceAddress.globalScope else { return nil }
        var kept = address
        kept.flags = address.flags
            .intersection([.noDAD, .homeAddress, .manageTemporaryAddresses, .noPrefixRoute, .multicastAutoJoin])
            .union(.permanent)
        return kept
    }

    /// `10.0.0.1/24` or `fd00::1/64`, for error messages.
    private static func describe(_ address: InterfaceAddress) -> String {
        guard let bytes = address.local ?? address.address else { return "(none)" }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let converted = bytes.withUnsafeBytes { inet_ntop(Int32(address.family), $0.baseAddress, &text, socklen_t(text.count)) }
        guard converted != nil else { return "(family \(address.family))" }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) + "/\(address.prefixLength)"
    }
}
