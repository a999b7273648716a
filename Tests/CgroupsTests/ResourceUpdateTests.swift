import OCI
import Testing
@testable import Cgroups

/// `berth update`'s resources completed from the current cgroup, and checked
/// against its usage.
@Suite struct ResourceUpdateTests {
    @Test func aQuotaAloneKeepsTheCurrentPeriodAndAPeriodAloneTheCurrentQuota() {
        let files = ["cpu.max": "max 50000", "memory.max": "33554432"]
        let quota = ResourceUpdate.completing(LinuxResources(cpu: LinuxCPU(quota: 20000)), current: { files[$0] })
        #expect(quota.cpu == LinuxCPU(quota: 20000, period: 50000))
        let period = ResourceUpdate.completing(LinuxResources(cpu: LinuxCPU(period: 200000)), current: { files[$0] })
        #expect(period.cpu == LinuxCPU(quota: -1, period: 200000))
    }

    @Test func aSwapLimitAloneCountsAgainstTheCurrentMemoryLimit() {
        let files = ["memory.max": "33554432"]
        let update = ResourceUpdate.completing(LinuxResources(memory: LinuxMemory(swap: 64 << 20)), current: { files[$0] })
        #expect(CgroupSettings.translate(update).settings.map(\.description) == ["memory.max=33554432", "memory.swap.max=33554432"])
    }

    @Test func checkBeforeUpdateRefusesALimitNotAboveTheUsage() {
        let checked = LinuxResources(memory: LinuxMemory(limit: 1000, checkBeforeUpdate: true))
        #expect(ResourceUpdate.checkMemory(checked, usage: 999) == nil)
        #expect(ResourceUpdate.checkMemory(checked, usage: 1000) == "memory limit 1000 is not above the current usage 1000 (memory.checkBeforeUpdate)")
        #expect(ResourceUpdate.checkMemory(LinuxResources(memory: LinuxMemory(limit: 1000)), usage: 5000) == nil)
    }
}
