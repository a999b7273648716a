import Cgroups
import OCI
import Runtime
import Testing
@testable import berth

/// `berth update`'s flags, turned into LinuxResources as runc turns them.
@Suite struct UpdateFlagsTests {
    @Test func flagsBecomeLinuxResources() throws {
        let resources = try UpdateCommand.resources(fromFlags: [
            "memory": "64M", "memory-swap": "128m", "cpu-share": "1024", "cpu-quota": "50000", "cpu-period": "100000",
            "cpuset-cpus": "0-1", "cpuset-mems": "0", "pids-limit": "20", "blkio-weight": "500",
        ])
        #expect(resources.memory == LinuxMemory(limit: 64 << 20, swap: 128 << 20))
        #expect(resources.cpu == LinuxCPU(shares: 1024, quota: 50000, period: 100000, cpus: "0-1", mems: "0"))
        #expect(resources.pids == LinuxPids(limit: 20))
        #expect(resources.blockIO?.weight == 500)
        let (settings, problems) = CgroupSettings.translate(resources)
        #expect(problems.isEmpty)
        #expect(settings.map(\.description) == [
            "memory.max=67108864", "memory.swap.max=67108864", "cpu.weight=39", "cpu.max=50000 100000",
            "cpuset.cpus=0-1", "cpuset.mems=0", "pids.max=20", "io.weight=default 4950",
        ])
    }

    @Test func cpuSharesIsAnAliasOfRuncsCpuShare() throws {
        #expect(try UpdateCommand.resources(fromFlags: ["cpu-shares": "512"]).cpu?.shares == 512)
    }

    @Test func noFlagsOrZeroValuesSetNothing() throws {
        #expect(try UpdateCommand.resources(fromFlags: [:]) == LinuxResources())
        #expect(try UpdateCommand.resources(fromFlags: ["pids-limit": "0", "cpu-quota": "0"]) == LinuxResources())
    }

    @Test func minusOneMeansUnlimited() throws {
        let resources = try UpdateCommand.resources(fromFlags: ["memory": "-1", "pids-limit": "-1", "cpu-quota": "-1"])
        #expect(CgroupSettings.translate(resources).settings.map(\.description) == ["memory.max=max", "cpu.max=max 100000", "pids.max=max"])
    }

    @Test(arguments: [("1024", 1024), ("32M", 33_554_432), ("32m", 33_554_432), ("1g", 1 << 30), ("1.5k", 1536),
                      ("64MiB", 64 << 20), ("64 MB", 64 << 20), ("2kb", 2048), ("-1", -1)] as [(String, Int64)])
    func sizesAreParsedAsRuncDoes(_ text: String, _ bytes: Int64) {
        #expect(UpdateCommand.parseBytes(text) == bytes)
    }

    @Test(arguments: ["", "M", "12x", "1.", "-2", "12MBB", "1e3"])
    func badSizesAreRefused(_ text: String) {
        #expect(UpdateCommand.parseBytes(text) == nil)
    }

    @Test func aBadFlagValueIsNamed() {
        #expect {
            try UpdateCommand.resources(fromFlags: ["pids-limit": "many"])
        } throws: { error in
            (error as? RuntimeError)?.message == "update: invalid value for --pids-limit: \"many\" is not an integer in range"
        }
        #expect {
            try UpdateCommand.resources(fromFlags: ["memory": "lots"])
        } throws: { error in
            (error as? RuntimeError)?.message.hasPrefix("update: invalid value for --memory: \"lots\"") == true
        }
    }
}
