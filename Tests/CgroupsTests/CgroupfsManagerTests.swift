import Glibc
import LinuxSystem
import OCI
import Testing
@testable import Cgroups

/// The cgroupfs driver through its protocol, against a plain directory
/// standing in for the hierarchy.
@Suite struct CgroupfsManagerTests {
    typealias FakeHierarchy = CgroupTests.FakeHierarchy

    func manager(_ hierarchy: FakeHierarchy, _ relativePath: String) -> any CgroupManager {
        CgroupfsDriver().manager(in: hierarchy.mount, at: relativePath)
    }

    @Test func creatingMakesTheCgroupWithControllersEnabledOnTheWayDown() throws {
        let hierarchy = FakeHierarchy()
        hierarchy.makeCgroup("/berth", files: ["cgroup.subtree_control"])
        let cgroup = manager(hierarchy, "/berth/c1")
        #expect(!cgroup.exists)
        #expect(try cgroup.create(controllers: ["memory", "pids"]))
        #expect(cgroup.exists)
        #expect(cgroup.path == hierarchy.root + "/berth/c1")
        #expect(hierarchy.read("/cgroup.subtree_control") == "cpu memory pids", "the root is never written")
        #expect(hierarchy.read("/berth/cgroup.subtree_control") == "+memory +pids")
        #expect(try cgroup.create(controllers: []) == false, "an existing cgroup is joined")
    }

    @Test func applyingWritesEachSettingIntoItsFile() throws {
        let hierarchy = FakeHierarchy()
        hierarchy.makeCgroup("/c2", files: ["memory.max", "pids.max"])
        let cgroup = manager(hierarchy, "/c2")
        try cgroup.apply([CgroupSetting("memory.max", "1024"), CgroupSetting("pids.max", "5")])
        #expect(hierarchy.read("/c2/memory.max") == "1024")
        #expect(hierarchy.read("/c2/pids.max") == "5")
    }

    @Test func freezingWritesCgroupFreezeAndThawingClearsIt() throws {
        let hierarchy = FakeHierarchy()
        hierarchy.makeCgroup("/c3", files: ["cgroup.freeze", "cgroup.events"])
        let cgroup = manager(hierarchy, "/c3")
        // The kernel would report it; the stand-in says so beforehand.
        try FileSystem.writeFileAtomically(hierarchy.root + "/c3/cgroup.events", Array("populated 1\nfrozen 1\n".utf8), mode: 0o644)
        try cgroup.freeze()
        #expect(hierarchy.read("/c3/cgroup.freeze") == "1")
        #expect(cgroup.isFrozen)
        try cgroup.thaw(waiting: false)
        #expect(hierarchy.read("/c3/cgroup.freeze") == "0")
    }

    @Test func anUpdateIsCompletedFromTheCurrentFilesAndWritten() throws {
        let hierarchy = FakeHierarchy()
        hierarchy.makeCgroup("/berth", files: ["cgroup.subtree_control"])
        hierarchy.makeCgroup("/berth/c4", files: ["cpu.max", "memory.max"])
        try FileSystem.writeFileAtomically(hierarchy.root + "/berth/c4/cpu.max", Array("max 50000\n".utf8), mode: 0o644)
        let cgroup = manager(hierarchy, "/berth/c4")
        let written = try cgroup.update(LinuxResources(cpu: LinuxCPU(quota: 20000)))
        #expect(written.map(\.description) == ["cpu.max=20000 50000"])
        #expect(hierarchy.read("/berth/c4/cpu.max") == "20000 50000")
        #expect(hierarchy.read("/berth/cgroup.subtree_control") == "+cpu")
    }

    @Test func anUpdateNeedingAControllerTheHierarchyLacksWritesNothing() throws {
        let hierarchy = FakeHierarchy()
        hierarchy.makeCgroup("/c5", files: ["hugetlb.2MB.max"])
        #expect {
            try manager(hierarchy, "/c5").update(LinuxResources(hugepageLimits: [LinuxHugepageLimit(pageSize: "2MB", limit: 0)]))
        } throws: { error in
            guard case .unavailable(let reason)? = error as? CgroupUpdateError else { return false }
            return reason == "hugetlb controller not available in cgroup v2 at \(hierarchy.root)"
        }
        #expect(hierarchy.read("/c5/hugetlb.2MB.max") == "")
    }

    @Test func aManagerFromARecordedPathFindsTheSameCgroup() {
        let hierarchy = FakeHierarchy()
        let recorded = CgroupfsDriver().manager(recordedPath: hierarchy.root + "/berth/c6")
        #expect(recorded.path == manager(hierarchy, "berth/c6").path)
    }

    @Test func removingDeletesTheEmptyCgroup() throws {
        let hierarchy = FakeHierarchy()
        let cgroup = manager(hierarchy, "/c7")
        #expect(try cgroup.create(controllers: []))
        try cgroup.remove()
        #expect(!cgroup.exists)
        try cgroup.remove()
    }

    @Test func anExecSubgroupCannotClimbOutOfTheContainersCgroup() throws {
        let hierarchy = FakeHierarchy()
        hierarchy.makeCgroup("/c8", files: [])
        hierarchy.makeCgroup("/c8/sub", files: [])
        let cgroup = manager(hierarchy, "/c8")
        let directory = try cgroup.openDirectory(subgroup: "../../sub")
        defer { directory.close() }
        #expect(FileSystem.readLink("/proc/self/fd/\(directory.rawValue)") == hierarchy.root + "/c8/sub")
    }
}
