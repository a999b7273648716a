import Glibc
import LinuxSystem
import Testing
@testable import Runtime

@Suite struct StateStoreTests {
    func record(_ id: String, pid: Int32 = 0, startTime: UInt64 = 0) -> ContainerRecord {
        ContainerRecord(ociVersion: "1.3.0", id: id, pid: pid, initStartTime: startTime, bundle: "/b/\(id)",
                        rootfs: "/b/\(id)/rootfs", created: "2026-11-29T00:00:00.000000000Z", owner: "root",
                        annotations: ["org.example/key": "value"])
    }

    @Test func claimingCreatesAPrivateRootAndTheContainerDirectory() throws {
        let temporary = TemporaryDirectory()
        let store = StateStore(root: temporary.path + "/state/nested")
        let lock = try store.claim(.claimed("c1"))
        defer { lock.unlock() }
        var info = stat()
        #expect(stat(store.root, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o700)
        #expect(FileSystem.isDirectory(store.directory(of: "c1")))
    }

    /// A root others can write to could hold a planted record naming any
    /// pid and hook: nothing in it is acted on.
    @Test(arguments: [mode_t(0o777), 0o770, 0o702])
    func aRootWritableByOthersIsRefused(mode: mode_t) throws {
        let temporary = TemporaryDirectory()
        let store = StateStore(root: temporary.path + "/state")
        let lock = try store.claim(.claimed("c1"))
        lock.unlock()
        chmod(store.root, mode)
        for operation in [{ _ = try store.lock("c1") }, { _ = try store.ids() }, { _ = try store.claim(.claimed("c2")) }] {
            #expect {
                try operation()
            } throws: { error in
                (error as? RuntimeError)?.message == "state root \(store.root) is writable by others (mode \(String(mode, radix: 8))): make it 0700"
            }
        }
    }

    @Test func aDuplicateIdIsRefusedAndLeavesTheFirstIntact() throws {
        let temporary = TemporaryDirectory()
        let store = StateStore(root: temporary.path)
        let lock = try store.claim(.claimed("c1"))
        try store.save(record("c1"), holding: lock)
        lock.unlock()
        #expect {
            try store.claim(.claimed("c1"))
        } throws: { error in
            (error as? RuntimeError)?.summary == "container with id exists: c1"
        }
        #expect(try store.load("c1") == record("c1"))
    }

    @Test func aSavedRecordLoadsBackUnchanged() throws {
        let temporary = TemporaryDirectory()
        let store = StateStore(root: temporary.path)
        let lock = try store.claim(.claimed("c2"))
        defer { lock.unlock() }
        #expect(try store.load("c2") == .claimed("c2"), "the claim holds the first record")
        try store.save(record("c2", pid: 42, startTime: 7), holding: lock)
        #expect(try store.load("c2") == record("c2", pid: 42, startTime: 7))
        #expect(try FileSystem.listDirectory(store.directory(of: "c2")) == ["state.json"], "no temporary file is left")
    }

    /// A create killed at any point leaves a container directory with a
    /// record (which `delete --force` acts on) or none at all: the claim is
    /// a rename of a staging directory that already holds the record.
    @Test func aClaimIsAtomicAndLeavesNoStagingBehind() throws {
        let temporary = TemporaryDirectory()
        let store = StateStore(root: temporary.path)
        let config = Array("{}".utf8)
        let lock = try store.claim(.claimed("c1"), config: config)
        #expect(try FileSystem.listDirectory(store.root) == ["c1"])
        #expect(try FileSystem.listDirectory(store.directory(of: "c1")).sorted() == ["config.json", "state.json"])
        #expect(try store.loadConfig("c1") == config)
        #expect(throws: RuntimeError.self) { try store.claim(.claimed("c1")) }
        #expect(try FileSystem.listDirectory(store.root) == ["c1"], "the refused claim left no staging directory")
        lock.unlock()
    }

    @Test func theClaimHoldsTheLockAcrossTheRename() throws {
        let temporary = TemporaryDirectory()
        let store = StateStore(root: temporary.path)
        let lock = try store.claim(.claimed("c1"))
        let other = try FileDescriptor.open(store.directory(of: "c1"), O_RDONLY | O_DIRECTORY)
        defer { other.close() }
        #expect(throws: Errno.self) { try other.lock(.exclusive, wait: false) }
        lock.unlock()
        // A child forked by a test running alongside may hold a copy of the
        // descriptor until it execs (close-on-exec): the lock follows soon.
        var freed = false
        for _ in 0..<200 where !freed {
            freed = (try? other.lock(.exclusive, wait: false)) != nil
            if !freed { usleep(10_000) }
        }
        #expect(freed, "the lock is free once the claim's holder unlocks")
    }

    /// A berth killed between making its staging directory and the rename
    /// leaves it; `delete --force` sweeps those whose berth is gone.
    @Test func abandonedStagingIsRemovedAndOneInUseIsKept() throws {
        let temporary = TemporaryDirectory()
        let store = StateStore(root: temporary.path)
        try FileSystem.makeNewDirectory(store.root + "/~claim-999999", mode: 0o700)
        try FileSystem.writeNewFile(store.root + "/~claim-999999/state.json", [])
        try FileSystem.makeNewDirectory(store.root + "/~claim-1", mode: 0o700)
        let inUse = try FileDescriptor.open(store.root + "/~claim-1", O_RDONLY | O_DIRECTORY)
        defer { inUse.close() }
        try inUse.lock(.exclusive)
        store.removeAbandonedStaging()
        #expect(try FileSystem.listDirectory(store.root) == ["~claim-1"])
        #expect(try store.ids().isEmpty, "staging directories are never containers")
    }

    @Test func anUnknownIdDoesNotExist() {
        let temporary = TemporaryDirectory()
        let store = StateStore(root: temporary.path)
        #expect {
            try store.lock("missing")
        } throws: { error in
            let error = error as? RuntimeError
            return error?.code == .notFound && error?.summary == "container \"missing\" does not exist"
        }
    }

    @Test func removingAContainerDeletesItsDirectory() throws {
        let temporary = TemporaryDirectory()
        let store = StateStore(root: temporary.path)
        let lock = try store.claim(.claimed("gone"))
        try store.save(record("gone"), holding: lock)
        try store.remove(holding: lock)
        lock.unlock()
        #expect(!FileSystem.exists(store.directory(of: "gone")))
        #expect(try store.ids() == [])
    }

    @Test func idsListsOnlyContainerDirectories() throws {
        let temporary = TemporaryDirectory()
        let store = StateStore(root: temporary.path)
        for id in ["b", "a"] { try store.claim(.claimed(id)).unlock() }
        try FileSystem.writeNewFile(temporary.path + "/stray-file", [])
        #expect(try store.ids() == ["a", "b"])
        #expect(try StateStore(root: temporary.path + "/absent").ids() == [])
    }

    @Test func aContainerLockExcludesASecondHolder() throws {
        let temporary = TemporaryDirectory()
        let store = StateStore(root: temporary.path)
        let lock = try store.claim(.claimed("locked"))
        defer { lock.unlock() }
        // A second open file description of the same directory must not get
        // the lock while the first holds it.
        let other = open(store.directory(of: "locked"), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        defer { close(other) }
        #expect(flock(other, LOCK_EX | LOCK_NB) == -1 && errno == EWOULDBLOCK)
    }
}
