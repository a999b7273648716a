import Foundation
import Glibc
import Testing

/// Whether this host has the hybrid layout the suite is about (outside the
/// suite's type: a trait cannot refer to the type it is attached to).
enum HybridCgroupHost {
    static let unified = "/sys/fs/cgroup/unified"

    static let isHybrid: Bool = {
        let mountInfo = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        let isCgroup2 = MountInfo.parse(mountInfo).last { $0.mountPoint == unified }?.fileSystemType == "cgroup2"
        if !isCgroup2 { print("CgroupHostTests skipped: \(unified) is not a cgroup2 mount (not a hybrid host)") }
        return isCgroup2
    }()
}

/// The container's cgroup on a hybrid host (cgroup v1 controllers, and a
/// cgroup2 hierarchy at /sys/fs/cgroup/unified that delegates no resource
/// controller): where it is made, that the init starts in it, that delete
/// removes it, and which configs are refused (config-linux.md#cgroups).
///
/// Skipped, with a printed reason, where /sys/fs/cgroup/unified is not a
/// cgroup2 mount. The layout (/berth/<id>) and messages are berth's.
@Suite(.integration, .enabled(if: HybridCgroupHost.isHybrid), .timeLimit(.minutes(1)))
struct CgroupHostTests {
    static let unified = HybridCgroupHost.unified

    /// The controllers the v2 root offers.
    static var controllers: Set<String> {
        Set((Host.read(unified + "/cgroup.controllers") ?? "").split(separator: " ").map(String.init))
    }

    /// The cgroup v2 line of /proc/PID/cgroup ("0::/path").
    static func unifiedCgroup(of pid: pid_t) -> String? {
        Host.read("/proc/\(pid)/cgroup")?.split(separator: "\n").first { $0.hasPrefix("0::") }.map(String.init)
    }

    static func exists(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    @Test func theInitStartsInTheContainersCgroupWhichDeleteRemoves() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        guard sandbox.runtime.isBerth else { return Host.skip("the default cgroup layout is berth's") }
        let (id, bundle) = try sandbox.createContainer("cg")
        let directory = CgroupHostTests.unified + "/berth/" + id
        let pid = try sandbox.runtime.state(id).pid

        // Created: the init is already there (clone3 into the cgroup).
        #expect(CgroupHostTests.unifiedCgroup(of: pid) == "0::/berth/\(id)")
        #expect(CgroupHostTests.exists(directory))
        #expect(Host.read(directory + "/cgroup.procs")?.split(separator: "\n").contains("\(pid)") == true)

        try #require(try sandbox.runtime.start(id).succeeded)
        try #require(eventually { bundle.readRootfsFile("ready") != nil })
        #expect(CgroupHostTests.unifiedCgroup(of: pid) == "0::/berth/\(id)")

        let deleted = try sandbox.runtime.delete(id, force: true)
        #expect(deleted.succeeded, "\(deleted)")
        #expect(!CgroupHostTests.exists(directory), "\(directory) is left behind")
    }

    /// An absolute cgroupsPath is taken from the root of the v2 hierarchy;
    /// the parent it needed stays (runc alike) and is removed by the test.
    @Test func anAbsoluteCgroupsPathIsHonouredAndRemovedAtDelete() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let parent = "/berth-it-" + Host.randomHex(8)
        defer { rmdir(CgroupHostTests.unified + parent) }  // only after the container's cgroup is gone
        let (id, bundle) = try sandbox.createContainer("cgpath") { $0.linux["cgroupsPath"] = parent + "/c" }
        let directory = CgroupHostTests.unified + parent + "/c"
        let pid = try sandbox.runtime.state(id).pid

        #expect(CgroupHostTests.unifiedCgroup(of: pid) == "0::\(parent)/c")
        #expect(CgroupHostTests.exists(directory))
        try #require(try sandbox.runtime.start(id).succeeded)
        try #require(eventually { bundle.readRootfsFile("ready") != nil })
        #expect(try sandbox.runtime.kill(id, "KILL").succeeded)
        #expect(try sandbox.runtime.waitForStatus(id, "stopped"))

        let deleted = try sandbox.runtime.delete(id)
        #expect(deleted.succeeded, "\(deleted)")
        #expect(!CgroupHostTests.exists(directory), "\(directory) is left behind")
    }

    /// Limits for controllers the v2 hierarchy does not offer cannot be
    /// applied: create must fail, naming the field, and leave nothing.
    @Test(arguments: [
        ("memory", ["memory": ["limit": 104_857_600]]),
        ("pids", ["pids": ["limit": 64]]),
        ("cpu", ["cpu": ["shares": 512, "quota": 50000, "period": 100_000]]),
    ] as [(String, [String: [String: Int]])])
    func aLimitForAControllerTheHostLacksIsRefused(controller: String, resources: [String: [String: Int]]) throws {
        guard !CgroupHostTests.controllers.contains(controller) else {
            return Host.skip("\(CgroupHostTests.unified) offers \(controller)")
        }
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        // runc and crun fall back to the v1 controllers of a hybrid host.
        guard sandbox.runtime.isBerth else { return Host.skip("berth uses cgroup v2 only") }
        let id = sandbox.newID("limit")
        let bundle = try sandbox.makeBundle(id)
        bundle.shell(Sandbox.waitingScript)
        bundle.linux["resources"] = resources
        try bundle.write()

        let result = try sandbox.runtime.create(id, bundle: bundle.path)
        #expect(!result.succeeded && !result.timedOut, "\(result)")
        let line = "berth: linux.resources.\(controller): \(controller) controller not available in cgroup v2 at \(CgroupHostTests.unified)\n"
        #expect(result.stderr.contains(line), "\(result)")
        #expect(!FileManager.default.fileExists(atPath: sandbox.runtime.stateDirectory(id)))
        #expect(!CgroupHostTests.exists(CgroupHostTests.unified + "/berth/" + id))
        #expect(eventually { sandbox.leftoverProcesses().isEmpty })
        #expect(bundle.readRootfsFile("ready") == nil)
    }

    /// berth has no systemd cgroup driver: "slice:prefix:name" is refused
    /// rather than taken as a directory name.
    @Test func aSystemdCgroupsPathIsRefused() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        guard sandbox.runtime.isBerth else { return Host.skip("other runtimes may accept the systemd form") }
        let id = sandbox.newID("systemd")
        let bundle = try sandbox.makeBundle(id)
        bundle.shell(Sandbox.waitingScript)
        let name = "berth-it-" + Host.randomHex(8)
        bundle.linux["cgroupsPath"] = "system.slice:berth:\(name)"
        try bundle.write()
        let before = Set((try? FileManager.default.contentsOfDirectory(atPath: CgroupHostTests.unified)) ?? [])

        let result = try sandbox.runtime.create(id, bundle: bundle.path)
        #expect(!result.succeeded && !result.timedOut, "\(result)")
        #expect(result.stderr.contains(#"berth: linux.cgroupsPath: "system.slice:berth:\#(name)""#), "\(result)")
        #expect(result.stderr.contains("systemd"), "\(result)")
        #expect(!FileManager.default.fileExists(atPath: sandbox.runtime.stateDirectory(id)))
        let after = Set((try? FileManager.default.contentsOfDirectory(atPath: CgroupHostTests.unified)) ?? [])
        // Other users of the host may make cgroups meanwhile: look for ours only.
        let made = after.subtracting(before).filter { $0.contains("system.slice") || $0.contains(name) }
        #expect(made.isEmpty, "new cgroups: \(made)")
        #expect(!FileManager.default.fileExists(atPath: CgroupHostTests.unified + "/berth/system.slice:berth:\(name)"))
        #expect(eventually { sandbox.leftoverProcesses().isEmpty })
    }
}
