// Validation reports every fault of a config, each at its JSON path.

import Testing
@testable import OCI

/// One fault applied to the (valid) default config, and the problem it must cause.
struct ValidationCase: Sendable, CustomTestStringConvertible {
    var name: String
    var environment: ValidationEnvironment = .everything
    var change: @Sendable (inout Spec) -> Void
    var path: String
    var message: String

    var testDescription: String { name }
}

@Suite struct ValidationTests {
    @Test func aMalformedConfigYieldsOneProblemPerFault() throws {
        let json = #"""
            {
              "ociVersion": "1.3.0",
              "root": {"path": "rootfs"},
              "process": {
                "cwd": "home",
                "args": ["sh"],
                "capabilities": {"bounding": ["CAP_CHOWN", "CAP_TEST"]},
                "rlimits": [
                  {"type": "RLIMIT_NOFILE", "soft": 1, "hard": 1},
                  {"type": "RLIMIT_FOO", "soft": 1, "hard": 1}
                ]
              },
              "linux": {
                "namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "pidd"}, {"type": "mount"}],
                "seccomp": {
                  "defaultAction": "SCMP_ACT_ALLOW",
                  "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_EXPLODE"}]
                }
              }
            }
            """#
        let problems = SpecFixtures.problems(of: SpecFixtures.bytes(json), for: .create, environment: .everything)
        // CAP_TEST is not among them: config.md wants a warning for a
        // capability that cannot be granted, and the launch plan gives it.
        #expect(problems.map(\.description) == [
            #"process.cwd: not an absolute path: "home""#,
            #"process.rlimits[1].type: unknown rlimit "RLIMIT_FOO""#,
            #"linux.namespaces[2].type: unknown namespace type "pidd""#,
            #"linux.namespaces[3].type: duplicate namespace type "mount""#,
            #"linux.seccomp.syscalls[0].action: unknown seccomp action "SCMP_ACT_EXPLODE""#,
        ])
    }

    static let singleFaults: [ValidationCase] = [
        ValidationCase(name: "version not semver", change: { $0.ociVersion = "1.0" }, path: "ociVersion", message: #"not a semantic version: "1.0""#),
        ValidationCase(
            name: "version 2", change: { $0.ociVersion = "2.0.0" }, path: "ociVersion",
            message: #"unsupported version "2.0.0": berth implements 1.3.0"#
        ),
        ValidationCase(name: "no root", change: { $0.root = nil }, path: "root", message: "required to create a container"),
        ValidationCase(name: "empty root path", change: { $0.root?.path = "" }, path: "root.path", message: "must not be empty"),
        ValidationCase(name: "no process", change: { $0.process = nil }, path: "process", message: "required to create a container"),
        ValidationCase(name: "no args", change: { $0.process?.args = [] }, path: "process.args", message: "must contain at least one entry"),
        ValidationCase(
            name: "env without =", change: { $0.process?.env?.append("FOO") }, path: "process.env[2]",
            message: #"invalid environment variable "FOO": missing "=""#
        ),
        ValidationCase(
            name: "duplicate rlimit", change: { $0.process?.rlimits?.append(POSIXRlimit(type: "RLIMIT_NOFILE", hard: 1, soft: 1)) },
            path: "process.rlimits[1].type", message: #"duplicate rlimit "RLIMIT_NOFILE""#
        ),
        ValidationCase(
            name: "soft above hard", change: { $0.process?.rlimits?[0].soft = 2048 }, path: "process.rlimits[0]",
            message: "soft limit 2048 exceeds hard limit 1024"
        ),
        ValidationCase(
            name: "oom score", change: { $0.process?.oomScoreAdj = 1001 }, path: "process.oomScoreAdj",
            message: "must be between -1000 and 1000, found 1001"
        ),
        ValidationCase(
            name: "scheduler policy", change: { $0.process?.scheduler = LinuxScheduler(policy: "SCHED_FAST") },
            path: "process.scheduler.policy", message: #"unknown scheduler policy "SCHED_FAST""#
        ),
        ValidationCase(
            name: "io priority class", change: { $0.process?.ioPriority = LinuxIOPriority(class: "IOPRIO_CLASS_NONE") },
            path: "process.ioPriority.class", message: #"unknown io priority class "IOPRIO_CLASS_NONE""#
        ),
        ValidationCase(
            name: "cpu affinity", change: { $0.process?.execCPUAffinity = CPUAffinity(final: "0-x") },
            path: "process.execCPUAffinity.final", message: #"invalid cpu list "0-x""#
        ),
        ValidationCase(
            name: "hostname without uts namespace", change: { $0.linux?.namespaces?.removeAll { $0.type == "uts" } },
            path: "hostname", message: "setting the hostname requires a uts namespace"
        ),
        ValidationCase(
            name: "empty mount destination", change: { $0.mounts?.append(Mount(destination: "", type: "tmpfs")) },
            path: "mounts[7].destination", message: "must not be empty"
        ),
        ValidationCase(
            name: "idmap without mappings", change: { $0.mounts?.append(Mount(destination: "/data", source: "/srv", options: ["rbind", "idmap"])) },
            path: "mounts[7].options[1]", message: #""idmap" requires uidMappings and gidMappings on the mount, or a user namespace"#
        ),
        ValidationCase(
            name: "relative hook path", change: { $0.hooks = Hooks(poststop: [Hook(path: "cleanup.sh")]) },
            path: "hooks.poststop[0].path", message: #"not an absolute path: "cleanup.sh""#
        ),
        ValidationCase(
            name: "hook timeout", change: { $0.hooks = Hooks(createRuntime: [Hook(path: "/bin/true", timeout: 0)]) },
            path: "hooks.createRuntime[0].timeout", message: "must be greater than zero, found 0"
        ),
        ValidationCase(
            name: "missing namespace path", environment: ValidationEnvironment(pathExists: { _ in false }),
            change: { $0.linux?.namespaces?[1].path = "/var/run/netns/gone" },
            path: "linux.namespaces[1].path", message: #"does not exist: "/var/run/netns/gone""#
        ),
        ValidationCase(
            name: "relative namespace path", change: { $0.linux?.namespaces?[1].path = "netns/a" },
            path: "linux.namespaces[1].path", message: #"not an absolute path: "netns/a""#
        ),
        ValidationCase(
            name: "time offsets in a joined time namespace",
            change: {
                $0.linux?.namespaces?.append(LinuxNamespace(type: "time", path: "/proc/1/ns/time"))
                $0.linux?.timeOffsets = ["boottime": LinuxTimeOffset(secs: 1)]
            },
            path: "linux.timeOffsets", message: "cannot be set when joining an existing time namespace"
        ),
        ValidationCase(
            name: "mappings without a user namespace", change: { $0.linux?.uidMappings = [LinuxIDMapping(containerID: 0, hostID: 1000, size: 1)] },
            path: "linux.uidMappings", message: "requires a user namespace"
        ),
        ValidationCase(
            name: "uid mappings only",
            change: {
                $0.linux?.namespaces?.append(LinuxNamespace(type: "user"))
                $0.linux?.uidMappings = [LinuxIDMapping(containerID: 0, hostID: 1000, size: 1)]
            },
            path: "linux.gidMappings", message: "required together with linux.uidMappings"
        ),
        ValidationCase(
            name: "device type", change: { $0.linux?.devices = [LinuxDevice(type: "x", path: "/dev/x", major: 1, minor: 1)] },
            path: "linux.devices[0].type", message: #"unknown device type "x""#
        ),
        ValidationCase(
            name: "relative device path", change: { $0.linux?.devices = [LinuxDevice(type: "c", path: "dev/fuse", major: 10, minor: 229)] },
            path: "linux.devices[0].path", message: #"not an absolute path: "dev/fuse""#
        ),
        ValidationCase(
            name: "device without major", change: { $0.linux?.devices = [LinuxDevice(type: "c", path: "/dev/fuse", minor: 229)] },
            path: "linux.devices[0]", message: #"missing required field "major""#
        ),
        ValidationCase(
            name: "net device name", change: { $0.linux?.netDevices = ["eth0": LinuxNetDevice(name: "a/b")] },
            path: "linux.netDevices.eth0.name", message: #"invalid network interface name "a/b""#
        ),
        ValidationCase(
            name: "systemd cgroups path", change: { $0.linux?.cgroupsPath = "system.slice:berth" },
            path: "linux.cgroupsPath", message: #"invalid systemd cgroupsPath "system.slice:berth": expected "slice:prefix:name""#
        ),
        ValidationCase(
            name: "cgroups path escaping", change: { $0.linux?.cgroupsPath = "/berth/../../escape" },
            path: "linux.cgroupsPath", message: #"must not contain "..": "/berth/../../escape""#
        ),
        ValidationCase(
            name: "rootfs propagation", change: { $0.linux?.rootfsPropagation = "sideways" },
            path: "linux.rootfsPropagation", message: #"unknown rootfs propagation "sideways""#
        ),
        ValidationCase(
            name: "device cgroup access", change: { $0.linux?.resources?.devices?[0].access = "rwx" },
            path: "linux.resources.devices[0].access",
            message: #""rwx" has an unknown letter "x" (want r, w and m, each at most once, in any order)"#
        ),
        ValidationCase(
            name: "device cgroup access repeating a letter", change: { $0.linux?.resources?.devices?[0].access = "rwr" },
            path: "linux.resources.devices[0].access",
            message: #""rwr" repeats "r" (want r, w and m, each at most once, in any order)"#
        ),
        ValidationCase(
            name: "hugepage size", change: { $0.linux?.resources?.hugepageLimits = [LinuxHugepageLimit(pageSize: "2mb", limit: 1)] },
            path: "linux.resources.hugepageLimits[0].pageSize", message: #"invalid page size "2mb": expected a number followed by KB, MB or GB"#
        ),
        ValidationCase(
            name: "empty rdma limit", change: { $0.linux?.resources?.rdma = ["mlx5_1": LinuxRdma()] },
            path: "linux.resources.rdma.mlx5_1", message: "at least one of hcaHandles and hcaObjects must be set"
        ),
        ValidationCase(
            name: "swappiness", change: { $0.linux?.resources?.memory = LinuxMemory(swappiness: 101) },
            path: "linux.resources.memory.swappiness", message: "must be between 0 and 100, found 101"
        ),
        ValidationCase(
            name: "seccomp operator",
            change: {
                $0.linux?.seccomp = LinuxSeccomp(
                    defaultAction: "SCMP_ACT_ALLOW",
                    syscalls: [LinuxSyscall(names: ["personality"], action: "SCMP_ACT_ERRNO", args: [LinuxSeccompArg(index: 0, value: 8, op: "SCMP_CMP_ABOUT")])]
                )
            },
            path: "linux.seccomp.syscalls[0].args[0].op", message: #"unknown seccomp operator "SCMP_CMP_ABOUT""#
        ),
        ValidationCase(
            name: "seccomp architecture", change: { $0.linux?.seccomp = LinuxSeccomp(defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_Z80"]) },
            path: "linux.seccomp.architectures[0]", message: #"unknown seccomp architecture "SCMP_ARCH_Z80""#
        ),
        ValidationCase(
            name: "seccomp flag", change: { $0.linux?.seccomp = LinuxSeccomp(defaultAction: "SCMP_ACT_ALLOW", flags: ["SECCOMP_FILTER_FLAG_FAST"]) },
            path: "linux.seccomp.flags[0]", message: #"unknown seccomp flag "SECCOMP_FILTER_FLAG_FAST""#
        ),
        ValidationCase(
            name: "seccomp notify without listener",
            change: { $0.linux?.seccomp = LinuxSeccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: [LinuxSyscall(names: ["mount"], action: "SCMP_ACT_NOTIFY")]) },
            path: "linux.seccomp.syscalls[0].action", message: "SCMP_ACT_NOTIFY requires linux.seccomp.listenerPath"
        ),
        ValidationCase(
            name: "seccomp errno for an action without one", change: { $0.linux?.seccomp = LinuxSeccomp(defaultAction: "SCMP_ACT_KILL", defaultErrnoRet: 1) },
            path: "linux.seccomp.defaultErrnoRet", message: "only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not SCMP_ACT_KILL"
        ),
        ValidationCase(
            name: "empty sysctl name", change: { $0.linux?.sysctl = ["": "1"] },
            path: #"linux.sysctl[""]"#, message: "keys must not be empty"
        ),
        ValidationCase(
            name: "relative masked path", change: { $0.linux?.maskedPaths?.append("proc/kcore") },
            path: "linux.maskedPaths[11]", message: #"not an absolute path: "proc/kcore""#
        ),
        ValidationCase(
            name: "personality domain", change: { $0.linux?.personality = LinuxPersonality(domain: "LINUX64") },
            path: "linux.personality.domain", message: #"unknown personality domain "LINUX64""#
        ),
        ValidationCase(
            name: "memory policy without nodes", change: { $0.linux?.memoryPolicy = LinuxMemoryPolicy(mode: "MPOL_BIND") },
            path: "linux.memoryPolicy.nodes", message: "required with MPOL_BIND"
        ),
    ]

    @Test(arguments: singleFaults)
    func aSingleFaultIsReportedAtItsPath(_ fault: ValidationCase) {
        var spec = Spec.defaultSpec(rootless: false, uid: 0, gid: 0)
        fault.change(&spec)
        #expect(spec.validate(for: .create, environment: fault.environment) == [ConfigProblem(path: fault.path, message: fault.message)])
    }

    @Test func aGenericValidationDoesNotRequireProcessOrRoot() {
        var spec = Spec.defaultSpec(rootless: false, uid: 0, gid: 0)
        spec.process = nil
        spec.root = nil
        #expect(spec.validate(for: .generic, environment: .everything) == [])
    }

    @Test(arguments: ["1.0.0", "1.3.0", "1.0.2-dev", "1.0.0-rc.1+build.5", "0.5.0-dev"])
    func semanticVersionsOfTheFirstMajorAreAccepted(version: String) {
        #expect(SemanticVersion.major(of: version) != nil)
        var spec = Spec.defaultSpec(rootless: false, uid: 0, gid: 0)
        spec.ociVersion = version
        #expect(spec.validate(for: .create, environment: .everything) == [])
    }

    @Test(arguments: ["", "1", "1.0", "01.0.0", "1.0.0-", "1.0.0-01", "1.0.0+", "v1.0.0", "1.0.0.0"])
    func malformedVersionsAreNotSemanticVersions(version: String) {
        #expect(SemanticVersion.major(of: version) == nil)
    }

    @Test(arguments: ["/berth/c1", "berth/c1", "system.slice:berth:c1", ":berth:c1", "user.slice:berth:c1"])
    func acceptedCgroupsPaths(path: String) {
        var spec = Spec.defaultSpec(rootless: false, uid: 0, gid: 0)
        spec.linux?.cgroupsPath = path
        #expect(spec.validate(for: .create, environment: .everything) == [])
    }
}

/// Values the schema allows that no system call can take are refused by
/// their JSON path before anything is made.
@Suite struct KernelBoundsTests {
    @Test func aNulByteAnywhereInTheConfigIsRefusedByItsPath() {
        let json = #"{"ociVersion": "1.3.0", "linux": {"cgroupsPath": "/a\u0000b"}, "annotations": {"k\u0000": "v"}}"#
        #expect {
            try SpecLoader.decode(Array(json.utf8))
        } throws: { error in
            (error as? ConfigError)?.problems.map(\.description) == [
                "annotations[\"k\u{0}\"]: its name contains a NUL byte, which no system call can take",
                "linux.cgroupsPath: contains a NUL byte, which no system call can take",
            ]
        }
    }

    @Test(arguments: [Int64(-1), Int64(UInt32.max) + 1, Int64.max])
    func aDeviceNumberMakedevCannotTakeIsRefused(major: Int64) throws {
        var spec = try SpecLoader.decode(Array(#"{"ociVersion": "1.3.0", "root": {"path": "r"}, "process": {"cwd": "/", "args": ["sh"]}}"#.utf8))
        spec.linux = Linux(devices: [LinuxDevice(type: "c", path: "/dev/x", major: major, minor: 1),
                                     LinuxDevice(type: "c", path: "/", major: 1, minor: 3)])
        let problems = spec.validate(for: .create, environment: .permissive).map(\.description)
        #expect(problems.contains { $0.hasPrefix("linux.devices[0].major: must be between 0 and 4294967295") })
        #expect(problems.contains("linux.devices[1].path: must name a file below /, not \"/\""))
    }

    @Test func aRepeatedMemberNameIsRefusedRatherThanOneValueLost() {
        let json = #"{"ociVersion": "1.3.0", "hostname": "a", "hostname": "b"}"#
        #expect {
            try SpecLoader.decode(Array(json.utf8))
        } throws: { error in
            (error as? ConfigError)?.description.contains("duplicate member name \"hostname\"") == true
        }
    }
}
