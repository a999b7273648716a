import Glibc
import Testing
@testable import Cgroups

/// Reading the freezer's and the oom counters' flat-keyed files, and a
/// subtree's processes, on plain directories.
@Suite struct FreezerTests {
    @Test func flatKeyedFilesAreReadAsNumbers() {
        #expect(Cgroup.flatKeyed("populated 1\nfrozen 0\n") == ["populated": 1, "frozen": 0])
        #expect(Cgroup.flatKeyed("low 0\nhigh 2\nmax 3\noom 1\noom_kill 1\noom_group_kill 0\n")["oom_kill"] == 1)
        #expect(Cgroup.flatKeyed("garbage\nkey notanumber\n").isEmpty)
    }

    @Test(arguments: [("populated 1\nfrozen 1\n", true), ("populated 1\nfrozen 0\n", false), ("populated 0\n", false)])
    func frozenMeansCgroupEventsSaysFrozen1(_ events: String, _ frozen: Bool) throws {
        let directory = try TemporaryCgroup()
        directory.write("cgroup.events", events)
        #expect(directory.cgroup.isFrozen == frozen)
    }

    @Test func aCgroupWithoutCgroupEventsIsNotFrozen() throws {
        let directory = try TemporaryCgroup()
        #expect(!directory.cgroup.isFrozen)
        #expect(!directory.cgroup.isPopulated)
    }

    @Test func freezingWithoutAFreezerFileNamesTheCgroup() throws {
        let directory = try TemporaryCgroup()
        #expect {
            try directory.cgroup.setFrozen(true)
        } throws: { error in
            (error as? CgroupError)?.message == "freeze \(directory.path): no cgroup.freeze (the freezer needs Linux 5.2)"
        }
    }

    @Test func aFreezeTheKernelNeverReportsTimesOutAndIsUndone() throws {
        let directory = try TemporaryCgroup()
        directory.write("cgroup.freeze", "0\n")
        directory.write("cgroup.events", "populated 1\nfrozen 0\n")
        #expect(throws: CgroupError.self) { try directory.cgroup.setFrozen(true, timeoutSeconds: 0) }
        #expect(directory.cgroup.read("cgroup.freeze") == "0")
    }

    @Test func allProcessesCoversDescendantsWithoutDuplicates() throws {
        let directory = try TemporaryCgroup()
        directory.write("cgroup.procs", "10\n11\n")
        mkdir(directory.path + "/a", 0o755)
        mkdir(directory.path + "/a/b", 0o755)
        directory.write("a/cgroup.procs", "12\n")
        directory.write("a/b/cgroup.procs", "13\n11\n")
        #expect(directory.cgroup.allProcesses() == [10, 11, 12, 13])
        #expect(directory.cgroup.subtree().map(\.path) == [directory.path, directory.path + "/a", directory.path + "/a/b"])
    }
}
