import Glibc
import OCI
import Testing
@testable import Runtime

@Suite struct NetworkDevicesTests {
    // "lo" exists in every network namespace, so it stands for a host device.

    @Test func aDeviceKeepsItsHostNameUnlessRenamed() {
        let planned = NetworkDevices.plan(["lo": LinuxNetDevice()], hasNewNetworkNamespace: true)
        #expect(planned.devices == [PlannedNetworkDevice(hostName: "lo", containerName: "lo")])
    }

    @Test func noDevicesNeedNoNetworkNamespace() {
        for devices in [nil, [:]] as [[String: LinuxNetDevice]?] {
            let planned = NetworkDevices.plan(devices, hasNewNetworkNamespace: false)
            #expect(planned.devices.isEmpty && planned.problems.isEmpty)
        }
    }

    @Test func aDeviceMissingOnTheHostIsAProblem() {
        let planned = NetworkDevices.plan(["btmissing0": LinuxNetDevice(name: "ceth0")], hasNewNetworkNamespace: true)
        #expect(planned.problems == [
            ConfigProblem(path: "linux.netDevices[\"btmissing0\"]", message: "no network device \"btmissing0\" on the host"),
        ])
    }

    @Test func movingDevicesNeedsANewNetworkNamespace() {
        let planned = NetworkDevices.plan(["lo": LinuxNetDevice(name: "ceth0")], hasNewNetworkNamespace: false)
        #expect(planned.problems == [
            ConfigProblem(path: "linux.netDevices", message: "moving devices needs a new network namespace"),
        ])
    }

    @Test func twoDevicesCannotTakeOneNameInTheContainer() {
        let planned = NetworkDevices.plan(
            ["lo": LinuxNetDevice(name: "ceth0"), "btmissing0": LinuxNetDevice(name: "ceth0")], hasNewNetworkNamespace: true)
        #expect(planned.problems.map(\.description) == [
            "linux.netDevices[\"btmissing0\"]: no network device \"btmissing0\" on the host",
            "linux.netDevices[\"lo\"]: \"btmissing0\" is also to be called \"ceth0\" in the container",
        ])
    }

    @Test func noDeviceCanBeCalledLoInTheContainer() {
        let planned = NetworkDevices.plan(["lo": LinuxNetDevice()], hasNewNetworkNamespace: true)
        #expect(planned.problems.map(\.description) == [
            "linux.netDevices[\"lo\"]: every network namespace already has a device \"lo\"",
        ])
    }

    @Test func templateNamesMayRepeat() {
        let planned = NetworkDevices.plan(
            ["lo": LinuxNetDevice(name: "eth%d"), "btmissing0": LinuxNetDevice(name: "eth%d")], hasNewNetworkNamespace: true)
        #expect(planned.problems.map(\.path) == ["linux.netDevices[\"btmissing0\"]"])  // only the missing device
        #expect(planned.devices.map(\.containerName) == ["eth%d", "eth%d"])
        #expect(planned.devices.allSatisfy { $0.isTemplate })
    }

    @Test(.enabled(if: getuid() == 0, "needs root to create network devices and namespaces"))
    func aMovedDeviceIsRenamedUpAndKeepsOnlyItsPermanentGlobalAddresses() throws {
        let tag = "bt" + String(UInt32.random(in: 0x10000...0xFFFFF), radix: 16)
        let subnet = "10.254.\(Int.random(in: 0...255))"
        let ipv6Prefix = "fd00:" + String(UInt16.random(in: 0x1000...0xFFFF), radix: 16)
        let (hostEnd, peer, containerName) = (tag + "a", tag + "b", tag + "c")
        let container = try NetworkNamespaceHolder()
        defer {
            container.end()
            _ = shell("ip link del \(hostEnd)")
            _ = shell("ip link del \(peer)")
        }
        // Addresses are only configured, never sent to.
        for command in [
            "ip link add \(hostEnd) type veth peer name \(peer)",
            "ip addr add \(subnet).1/30 dev \(hostEnd)",
            "ip addr add \(subnet).5/30 dev \(hostEnd) valid_lft 600 preferred_lft 600",  // not permanent
            "ip addr add \(subnet).9/30 dev \(hostEnd) scope host",  // not global
            "ip addr add \(ipv6Prefix)::1/64 dev \(hostEnd) nodad",
        ] {
            let result = shell(command)
            try #require(result.status == 0, "\(command): \(result.output)")
        }

        try NetworkDevices.move([PlannedNetworkDevice(hostName: hostEnd, containerName: containerName)],
                                intoNetworkNamespaceOf: container.pid)

        #expect(shell("ip link show \(hostEnd)").status != 0, "still on the host")
        let link = container.run("ip -o link show \(containerName)")
        #expect(link.status == 0, "\(link.output)")
        #expect(Self.linkFlags(link.output).contains("UP"), "\(link.output)")
        let addresses = container.run("ip -o addr show \(containerName)").output
        #expect(addresses.contains("inet \(subnet).1/30 "), "\(addresses)")
        #expect(!addresses.contains("\(subnet).5/"), "\(addresses)")
        #expect(!addresses.contains("\(subnet).9/"), "\(addresses)")
        #expect(addresses.contains("inet6 \(ipv6Prefix)::1/64 scope global nodad"), "\(addresses)")

        // The name is now taken in the container; only a template may match it.
        let error = #expect(throws: RuntimeError.self) {
            try NetworkDevices.move([PlannedNetworkDevice(hostName: peer, containerName: containerName)],
                                    intoNetworkNamespaceOf: container.pid)
        }
        #expect(error?.summary == "move network device \(peer) into the container as \(containerName): file exists")
        #expect(shell("ip link show \(peer)").status == 0, "a refused device stays on the host")

        try NetworkDevices.move([PlannedNetworkDevice(hostName: peer, containerName: containerName + "%d")],
                                intoNetworkNamespaceOf: container.pid)
        #expect(container.run("ip -o link show \(containerName)0").status == 0)
    }

    /// The flags of `ip -o link` output: `2: eth0@if3: <BROADCAST,UP> mtu …`.
    static func linkFlags(_ line: String) -> [Substring] {
        guard let open = line.firstIndex(of: "<"), let close = line.firstIndex(of: ">") else { return [] }
        return line[line.index(after: open)..<close].split(separator: ",")
    }
}

/// A process holding a new network namespace (`unshare --net sleep`), the
/// stand-in for a container's init. Ending it ends the namespace, and the
/// kernel destroys the virtual devices in it.
private struct NetworkNamespaceHolder {
    let pid: pid_t

    init() throws {
        var spawned: pid_t = 0
        let words: [String] = ["unshare", "--net", "sleep", "60"]
        let argv = words.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let status = posix_spawnp(&spawned, "unshare", nil, nil, argv, environ)
        try #require(status == 0, "spawn unshare: \(String(cString: strerror(status)))")
        pid = spawned
        // unshare runs after the spawn returns: wait until the namespace differs.
        for _ in 0..<500 where Self.namespace(of: "\(pid)") == Self.namespace(of: "self") {
            usleep(10_000)
        }
        try #require(Self.namespace(of: "\(pid)") != Self.namespace(of: "self"), "unshare --net did not take effect")
    }

    func run(_ command: String) -> (status: Int32, output: String) {
        shell("nsenter --net=/proc/\(pid)/ns/net \(command)")
    }

    func end() {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
    }

    private static func namespace(of process: String) -> String {
        var target = [CChar](repeating: 0, count: 256)
        let count = readlink("/proc/\(process)/ns/net", &target, target.count)
        return count > 0 ? String(decoding: target[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
    }
}

/// Runs `command` with sh, returning its exit status and output (stdout and stderr).
private func shell(_ command: String) -> (status: Int32, output: String) {
    guard let pipe = popen("\(command) 2>&1", "r") else { return (-1, "popen failed") }
    var output: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = fread(&buffer, 1, buffer.count, pipe)
        if count == 0 { break }
        output += buffer[0..<count]
    }
    let status = pclose(pipe)
    return (status == 0 ? 0 : max(1, (status >> 8) & 0xFF), String(decoding: output, as: UTF8.self))
}
