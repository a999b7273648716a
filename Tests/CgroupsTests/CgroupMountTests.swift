import LinuxSystem
import Testing
@testable import Cgroups

@Suite struct CgroupMountTests {
    static let hybrid = """
    25 30 0:23 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
    33 25 0:28 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
    34 33 0:29 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate
    35 33 0:30 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,memory
    """

    static let pureV2 = """
    25 30 0:23 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
    33 25 0:28 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
    40 33 0:28 / /tmp/other\\040place rw shared:9 - cgroup2 cgroup2 rw
    """

    @Test func aHybridHostUsesTheUnifiedMount() {
        #expect(CgroupMount.cgroup2MountPoint(mountinfo: Self.hybrid) == "/sys/fs/cgroup/unified")
    }

    @Test func aPureV2HostPrefersSysFsCgroup() {
        #expect(CgroupMount.cgroup2MountPoint(mountinfo: Self.pureV2) == "/sys/fs/cgroup")
    }

    @Test func aHostWithoutCgroup2HasNoMount() {
        let v1Only = Self.hybrid.split(separator: "\n").filter { !$0.contains("cgroup2") }.joined(separator: "\n")
        #expect(CgroupMount.cgroup2MountPoint(mountinfo: v1Only) == nil)
    }

    @Test func escapedMountPointsAreDecoded() {
        #expect(MountTable.unescape("/tmp/other\\040place") == "/tmp/other place")
    }

    /// What delete unmounts for a container without a mount namespace:
    /// strictly below the rootfs, deepest first, the upper of stacked first.
    @Test func mountsBelowADirectoryComeDeepestAndUppermostFirst() {
        let mountinfo = """
            22 1 0:21 / / rw - ext4 /dev/vda1 rw
            40 22 0:30 / /b/rootfs rw - overlay overlay rw
            41 40 0:31 / /b/rootfs/proc rw - proc proc rw
            42 40 0:32 / /b/rootfs/dev rw - tmpfs tmpfs rw
            43 42 0:33 / /b/rootfs/dev/pts rw - devpts devpts rw
            44 40 0:34 / /b/rootfs/dev rw - tmpfs tmpfs rw
            45 22 0:35 / /b/rootfs2/proc rw - proc proc rw
            46 40 0:36 / /b/rootfs/with\\040space rw - tmpfs tmpfs rw
            """
        let found = MountTable.mounts(below: "/b/rootfs", in: mountinfo)
        #expect(found.map(\.id) == [46, 43, 41, 44, 42])
        #expect(found.first?.path == "/b/rootfs/with space")
    }

    /// What --no-pivot detaches: proc and sysfs mounts that show their
    /// file system from its root; a bind of a part of one does not count
    /// (the kernel's mount_too_revealing looks at whole ones only).
    @Test func fullProcAndSysfsMountsAreThoseShowingTheirRoot() {
        let mountinfo = """
            22 1 0:21 / / rw - ext4 /dev/vda1 rw
            23 22 0:22 / /proc rw,nosuid shared:12 - proc proc rw
            24 22 0:23 / /sys rw shared:2 - sysfs sysfs rw
            25 22 0:22 /sys /srv/proc\040sys rw - proc proc rw
            26 24 0:24 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw
            41 40 0:31 / /b/rootfs/proc rw - proc proc rw
            """
        #expect(MountTable.fullMountPoints(ofTypes: ["proc", "sysfs"], in: mountinfo)
                == ["/proc", "/sys", "/b/rootfs/proc"])
    }
}
