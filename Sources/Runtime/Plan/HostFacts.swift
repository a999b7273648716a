import Cgroups
import LinuxSystem

/// What the launch plan needs to know of this machine, as a value (as
/// validation takes a ValidationEnvironment): planning reads nothing else
/// of the host, so a unit test can plan for any machine. Facts that cost a
/// file read and matter only to some configs are closures, asked only when
/// a config needs them.
public struct HostFacts: Sendable {
    /// The cgroup v2 hierarchy, if the host has one.
    public var cgroupMount: @Sendable () -> CgroupMount?
    /// berth's own cgroup, the parent of a relative cgroupsPath.
    public var callerCgroup: @Sendable () -> String
    /// The highest capability number the kernel knows.
    public var lastCapability: Int
    /// berth's bounding set: the capabilities it can grant at all.
    public var grantableCapabilities: UInt64
    public var appArmorEnabled: @Sendable () -> Bool
    public var seLinuxEnabled: @Sendable () -> Bool
    /// Where resctrl is mounted (Intel RDT), if it is.
    public var resctrlRoot: @Sendable () -> String?
    /// Where compiled seccomp filters are kept (under the state root).
    public var seccompCache: SeccompCache? = nil

    public init(cgroupMount: @escaping @Sendable () -> CgroupMount?, callerCgroup: @escaping @Sendable () -> String, lastCapability: Int,
                grantableCapabilities: UInt64, appArmorEnabled: @escaping @Sendable () -> Bool,
                seLinuxEnabled: @escaping @Sendable () -> Bool, resctrlRoot: @escaping @Sendable () -> String?) {
        self.cgroupMount = cgroupMount
        self.callerCgroup = callerCgroup
        self.lastCapability = lastCapability
        self.grantableCapabilities = grantableCapabilities
        self.appArmorEnabled = appArmorEnabled
        self.seLinuxEnabled = seLinuxEnabled
        self.resctrlRoot = resctrlRoot
    }

    /// This machine, now.
    public static func current() -> HostFacts {
        HostFacts(cgroupMount: { CgroupMount.find() }, callerCgroup: Cgroup.callerCgroup,
                  lastCapability: ProcFS.lastCapability(), grantableCapabilities: ProcFS.boundingCapabilities(),
                  appArmorEnabled: { LinuxSecurityModules.appArmorEnabled },
                  seLinuxEnabled: { LinuxSecurityModules.seLinuxEnabled },
                  resctrlRoot: { IntelRdt.mountPoint(mountinfo: MountTable.current()) })
    }
}
