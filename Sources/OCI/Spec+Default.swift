// The config that `berth spec` writes: the same as runc's `runc spec`
// (libcontainer/specconv Example and ToRootless), so that tools and
// tutorials written for runc work unchanged.

extension Spec {
    /// The default config; `rootless` adapts it for an unprivileged user
    /// whose ids (`uid`, `gid`) become root in a new user namespace.
    public static func defaultSpec(rootless: Bool, uid: UInt32, gid: UInt32) -> Spec {
        let capabilities = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
        var spec = Spec(
            process: Process(
                terminal: true,
                user: User(uid: 0, gid: 0),
                args: ["sh"],
                env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
                cwd: "/",
                capabilities: LinuxCapabilities(bounding: capabilities, effective: capabilities, permitted: capabilities),
                rlimits: [POSIXRlimit(type: "RLIMIT_NOFILE", hard: 1024, soft: 1024)],
                noNewPrivileges: true
            ),
            root: Root(path: "rootfs", readonly: true),
            hostname: "berth",
            mounts: defaultMounts,
            linux: Linux(
                namespaces: ["pid", "network", "ipc", "uts", "mount", "cgroup"].map { LinuxNamespace(type: $0) },
                resources: LinuxResources(devices: [LinuxDeviceCgroup(allow: false, access: "rwm")]),
                maskedPaths: [
                    "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                    "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
                    "/proc/scsi", "/sys/devices/virtual/powercap",
                ],
                readonlyPaths: ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
            )
        )
        if rootless {
            spec.makeRootless(uid: uid, gid: gid)
        }
        return spec
    }

    private static let defaultMounts = [
        Mount(destination: "/proc", type: "proc", source: "proc"),
        Mount(destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"]),
        Mount(
            destination: "/dev/pts", type: "devpts", source: "devpts",
            options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]
        ),
        Mount(destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]),
        Mount(destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"]),
        Mount(destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"]),
        Mount(
            destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup",
            options: ["nosuid", "noexec", "nodev", "relatime", "ro"]
        ),
    ]

    /// What an unprivileged user cannot do is taken out, as runc's ToRootless does.
    private mutating func makeRootless(uid: UInt32, gid: UInt32) {
        guard var linux else { return }
        // A new network namespace would have no connectivity, and only root
        // could give it some; the user namespace goes last so that the others
        // are owned by it.
        linux.namespaces = (linux.namespaces ?? []).filter { $0.type != "network" && $0.type != "user" }
            + [LinuxNamespace(type: "user")]
        linux.uidMappings = [LinuxIDMapping(containerID: 0, hostID: uid, size: 1)]
        linux.gidMappings = [LinuxIDMapping(containerID: 0, hostID: gid, size: 1)]
        // An unprivileged user may not set cgroup limits without delegation.
        linux.resources = nil
        self.linux = linux
        mounts = mounts?.map { mount in
            // sysfs cannot be mounted without owning the network namespace.
            if mount.destination == "/sys" {
                return Mount(destination: "/sys", type: "none", source: "/sys", options: ["rbind", "nosuid", "noexec", "nodev", "ro"])
            }
            // With a single mapped id, gid=5 (tty) and the like do not exist.
            var mount = mount
            mount.options = mount.options?.filter { !$0.hasPrefix("gid=") && !$0.hasPrefix("uid=") }
            return mount
        }
    }
}
