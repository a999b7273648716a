import Glibc
import LinuxSystem
import OCI
import Testing
@testable import Runtime

/// Compiled filters kept under the state root (#16): a hit gives back the
/// very program compiled, anything else compiles again.
@Suite struct SeccompCacheTests {
    static let profile = LinuxSeccomp(
        defaultAction: "SCMP_ACT_ERRNO", architectures: ["SCMP_ARCH_X86_64"],
        syscalls: [LinuxSyscall(names: ["read", "write", "nosuchcall"], action: "SCMP_ACT_ALLOW")])

    func compiled(_ profile: LinuxSeccomp = Self.profile) throws -> SeccompProgram {
        try SeccompProgram.compile(profile)
    }

    @Test func aHitReturnsTheCompiledProgramWithoutCompiling() throws {
        let directory = TemporaryDirectory()
        let cache = SeccompCache(directory: directory.path + "/cache")
        var compiles = 0
        let program = try compiled()
        let first = cache.program(for: Self.profile) { compiles += 1; return program }
        let second = cache.program(for: Self.profile) { compiles += 1; return nil }
        #expect(compiles == 1)
        #expect(first == program && second == program)
        #expect(second?.skippedSyscalls == ["nosuchcall"])
    }

    @Test func anotherProfileIsCompiledAgain() throws {
        let directory = TemporaryDirectory()
        let cache = SeccompCache(directory: directory.path + "/cache")
        var other = Self.profile
        other.syscalls?[0].names.append("close")
        _ = cache.program(for: Self.profile) { try? compiled() }
        var compiles = 0
        let program = cache.program(for: other) { compiles += 1; return try? compiled(other) }
        #expect(compiles == 1)
        #expect(program == (try compiled(other)))
    }

    /// An entry under another profile's name (a collision of the 64-bit
    /// name, or a file swapped in) is never used: its stored key differs.
    @Test func anEntryWhoseKeyDiffersIsNotUsed() throws {
        let directory = TemporaryDirectory()
        let cache = SeccompCache(directory: directory.path + "/cache")
        var other = Self.profile
        other.defaultAction = "SCMP_ACT_ALLOW"
        _ = cache.program(for: other) { try? compiled(other) }
        let otherKey = try #require(SeccompCache.key(of: other))
        let key = try #require(SeccompCache.key(of: Self.profile))
        let planted = try FileSystem.readFile(cache.directory + "/" + SeccompCache.fileName(of: otherKey))
        try FileSystem.writeFileAtomically(cache.directory + "/" + SeccompCache.fileName(of: key), planted)
        var compiles = 0
        let program = cache.program(for: Self.profile) { compiles += 1; return try? compiled() }
        #expect(compiles == 1)
        #expect(program == (try compiled()))
    }

    @Test func damagedEntriesAreRejected() throws {
        let key = Array("key".utf8)
        let program = try compiled()
        let entry = SeccompCache.encode(program, key: key)
        #expect(SeccompCache.decode(entry, key: key) == program)
        for length in [0, 5, SeccompCache.magic.count + 3, entry.count / 2, entry.count - 1] {
            #expect(SeccompCache.decode(Array(entry.prefix(length)), key: key) == nil, "truncated to \(length)")
        }
        #expect(SeccompCache.decode(entry + [0], key: key) == nil)
        var oddFilter = entry
        oddFilter[SeccompCache.magic.count + 4 + key.count] &+= 1  // the filter's length, off by one
        #expect(SeccompCache.decode(oddFilter, key: key) == nil)
    }

    @Test func theCacheStartsOverWhenFull() throws {
        let directory = TemporaryDirectory()
        let cache = SeccompCache(directory: directory.path + "/cache")
        try FileSystem.makeDirectory(cache.directory, mode: 0o700)
        for index in 0..<SeccompCache.capacity {
            try FileSystem.writeFileAtomically(cache.directory + "/old-\(index)", [0])
        }
        _ = cache.program(for: Self.profile) { try? compiled() }
        #expect(try FileSystem.listDirectory(cache.directory).count == 1)
    }
}
