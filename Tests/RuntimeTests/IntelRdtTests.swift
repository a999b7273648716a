import Glibc
import LinuxSystem
import OCI
import Testing
@testable import Runtime

/// resctrl's rules against a directory standing in for the file system.
@Suite struct IntelRdtTests {
    let temporary = TemporaryDirectory()
    var root: String { temporary.path }

    /// resctrl's own files vanish with their group; a plain directory's
    /// do not, so the test removes them before checking rmdir.
    func dropKernelFiles(_ group: String) {
        for file in ["schemata", "tasks"] { unlink(root + group + "/" + file) }
    }

    func read(_ path: String) -> String {
        (try? FileSystem.readFile(root + path)).map { String(decoding: $0, as: UTF8.self) } ?? "<missing>"
    }

    func planned(_ rdt: LinuxIntelRdt) -> (PlannedIntelRdt, [ConfigProblem]) {
        var problems: [ConfigProblem] = []
        let plan = IntelRdt.plan(rdt, problems: &problems)
        return (plan, problems)
    }

    @Test func withoutClosIDAGroupNamedAfterTheContainerIsMadeAndRemoved() throws {
        let (rdt, _) = planned(LinuxIntelRdt(l3CacheSchema: "L3:0=ff", memBwSchema: "MB:0=50", schemata: ["L2:0=f"]))
        let placement = try IntelRdt.apply(rdt, id: "c1", pid: 42, root: root)
        #expect(read("/c1/schemata") == "L3:0=ff\nMB:0=50\nL2:0=f\n", "l3, then memBw, then schemata")
        #expect(read("/c1/tasks") == "42")
        #expect(placement.createdGroup == root + "/c1")
        dropKernelFiles("/c1")
        IntelRdt.remove(placement)
        #expect(!FileSystem.exists(root + "/c1"))
    }

    @Test func anExistingClosIDWithOtherSchemataIsAnError() throws {
        try FileSystem.makeDirectory(root + "/gold", mode: 0o755)
        try FileSystem.writeNewFile(root + "/gold/schemata", Array("    L3:0=0ff;1=ff\nMB:0=100\n".utf8))
        let (same, _) = planned(LinuxIntelRdt(closID: "gold", l3CacheSchema: "L3:0=ff;1=ff"))
        #expect(try IntelRdt.apply(same, id: "c", pid: 7, root: root).createdGroup == nil, "an existing group is not berth's")
        let (other, _) = planned(LinuxIntelRdt(closID: "gold", l3CacheSchema: "L3:0=f0"))
        #expect(throws: RuntimeError.self) { try IntelRdt.apply(other, id: "c", pid: 7, root: root) }
    }

    @Test func aClosIDWithoutSchemataMustExist() throws {
        let (rdt, _) = planned(LinuxIntelRdt(closID: "silver"))
        #expect(throws: RuntimeError.self) { try IntelRdt.apply(rdt, id: "c", pid: 7, root: root) }
        try FileSystem.makeDirectory(root + "/silver", mode: 0o755)
        _ = try IntelRdt.apply(rdt, id: "c", pid: 7, root: root)
        #expect(read("/silver/tasks") == "7")
        #expect(read("/silver/schemata") == "<missing>", "no schemata asked, none written")
    }

    @Test func monitoringPutsTheProcessInAMonitoringGroup() throws {
        // The kernel gives every group a mon_groups directory.
        try FileSystem.makeDirectories(root + "/gold/mon_groups", mode: 0o755)
        let (rdt, _) = planned(LinuxIntelRdt(closID: "gold", enableMonitoring: true))
        let placement = try IntelRdt.apply(rdt, id: "c2", pid: 9, root: root)
        #expect(read("/gold/mon_groups/c2/tasks") == "9")
        #expect(read("/gold/tasks") == "<missing>", "the task is in the monitoring group, which is in gold")
        dropKernelFiles("/gold/mon_groups/c2")
        IntelRdt.remove(placement)
        #expect(!FileSystem.exists(root + "/gold/mon_groups/c2"))
        #expect(FileSystem.exists(root + "/gold"), "a group berth did not make stays")
    }

    @Test func badClosIDsAreProblems() {
        #expect(planned(LinuxIntelRdt(closID: "../x")).1.count == 1)
        #expect(planned(LinuxIntelRdt(closID: "/", l3CacheSchema: "L3:0=f")).1.count == 1)
        #expect(planned(LinuxIntelRdt(closID: "/")).1.isEmpty)
    }

    @Test func theResctrlMountIsFoundInMountinfo() {
        let mountinfo = """
        25 30 0:23 / /sys rw,nosuid - sysfs sysfs rw
        40 25 0:40 / /sys/fs/resctrl rw,relatime - resctrl resctrl rw
        """
        #expect(IntelRdt.mountPoint(mountinfo: mountinfo) == "/sys/fs/resctrl")
        #expect(IntelRdt.mountPoint(mountinfo: "25 30 0:23 / /sys rw - sysfs sysfs rw") == nil)
    }
}
