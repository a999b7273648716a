import Glibc
import LinuxSystem
import OCI
import Testing
@testable import Cgroups

/// The manager against a plain directory standing in for the hierarchy:
/// mkdir and writes behave the same, which is all these decisions need.
@Suite struct CgroupTests {
    final class FakeHierarchy {
        let root: String
        init(controllers: String = "cpu memory pids", rootSubtree: String = "cpu memory pids") {
            var template = Array("/tmp/berth-cgroup-XXXXXX".utf8CString)
            root = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
            try? FileSystem.writeNewFile(root + "/cgroup.controllers", Array(controllers.utf8))
            try? FileSystem.writeNewFile(root + "/cgroup.subtree_control", Array(rootSubtree.utf8))
        }
        var mount: CgroupMount { CgroupMount(path: root, controllers: ["cpu", "memory", "pids"]) }
        /// A cgroup as the kernel would show it: a directory with its files.
        func makeCgroup(_ path: String, files: [String]) {
            mkdir(root + path, 0o755)
            for file in files { try? FileSystem.writeNewFile(root + path + "/" + file, []) }
        }
        func read(_ path: String) -> String {
            (try? FileSystem.readFile(root + path)).map { String(decoding: $0, as: UTF8.self) } ?? "<missing>"
        }
        deinit { _ = system("rm -rf '\(root)'") }
    }

    @Test func anAbsolutePathIsTakenFromTheRootAndNoneMeansBerthSlashId() throws {
        #expect(try Cgroup.relativePath(cgroupsPath: "/a/b", id: "c", callerCgroup: { "/me" }).get() == "/a/b")
        #expect(try Cgroup.relativePath(cgroupsPath: nil, id: "c", callerCgroup: { "/me" }).get() == "/berth/c")
        #expect(try Cgroup.relativePath(cgroupsPath: "x/y", id: "c", callerCgroup: { "/me/too" }).get() == "/me/too/x/y")
    }

    @Test(arguments: ["/a/../b", "system.slice:berth:c1", "/"])
    func unsafeOrSystemdPathsAreProblems(_ path: String) {
        #expect(throws: ConfigProblem.self) {
            try Cgroup.relativePath(cgroupsPath: path, id: "c", callerCgroup: { "/" }).get()
        }
    }

    @Test func creatingEnablesControllersBelowTheRootOnly() throws {
        let hierarchy = FakeHierarchy()
        hierarchy.makeCgroup("/berth", files: ["cgroup.subtree_control"])
        let (cgroup, created) = try Cgroup.create("/berth/c1", in: hierarchy.mount, controllers: ["memory", "pids"])
        #expect(created)
        #expect(cgroup.path == hierarchy.root + "/berth/c1")
        #expect(hierarchy.read("/cgroup.subtree_control") == "cpu memory pids", "the root is never written")
        #expect(hierarchy.read("/berth/cgroup.subtree_control") == "+memory +pids")
    }

    @Test func aControllerTheRootDoesNotDelegateIsNamed() {
        let hierarchy = FakeHierarchy(rootSubtree: "cpu")
        #expect {
            try Cgroup.create("/berth/c1", in: hierarchy.mount, controllers: ["memory"])
        } throws: { error in
            (error as? CgroupError)?.message.hasPrefix("memory not enabled in \(hierarchy.root)/cgroup.subtree_control") == true
        }
    }

    @Test func anExistingCgroupIsJoinedNotCreated() throws {
        let hierarchy = FakeHierarchy()
        _ = try Cgroup.create("/shared", in: hierarchy.mount, controllers: [])
        #expect(try Cgroup.create("/shared", in: hierarchy.mount, controllers: []).created == false)
    }

    @Test func settingsAreWrittenIntoTheirFiles() throws {
        let hierarchy = FakeHierarchy()
        hierarchy.makeCgroup("/c2", files: ["memory.max", "pids.max"])
        let (cgroup, _) = try Cgroup.create("/c2", in: hierarchy.mount, controllers: [])
        try cgroup.apply([CgroupSetting("memory.max", "1024"), CgroupSetting("pids.max", "5")])
        #expect(hierarchy.read("/c2/memory.max") == "1024")
        #expect(hierarchy.read("/c2/pids.max") == "5")
    }
}
