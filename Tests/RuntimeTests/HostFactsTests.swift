import Cgroups
import OCI
import Testing
@testable import Runtime

/// The plan reads the machine only through HostFacts, so it can be built
/// for a machine that is not this one.
@Suite struct HostFactsTests {
    static func host(grantable: UInt64 = ~0, seLinux: Bool = false, cgroupMount: CgroupMount? = nil) -> HostFacts {
        HostFacts(cgroupMount: { cgroupMount }, callerCgroup: { "/caller" }, lastCapability: 40,
                  grantableCapabilities: grantable, appArmorEnabled: { false }, seLinuxEnabled: { seLinux },
                  resctrlRoot: { nil })
    }

    func plan(_ host: HostFacts, _ change: (inout Spec) -> Void) throws(RuntimeError) -> LaunchPlan {
        try LaunchPlan.build(id: "c", spec: LaunchPlanTests.spec(change), options: CreateOptions(bundle: "/b"), host: host)
    }

    @Test func aCapabilityTheHostCannotGrantIsLeftOutWithAWarning() throws {
        // Only CAP_CHOWN (0) is grantable here.
        let planned = try plan(Self.host(grantable: 1)) {
            $0.process?.capabilities = LinuxCapabilities(bounding: ["CAP_CHOWN", "CAP_KILL"])
        }
        #expect(planned.process.capabilities.bounding == 1)
        #expect(planned.warnings == ["capability CAP_KILL cannot be granted: berth does not hold it; left out"])
    }

    @Test func aMountLabelNeedsSELinuxOnTheHost() throws {
        #expect(throws: RuntimeError.self) {
            try plan(Self.host(seLinux: false)) { $0.linux?.mountLabel = "system_u:object_r:container_file_t:s0" }
        }
        let labelled = try plan(Self.host(seLinux: true)) {
            $0.linux?.mountLabel = "system_u:object_r:container_file_t:s0"
            $0.mounts = [Mount(destination: "/tmp", type: "tmpfs", source: "tmpfs")]
        }
        #expect(labelled.mounts.first?.options.data == ["context=\"system_u:object_r:container_file_t:s0\""])
    }

    @Test func aRelativeCgroupsPathIsPlacedUnderTheCallersCgroup() throws {
        let mount = CgroupMount(path: "/sys/fs/cgroup", controllers: ["memory", "pids"])
        let planned = try plan(Self.host(cgroupMount: mount)) { $0.linux?.cgroupsPath = "pods/c" }
        #expect(planned.cgroup?.relativePath == "/caller/pods/c")
        // Without a cgroup v2 hierarchy a cgroupsPath cannot be honoured.
        #expect(throws: RuntimeError.self) { try plan(Self.host(cgroupMount: nil)) { $0.linux?.cgroupsPath = "pods/c" } }
    }
}
