import Glibc
import LinuxSystem
import OCI
import Testing
@testable import Cgroups

/// `berth events` stats from cgroup v2 files: fixtures as a 6.1 kernel
/// writes them, and the JSON runc's consumers read.
@Suite struct CgroupStatsTests {
    static let cpuStat = """
        usage_usec 1500
        user_usec 1000
        system_usec 500
        nr_periods 10
        nr_throttled 3
        throttled_usec 250
        """

    static let memoryStat = """
        anon 12288
        file 4096
        kernel_stack 16384
        pgfault 120
        """

    static let ioStat = """
        254:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0
        8:16 rbytes=0 wbytes=512 rios=0 wios=1 dbytes=0 dios=0
        """

    @Test func cpuStatMicrosecondsBecomeNanoseconds() {
        let cpu = CgroupStats.parseCPU(Self.cpuStat)
        #expect(cpu.usage.total == 1_500_000)
        #expect(cpu.usage.user == 1_000_000)
        #expect(cpu.usage.kernel == 500_000)
        #expect(cpu.throttling.periods == 10)
        #expect(cpu.throttling.throttledPeriods == 3)
        #expect(cpu.throttling.throttledTime == 250_000)
    }

    @Test func memoryReadsCurrentMaxEventsAndStat() {
        let memory = CgroupStats.parseMemory(current: "33554432", max: "67108864", events: "low 0\nhigh 0\nmax 7\noom 1\noom_kill 1",
                                             swapCurrent: "1024", swapMax: "max", stat: Self.memoryStat)
        #expect(memory.usage.usage == 33_554_432)
        #expect(memory.usage.limit == 67_108_864)
        #expect(memory.usage.failcnt == 7)
        #expect(memory.cache == 4096)
        #expect(memory.raw["kernel_stack"] == 16384)
        #expect(memory.swap.usage == 33_554_432 + 1024, "v1's meaning: memory plus swap")
        #expect(memory.swap.limit == UInt64.max)
    }

    @Test func anUnlimitedMemoryMaxIsTheLargestNumberAndAnUnlimitedPidsMaxIsZero() {
        let memory = CgroupStats.parseMemory(current: "0", max: "max", events: nil, swapCurrent: nil, swapMax: nil, stat: nil)
        #expect(memory.usage.limit == UInt64.max)
        #expect(CgroupStats.parsePids(current: "3", max: "max") == .init(current: 3, limit: 0))
        #expect(CgroupStats.parsePids(current: "3", max: "10") == .init(current: 3, limit: 10))
    }

    @Test func ioStatGivesBytesAndOperationsPerDeviceAsReadAndWrite() {
        let blkio = CgroupStats.parseIO(Self.ioStat)
        #expect(blkio.ioServiceBytesRecursive == [
            .init(major: 254, minor: 0, op: "Read", value: 4096), .init(major: 254, minor: 0, op: "Write", value: 8192),
            .init(major: 8, minor: 16, op: "Read", value: 0), .init(major: 8, minor: 16, op: "Write", value: 512),
        ])
        #expect(blkio.ioServicedRecursive.map(\.value) == [1, 2, 0, 1])
    }

    @Test func theJSONHasRuncsNamesAndOmitsWhatRuncOmits() throws {
        var stats = CgroupStats()
        stats.cpu = CgroupStats.parseCPU("usage_usec 2\nuser_usec 1\nsystem_usec 1")
        stats.memory = CgroupStats.parseMemory(current: "100", max: "max", events: "max 0", swapCurrent: nil, swapMax: nil, stat: nil)
        stats.pids = CgroupStats.parsePids(current: "1", max: "max")
        stats.hugetlb["2MB"] = CgroupStats.parseHugetlb(current: "0", max: "max", events: "max 0")
        let json = String(decoding: try JSONText.encode(stats), as: UTF8.self)
        #expect(json == #"{"blkio":{},"cpu":{"throttling":{},"usage":{"kernel":1000,"total":2000,"user":1000}},"#
            + #""hugetlb":{"2MB":{"failcnt":0,"max":18446744073709551615}},"#
            + #""memory":{"kernel":{"failcnt":0,"limit":0},"kernelTCP":{"failcnt":0,"limit":0},"#
            + #""swap":{"failcnt":0,"limit":0},"usage":{"failcnt":0,"limit":18446744073709551615,"usage":100}},"#
            + #""pids":{"current":1}}"#)
    }

    @Test func statsAreReadFromACgroupDirectory() throws {
        let directory = try TemporaryCgroup()
        directory.write("cpu.stat", Self.cpuStat)
        directory.write("memory.current", "4096\n")
        directory.write("memory.max", "max\n")
        directory.write("pids.current", "2\n")
        directory.write("pids.max", "10\n")
        directory.write("io.stat", Self.ioStat)
        directory.write("hugetlb.2MB.current", "2097152\n")
        directory.write("hugetlb.2MB.max", "4194304\n")
        directory.write("hugetlb.2MB.rsvd.current", "0\n")
        directory.write("hugetlb.2MB.events", "max 1\n")
        let stats = CgroupStats.read(from: directory.cgroup)
        #expect(stats.cpu.usage.total == 1_500_000)
        #expect(stats.memory.usage.usage == 4096)
        #expect(stats.memory.usage.limit == UInt64.max)
        #expect(stats.memory.swap == .init(), "no memory.swap.current, no swap entry")
        #expect(stats.pids == .init(current: 2, limit: 10))
        #expect(stats.blkio.ioServiceBytesRecursive.count == 4)
        #expect(stats.hugetlb == ["2MB": .init(usage: 2_097_152, max: 4_194_304, failcnt: 1)])
    }
}

/// A directory standing in for a cgroup: its files are plain files.
final class TemporaryCgroup {
    let path: String
    var cgroup: Cgroup { Cgroup(path: path) }

    init() throws {
        var template = Array("/tmp/berth-cgroup-stats-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw Errno.current
        }
        path = String(cString: made)
    }

    func write(_ file: String, _ text: String) {
        let target = path + "/" + file
        unlink(target)
        try? FileSystem.writeNewFile(target, Array(text.utf8))
    }

    deinit { try? FileSystem.removeTree(path) }
}
