import Cgroups
import OCI
import Testing
@testable import Runtime

/// The plan reads the machine only through HostFacts, so it can be built
/// for a machine that is not this one.
@Suite struct HostFactsTests {
    static func host(grantable: UInt64 = ~0, lastCapability: Int = 40, seLinux: Bool = false,
                     cgroupMount: CgroupMount? = nil) -> HostFacts {
        HostFacts(cgroupMount: { cgroupMount }, callerCgroup: { "/caller" }, lastCapability: lastCapability,
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

    /// config.md: a name that maps to no capability of this kernel is a
    /// warning naming it and its set, not a failure (runc's behaviour).
    @Test func anUnknownCapabilityOrOneTheKernelLacksIsLeftOutWithAWarning() throws {
        // CAP_BPF is 39: newer than this kernel's last capability, 38.
        let planned = try plan(Self.host(lastCapability: 38)) {
            $0.process?.capabilities = LinuxCapabilities(bounding: ["CAP_CHOWN", "CAP_UNKNOWN"], effective: ["CAP_BPF"],
                                                         permitted: ["CAP_BPF", "CAP_KILL"])
        }
        #expect(planned.process.capabilities == CapabilitySets(bounding: 1 << 0, permitted: 1 << 5))
        #expect(planned.warnings == [
            #"process.capabilities.bounding[1]: unknown capability "CAP_UNKNOWN"; left out"#,
            #"process.capabilities.effective[0]: capability "CAP_BPF" is not supported by the kernel (last capability is 38); left out"#,
            #"process.capabilities.permitted[0]: capability "CAP_BPF" is not supported by the kernel (last capability is 38); left out"#,
        ])
    }

    /// PR_CAP_AMBIENT_RAISE refuses a capability that is not both permitted
    /// and inheritable: runc leaves it out of ambient with a warning rather
    /// than fail, and so does berth.
    @Test func anAmbientCapabilityThatIsNotInheritableOrPermittedIsLeftOutOfAmbient() throws {
        // CAP_CHOWN (0) is in every set; CAP_KILL (5) is not inheritable,
        // CAP_NET_RAW (13) not permitted.
        let planned = try plan(Self.host()) {
            $0.process?.capabilities = LinuxCapabilities(
                bounding: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW"], effective: ["CAP_CHOWN"],
                inheritable: ["CAP_CHOWN", "CAP_NET_RAW"], permitted: ["CAP_CHOWN", "CAP_KILL"],
                ambient: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW"])
        }
        #expect(planned.process.capabilities.ambient == 1 << 0)
        #expect(planned.process.capabilities.inheritable == (1 << 0) | (1 << 13))
        #expect(planned.warnings == [
            "process.capabilities.ambient: CAP_KILL is not in the inheritable set; left out of ambient",
            "process.capabilities.ambient: CAP_NET_RAW is not in the permitted set; left out of ambient",
        ])
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
