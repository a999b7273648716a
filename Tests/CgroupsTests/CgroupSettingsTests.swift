import OCI
import Testing
@testable import Cgroups

@Suite struct CgroupSettingsTests {
    func settings(_ resources: LinuxResources) -> [String] {
        let (settings, problems) = CgroupSettings.translate(resources)
        #expect(problems.isEmpty, "\(problems)")
        return settings.map(\.description)
    }

    func problems(_ resources: LinuxResources) -> [String] {
        CgroupSettings.translate(resources).problems.map(\.description)
    }

    @Test func memoryLimitsBecomeMaxLowAndSwapWithoutTheMemoryPart() {
        let resources = LinuxResources(memory: LinuxMemory(limit: 64 << 20, reservation: 32 << 20, swap: 96 << 20))
        #expect(settings(resources) == ["memory.max=67108864", "memory.low=33554432", "memory.swap.max=33554432"])
        #expect(settings(LinuxResources(memory: LinuxMemory(limit: -1, swap: -1))) == ["memory.max=max", "memory.swap.max=max"])
    }

    @Test func aSwapLimitBelowTheMemoryLimitIsAProblem() {
        #expect(problems(LinuxResources(memory: LinuxMemory(limit: 100, swap: 50))) ==
                ["linux.resources.memory.swap: memory+swap limit 50 is lower than the memory limit 100"])
        #expect(problems(LinuxResources(memory: LinuxMemory(swap: 50))) ==
                ["linux.resources.memory.swap: a swap limit needs a memory limit"])
    }

    @Test(arguments: [(UInt64(2), UInt64(1)), (1024, 39), (262_144, 10_000)])
    func cpuSharesMapOntoWeightsLikeRuncs(_ shares: UInt64, _ weight: UInt64) {
        #expect(CgroupSettings.cpuWeight(fromShares: shares) == weight)
    }

    @Test func cpuQuotaAndPeriodShareOneFile() {
        #expect(settings(LinuxResources(cpu: LinuxCPU(shares: 1024, quota: 50_000, period: 100_000, cpus: "0-1", mems: "0")))
                == ["cpu.weight=39", "cpu.max=50000 100000", "cpuset.cpus=0-1", "cpuset.mems=0"])
        #expect(settings(LinuxResources(cpu: LinuxCPU(quota: -1))) == ["cpu.max=max 100000"])
        #expect(settings(LinuxResources(cpu: LinuxCPU(burst: 1000, idle: 1))) == ["cpu.max.burst=1000", "cpu.idle=1"])
    }

    @Test func realtimeCpuIsRefusedOnV2() {
        #expect(problems(LinuxResources(cpu: LinuxCPU(realtimeRuntime: 1000))) ==
                ["linux.resources.cpu.realtimeRuntime: real-time CPU limits do not exist in cgroup v2"])
    }

    @Test func pidsZeroIsUnsetAndNegativeIsUnlimited() {
        #expect(settings(LinuxResources(pids: LinuxPids(limit: 0))) == [])
        #expect(settings(LinuxResources(pids: LinuxPids(limit: -1))) == ["pids.max=max"])
        #expect(settings(LinuxResources(pids: LinuxPids(limit: 50))) == ["pids.max=50"])
    }

    @Test func blockIOBecomesIoWeightAndIoMax() {
        let blockIO = LinuxBlockIO(
            weight: 500,
            weightDevice: [LinuxWeightDevice(major: 8, minor: 0, weight: 1000)],
            throttleReadBpsDevice: [LinuxThrottleDevice(major: 254, minor: 0, rate: 1_048_576)],
            throttleWriteIOPSDevice: [LinuxThrottleDevice(major: 254, minor: 0, rate: 100)])
        #expect(settings(LinuxResources(blockIO: blockIO)) ==
                ["io.weight=default 4950", "io.weight=8:0 10000", "io.max=254:0 rbps=1048576", "io.max=254:0 wiops=100"])
    }

    @Test func hugepagesRdmaAndUnifiedKeysBecomeTheirFiles() {
        let resources = LinuxResources(
            hugepageLimits: [LinuxHugepageLimit(pageSize: "2MB", limit: 4 << 20)],
            rdma: ["mlx5_1": LinuxRdma(hcaHandles: 3, hcaObjects: 100)],
            unified: ["memory.high": "1G", "io.latency": "8:0 target=10"])
        #expect(settings(resources) ==
                ["hugetlb.2MB.max=4194304", "rdma.max=mlx5_1 hca_handle=3 hca_object=100",
                 "io.latency=8:0 target=10", "memory.high=1G"])
    }

    @Test(arguments: ["../../etc/passwd", "a/b", "..", "noDot", ""])
    func unifiedKeysThatAreNotFileNamesAreRefused(_ key: String) {
        #expect(problems(LinuxResources(unified: [key: "1"])).count == 1)
    }

    @Test func networkClassesDoNotExistOnV2() {
        #expect(problems(LinuxResources(network: LinuxNetwork(classID: 1))).count == 1)
    }

    @Test func settingsKnowTheirController() {
        #expect(CgroupSetting("memory.max", "1").controller == "memory")
        #expect(CgroupSetting("cpuset.cpus", "1").controller == "cpuset")
        #expect(CgroupSetting("cgroup.freeze", "1").controller == nil)
    }
}
