import Foundation
import Glibc
import Testing

/// Namespaces and what is configured in them, seen from inside: user (id
/// mappings), time (offsets), cgroup, uts, joining an existing one by path,
/// namespaced sysctls, network devices moved in, and the personality
/// (config-linux.md).
@Suite(.integration, .timeLimit(.minutes(1)))
struct NamespaceTests {
    static let defaultNamespaces = ["pid", "mount", "ipc", "uts", "network"]

    static func namespaces(adding extra: [String]) -> [[String: Any]] {
        (defaultNamespaces + extra).map { ["type": $0] }
    }

    /// Root in the container is host uid/gid 100000, 65536 ids, and owns
    /// its rootfs (the runtime makes mount points in it as that root).
    static func mapRootTo100000(_ bundle: Bundle) throws {
        try Host.mustRun("/bin/chown", ["-R", "-h", "100000:100000", bundle.rootfs])
        bundle.linux["namespaces"] = namespaces(adding: ["user"])
        bundle.linux["uidMappings"] = [["containerID": 0, "hostID": 100000, "size": 65536]]
        bundle.linux["gidMappings"] = [["containerID": 0, "hostID": 100000, "size": 65536]]
    }

    /// For a feature runc 1.1 (Debian 12's) lacks: with a runtime other than
    /// berth a failure is a known issue (berth's is never hidden).
    static func newerThanRunc11(_ feature: String, _ sandbox: Sandbox, _ body: () throws -> Void) throws {
        try withKnownIssue("\(feature): not in runc 1.1", isIntermittent: true) {
            try body()
        } when: {
            !sandbox.runtime.isBerth
        }
    }

    /// The columns of a uid_map/gid_map line, whatever the padding.
    static func columns(_ line: Substring) -> [String] { line.split(separator: " ").map(String.init) }

    // MARK: user

    @Test func aUserNamespaceMapsRootToTheConfiguredRange() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        sandbox.allowMappedRoot()
        let result = try sandbox.runShell("""
            cat /proc/self/uid_map /proc/self/gid_map
            id -u; id -g
            echo discarded > /dev/null && echo null-ok
            head -c 2 /dev/zero | wc -c
            """) { try NamespaceTests.mapRootTo100000($0) }
        #expect(result.succeeded, "\(result)")
        let lines = result.stdout.split(separator: "\n")
        try #require(lines.count == 6, "\(result)")
        #expect(NamespaceTests.columns(lines[0]) == ["0", "100000", "65536"], "uid_map: \(result.stdout)")
        #expect(NamespaceTests.columns(lines[1]) == ["0", "100000", "65536"], "gid_map: \(result.stdout)")
        #expect(Array(lines[2...]) == ["0", "0", "null-ok", "2"], "\(result)")
    }

    /// The host sees the container's root as the mapped uid.
    @Test func theHostSeesTheMappedIDs() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        sandbox.allowMappedRoot()
        let (id, bundle) = try sandbox.createContainer("userns") { bundle in
            try NamespaceTests.mapRootTo100000(bundle)
        }
        try #require(try sandbox.runtime.start(id).succeeded)
        try #require(eventually { bundle.readRootfsFile("ready") != nil }, "the container never wrote /ready")
        let pid = try sandbox.runtime.state(id).pid
        let status = Host.statusFields(Host.read("/proc/\(pid)/status") ?? "")
        #expect(status["Uid"]?.split(separator: "\t").map(String.init) == Array(repeating: "100000", count: 4), "\(status)")
        #expect(status["Gid"]?.split(separator: "\t").map(String.init) == Array(repeating: "100000", count: 4), "\(status)")
        #expect(Host.readLink("/proc/\(pid)/ns/user") != Host.readLink("/proc/self/ns/user"))
    }

    // MARK: time, cgroup, uts

    /// Without a cgroup namespace the "cgroup" mount shows the whole v2
    /// hierarchy, so the path in /proc/self/cgroup is there below it, with
    /// the config's flags (berth binds the host's mount rather than making
    /// a fresh one: #16). Needs a cgroup2 mount on the host.
    @Test func aCgroupMountWithoutACgroupNamespaceShowsTheWholeHierarchyReadOnly() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        guard FileManager.default.fileExists(atPath: "/sys/fs/cgroup/cgroup.controllers")
                || FileManager.default.fileExists(atPath: "/sys/fs/cgroup/unified/cgroup.controllers") else { return }
        let script = #"""
            path=$(sed -n 's/^0:://p' /proc/self/cgroup)
            test -d "/sys/fs/cgroup$path" && echo "own cgroup visible"
            grep ' /sys/fs/cgroup ' /proc/self/mountinfo | grep -q ' ro,' && echo "read-only"
            grep ' /sys/fs/cgroup ' /proc/self/mountinfo | grep -q ' - cgroup2 ' && echo "cgroup2"
            mkdir /sys/fs/cgroup/berth-it-denied 2>/dev/null || echo "mkdir refused"
            """#
        let result = try sandbox.runShell(script) { bundle in
            bundle.addMount(destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup",
                            options: ["nosuid", "noexec", "nodev", "relatime", "ro"])
        }
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout == "own cgroup visible\nread-only\ncgroup2\nmkdir refused\n", "\(result)")
    }

    @Test func aTimeNamespaceShiftsTheBootClock() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let year = 31_536_000.0
        func hostUptime() -> Double { Double(Host.read("/proc/uptime")?.split(separator: " ").first ?? "") ?? -1 }
        let before = hostUptime()
        try NamespaceTests.newerThanRunc11("time namespaces", sandbox) {
            let result = try sandbox.runShell("cat /proc/uptime") { bundle in
                bundle.linux["namespaces"] = NamespaceTests.namespaces(adding: ["time"])
                bundle.linux["timeOffsets"] = ["boottime": ["secs": Int(year), "nanosecs": 0]]
            }
            let after = hostUptime()
            #expect(result.succeeded, "\(result)")
            let inside = try #require(Double(result.stdout.split(separator: " ").first ?? ""), "\(result)")
            #expect(inside >= before + year - 1 && inside <= after + year + 1,
                    "uptime inside \(inside), host \(before)…\(after)")
        }
    }

    @Test(arguments: [true, false])
    func aCgroupNamespaceMakesTheContainersCgroupItsRoot(cgroupNamespace: Bool) throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        var id = ""
        let result = try sandbox.runShell("grep '^0::' /proc/self/cgroup") { bundle in
            id = URL(fileURLWithPath: bundle.path).lastPathComponent
            if cgroupNamespace { bundle.linux["namespaces"] = NamespaceTests.namespaces(adding: ["cgroup"]) }
        }
        #expect(result.succeeded, "\(result)")
        if cgroupNamespace {
            #expect(result.stdout == "0::/\n", "\(result)")
        } else if sandbox.runtime.isBerth {
            #expect(result.stdout == "0::/berth/\(id)\n", "\(result)")
        } else {
            #expect(result.stdout != "0::/\n", "\(result)")
        }
    }

    @Test func hostnameAndDomainnameAreSetInTheUTSNamespace() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let hostDomain = Host.read("/proc/sys/kernel/domainname")
        try NamespaceTests.newerThanRunc11("domainname", sandbox) {
            let result = try sandbox.runShell("hostname; cat /proc/sys/kernel/domainname") { bundle in
                bundle.top["hostname"] = "berth-uts"
                bundle.top["domainname"] = "berth.example"
            }
            #expect(result.succeeded, "\(result)")
            #expect(result.stdout == "berth-uts\nberth.example\n", "\(result)")
            #expect(Host.read("/proc/sys/kernel/domainname") == hostDomain)
        }
    }

    // MARK: no mount namespace

    /// The optional fields (shared:N, master:N) of the host's "/" mount:
    /// what berth must not change when it shares the mount namespace.
    static func rootPropagation() -> String {
        let line = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.split(separator: " ")[4] == "/" }
        guard let fields = line?.split(separator: " "), let dash = fields.firstIndex(of: "-") else { return "" }
        return fields[6..<dash].joined(separator: " ")
    }

    /// config-linux.md: a namespace type not listed is the runtime's, the
    /// mount namespace too (#17: berth refused such a config, runc runs
    /// it). The init chroots into the rootfs, the config's mounts land in
    /// the host's table below the rootfs, and delete takes them away again.
    @Test func withoutAMountNamespaceTheContainerSharesTheRuntimesAndDeleteUnmountsItsMounts() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let propagation = Self.rootPropagation()
        let (id, bundle) = try sandbox.createContainer { bundle in
            bundle.linux["namespaces"] = ["pid", "ipc", "uts", "network"].map { ["type": $0] }
        }
        let pid = try sandbox.runtime.state(id).pid
        let rootfs = URL(fileURLWithPath: bundle.rootfs).resolvingSymlinksInPath().path
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/ns/mnt")
                == FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/mnt"))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/root") == rootfs)
        let below = { ProcessTable.mountPoints(of: "self").filter { $0.hasPrefix(rootfs + "/") } }
        #expect(below().contains(rootfs + "/proc"), "the config's /proc is not in the host's mount table: \(below())")

        try #require(try sandbox.runtime.start(id).succeeded)
        try #require(eventually { bundle.readRootfsFile("ready") != nil })
        // exec joins no mount namespace, so it must take the init's root.
        let exec = try sandbox.runtime.run(["exec", id, "sh", "-c", "test -e /ready && ls /proc/1/ns/mnt"])
        #expect(exec.succeeded && exec.stdout == "/proc/1/ns/mnt\n", "\(exec)")

        #expect(try sandbox.runtime.delete(id, force: true).succeeded)
        if sandbox.runtime.isBerth {
            #expect(below().isEmpty, "mounts left below the rootfs after delete: \(below())")
        }
        #expect(Self.rootPropagation() == propagation, "the host's / propagation changed")
    }

    /// Without a mount namespace, masking or making paths read-only would
    /// change the host's own mounts: refused, by name (runc refuses too).
    @Test(arguments: ["maskedPaths", "readonlyPaths"])
    func withoutAMountNamespacePathsCannotBeRestricted(key: String) throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let result = try sandbox.runShell("true") { bundle in
            bundle.linux["namespaces"] = ["pid", "ipc", "uts", "network"].map { ["type": $0] }
            bundle.linux[key] = ["/proc/kcore"]
        }
        #expect(!result.succeeded && !result.timedOut, "\(result)")
        if sandbox.runtime.isBerth {
            #expect(result.stderr.contains("linux.\(key): "), "\(result)")
            #expect(result.stderr.contains("needs a mount namespace"), "\(result)")
        }
    }

    // MARK: joining by path

    /// A network namespace held by a helper process, with a veth pair made
    /// in it, joined by /proc/PID/ns/net: the container sees the pair.
    @Test func aNamespaceIsJoinedByPath() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let holder = try Subprocess("/usr/bin/unshare", ["--net", "/bin/sleep", "60"])
        defer { holder.stop() }  // the namespace, and the pair in it, die with it
        let namespace = "/proc/\(holder.pid)/ns/net"
        let hostNamespace = Host.readLink("/proc/self/ns/net")
        try #require(eventually { Host.readLink(namespace).map { $0 != hostNamespace } == true },
                     "unshare --net did not make a namespace")
        let name = "btj" + Host.randomHex()
        try Host.mustRun("/usr/bin/nsenter", ["--net=" + namespace, "/usr/sbin/ip", "link", "add", name,
                                              "type", "veth", "peer", "name", name + "p"])

        let result = try sandbox.runShell("readlink /proc/self/ns/net; ip -o link show") { bundle in
            bundle.linux["namespaces"] = NamespaceTests.defaultNamespaces.map { type -> [String: Any] in
                type == "network" ? ["type": type, "path": namespace] : ["type": type]
            }
        }
        #expect(result.succeeded, "\(result)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.first.map(String.init) == Host.readLink(namespace), "\(result)")
        #expect(result.stdout.contains(": \(name)@"), "\(result)")
        #expect(!Host.hasNetworkDevice(name), "the pair is on the host")
    }

    /// `"path": ""` is no path (runc): a new namespace, not a refused config.
    @Test func anEmptyNamespacePathMeansANewNamespace() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let result = try sandbox.runShell("readlink /proc/self/ns/net; readlink /proc/self/ns/uts") { bundle in
            bundle.linux["namespaces"] = NamespaceTests.defaultNamespaces.map { ["type": $0, "path": ""] }
        }
        #expect(result.succeeded, "\(result)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 2, "\(result)")
        #expect(lines.first != Host.readLink("/proc/self/ns/net"), "\(result)")
        #expect(lines.last != Host.readLink("/proc/self/ns/uts"), "\(result)")
    }

    /// A process holding namespaces made by `unshare ARGUMENTS`, and the
    /// path of each of `kinds` (the names under /proc/PID/ns).
    static func holdNamespaces(_ arguments: [String], _ kinds: [String]) throws -> (Subprocess, [String: String]) {
        let holder = try Subprocess("/usr/bin/unshare", arguments + ["/bin/sleep", "60"])
        let paths = Dictionary(uniqueKeysWithValues: kinds.map { ($0, "/proc/\(holder.pid)/ns/\($0)") })
        let made = eventually {
            paths.allSatisfy { kind, path in Host.readLink(path).map { $0 != Host.readLink("/proc/self/ns/" + kind) } == true }
        }
        if !made { holder.stop() }
        try #require(made, "unshare \(arguments) did not make the namespaces")
        return (holder, paths)
    }

    /// A user namespace with a network and a pid namespace it owns, all
    /// joined by path; the container's mount, ipc and uts namespaces are
    /// new, made in the joined user namespace, so its root can mount and
    /// set the hostname there.
    @Test func aJoinedUserNamespaceAndANetworkNamespaceItOwnsAreJoined() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        sandbox.allowMappedRoot()
        let (holder, paths) = try NamespaceTests.holdNamespaces(
            ["--user", "--map-root-user", "--net", "--pid", "--fork", "--kill-child"], ["user", "net", "pid_for_children"])
        defer { holder.stop() }
        let script = "for ns in user net pid; do readlink /proc/self/ns/$ns; done; cat /proc/self/uid_map; id -u; hostname"
        let result = try sandbox.runShell(script) { bundle in
            bundle.linux["namespaces"] = [["type": "mount"], ["type": "ipc"], ["type": "uts"],
                                          ["type": "user", "path": paths["user"]!],
                                          ["type": "network", "path": paths["net"]!],
                                          ["type": "pid", "path": paths["pid_for_children"]!]]
        }
        #expect(result.succeeded, "\(result)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        try #require(lines.count == 6, "\(result)")
        #expect(lines[0] == Host.readLink(paths["user"]!), "\(result)")
        #expect(lines[1] == Host.readLink(paths["net"]!), "\(result)")
        #expect(lines[2] == Host.readLink(paths["pid_for_children"]!), "\(result)")
        #expect(NamespaceTests.columns(Substring(lines[3])) == ["0", "0", "1"], "\(result)")
        #expect(lines[4] == "0", "\(result)")
        #expect(lines[5] == "berth-it", "\(result)")
    }

    /// berth makes a new pid namespace before the init joins the user
    /// namespace, so it could not be that user namespace's: refused at
    /// create with the reason, instead of a container that cannot mount.
    @Test func aNewPidNamespaceWithAJoinedUserNamespaceIsRefused() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let (holder, paths) = try NamespaceTests.holdNamespaces(["--user", "--map-root-user"], ["user"])
        defer { holder.stop() }
        let result = try sandbox.runShell("true") { bundle in
            bundle.linux["namespaces"] = NamespaceTests.namespaces(adding: []) + [["type": "user", "path": paths["user"]!]]
        }
        #expect(!result.succeeded)
        #expect(result.stderr.contains("linux.namespaces: a new pid namespace cannot go with a joined user namespace"),
                "\(result)")
    }

    /// A network namespace the joined user namespace does not own (root
    /// made it on the host): berth enters it with the host's privileges,
    /// before the user namespace takes them away (runc's two-stage join).
    @Test func aNetworkNamespaceTheJoinedUserNamespaceDoesNotOwnIsJoinedToo() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        sandbox.allowMappedRoot()
        let (userHolder, userPaths) = try NamespaceTests.holdNamespaces(
            ["--user", "--map-root-user", "--pid", "--fork", "--kill-child"], ["user", "pid_for_children"])
        defer { userHolder.stop() }
        let (netHolder, netPaths) = try NamespaceTests.holdNamespaces(["--net"], ["net"])
        defer { netHolder.stop() }
        let result = try sandbox.runShell("readlink /proc/self/ns/user; readlink /proc/self/ns/net") { bundle in
            bundle.linux["namespaces"] = [["type": "mount"], ["type": "ipc"], ["type": "uts"],
                                          ["type": "user", "path": userPaths["user"]!],
                                          ["type": "pid", "path": userPaths["pid_for_children"]!],
                                          ["type": "network", "path": netPaths["net"]!]]
            // sysfs wants the network namespace's user namespace.
            bundle.mounts.removeAll { $0["destination"] as? String == "/sys" }
        }
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout == "\(Host.readLink(userPaths["user"]!) ?? "?")\n\(Host.readLink(netPaths["net"]!) ?? "?")\n",
                "\(result)")
    }

    // MARK: sysctl

    @Test func namespacedSysctlsAreSetInTheContainersNamespaces() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let forwardPath = "/proc/sys/net/ipv4/ip_forward", shmmaxPath = "/proc/sys/kernel/shmmax"
        let hostForward = try #require(Host.read(forwardPath))
        let hostShmmax = try #require(Host.read(shmmaxPath))
        // A new network namespace may copy the host's value: ask for the other.
        let wanted = hostForward == "1" ? "0" : "1"
        let result = try sandbox.runShell("cat \(forwardPath) \(shmmaxPath)") { bundle in
            bundle.linux["sysctl"] = ["net.ipv4.ip_forward": wanted, "kernel.shmmax": "123456789"]
        }
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout == "\(wanted)\n123456789\n", "\(result)")
        #expect(Host.read(forwardPath) == hostForward, "the host's ip_forward changed")
        #expect(Host.read(shmmaxPath) == hostShmmax, "the host's shmmax changed")
    }

    @Test func aHostWideSysctlIsRefusedAtCreate() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let panicPath = "/proc/sys/kernel/panic"
        let hostPanic = Host.read(panicPath)
        let id = sandbox.newID("sysctl")
        let bundle = try sandbox.makeBundle(id)
        bundle.shell(Sandbox.waitingScript)
        bundle.linux["sysctl"] = ["kernel.panic": hostPanic == "17" ? "18" : "17"]
        try bundle.write()

        let result = try sandbox.runtime.create(id, bundle: bundle.path)
        #expect(!result.succeeded && !result.timedOut, "\(result)")
        if sandbox.runtime.isBerth {
            #expect(result.stderr.contains(#"berth: linux.sysctl["kernel.panic"]: "#), "\(result)")
        }
        #expect(Host.read(panicPath) == hostPanic, "the host's kernel.panic changed")
        #expect(!FileManager.default.fileExists(atPath: sandbox.runtime.stateDirectory(id)))
        #expect(eventually { sandbox.leftoverProcesses().isEmpty })
    }

    // MARK: network devices

    /// A veth end with a permanent global address is moved into the
    /// container's new network namespace and renamed; it keeps the address
    /// and is up. No traffic is sent.
    @Test func aNetworkDeviceIsMovedInRenamedAddressedAndUp() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let suffix = Host.randomHex()
        let device = "bt" + suffix, peer = "bp" + suffix
        let subnet = Int(suffix.prefix(2), radix: 16)! % 250 + 1
        let address = "10.254.\(subnet).1/30"
        try Host.mustRun("/usr/sbin/ip", ["link", "add", device, "type", "veth", "peer", "name", peer])
        defer { _ = try? Subprocess.run("/usr/sbin/ip", ["link", "del", peer]) }  // gone already once the netns died
        try Host.mustRun("/usr/sbin/ip", ["addr", "add", address, "dev", device])

        try NamespaceTests.newerThanRunc11("linux.netDevices", sandbox) {
            let result = try sandbox.runShell("ip addr show ceth0; ip link show \(device) 2>&1; true") { bundle in
                bundle.linux["netDevices"] = [device: ["name": "ceth0"]]
            }
            #expect(result.succeeded, "\(result)")
            let header = try #require(result.stdout.split(separator: "\n").first, "\(result)")
            #expect(header.contains(": ceth0@"), "\(result)")
            let flags = header.split(separator: "<").dropFirst().first?.split(separator: ">").first ?? ""
            #expect(flags.split(separator: ",").contains("UP"), "not up: \(result)")
            #expect(result.stdout.contains("inet \(address) "), "\(result)")
            #expect(!result.stdout.contains("\(device):"), "the host name is still there: \(result)")
            #expect(!Host.hasNetworkDevice(device), "\(device) is back on the host")
        }
    }

    // MARK: personality

    @Test func theLinux32PersonalityReportsA32BitMachine() throws {
        var host = utsname()
        uname(&host)
        let machine = withUnsafeBytes(of: &host.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        guard machine == "x86_64" else { return Host.skip("LINUX32 reports i686 on x86_64 only; this is \(machine)") }
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        try NamespaceTests.newerThanRunc11("linux.personality", sandbox) {
            let result = try sandbox.runShell("uname -m") { $0.linux["personality"] = ["domain": "LINUX32"] }
            #expect(result.succeeded, "\(result)")
            #expect(result.stdout == "i686\n", "\(result)")
        }
    }
}
