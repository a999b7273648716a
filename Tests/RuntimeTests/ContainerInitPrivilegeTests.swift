import Glibc
import OCI
import Testing
@testable import LinuxSystem
@testable import Runtime

/// The order in which the init gives up privileges is what keeps a
/// container's process from keeping root's powers: groups before gid before
/// uid (each change needs the privilege the next one drops), capabilities
/// kept across the uid change and then set exactly, ambient ones raised
/// last; seccomp loaded while CAP_SYS_ADMIN is still held when there is no
/// no_new_privs, and as the very last call before execve when there is.
@Suite struct ContainerInitPrivilegeTests {
    /// CAP_CHOWN (0) and CAP_KILL (5) are the only capabilities kept.
    static func process(noNewPrivileges: Bool) -> Process {
        Process(user: User(uid: 1000, gid: 1001, umask: 0o027, additionalGids: [10, 20]), args: ["/bin/true"],
                env: ["PATH=/bin"], cwd: "/",
                capabilities: LinuxCapabilities(bounding: ["CAP_CHOWN", "CAP_KILL"], effective: ["CAP_KILL"],
                                                inheritable: ["CAP_KILL"], permitted: ["CAP_KILL"],
                                                ambient: ["CAP_KILL"]),
                rlimits: [POSIXRlimit(type: "RLIMIT_NOFILE", hard: 1024, soft: 512)],
                noNewPrivileges: noNewPrivileges)
    }

    static let seccomp = LinuxSeccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: [
        LinuxSyscall(names: ["getppid"], action: "SCMP_ACT_ERRNO"),
    ])

    /// The steps the container's init and an exec'd process share, for a
    /// container with `process`.
    func processInit(_ process: Process, namespaces: [LinuxNamespace] = [LinuxNamespace(type: "mount")],
                     socket: SyncSocket = SyncSocket(descriptor: FileDescriptor(rawValue: -1)),
                     system: RecordingSystemCalls) throws -> ProcessInit {
        let spec = Spec(ociVersion: "1.3.0", process: process, root: Root(path: "/"),
                        linux: Linux(namespaces: namespaces, seccomp: Self.seccomp))
        let plan = try LaunchPlan.build(id: "c", spec: spec, options: CreateOptions(bundle: "/"))
        var connections = InheritedDescriptors.none
        connections.execHelper = try FileDescriptor.open("/dev/null", O_RDONLY)
        return ProcessInit(plan: plan.processPlan, socket: socket, connections: connections, system: system)
    }

    func prepared() -> ProcessInit.PreparedProcess {
        ProcessInit.PreparedProcess(hostPid: 42, executable: "/bin/true", seccompListener: nil,
                                      seccompListenerPayload: "")
    }

    /// The calls that change who the process is, without the bounding-set
    /// drops (one per capability the kernel has).
    func privilegeSteps(_ system: RecordingSystemCalls) -> [String] {
        system.calls.filter { !$0.hasPrefix("capbset_drop") }
    }

    @Test func withoutNoNewPrivilegesSeccompComesBeforeTheUserChange() throws {
        let system = RecordingSystemCalls()
        try processInit(Self.process(noNewPrivileges: false), system: system).dropPrivileges(prepared())
        #expect(privilegeSteps(system) == [
            "keepcaps 1", "seccomp", "setgroups [10, 20]", "setresgid 1001", "setresuid 1000",
            "capset e=32 p=32 i=32", "keepcaps 0", "ambient_raise 5", "umask 27",
        ])
    }

    @Test func withNoNewPrivilegesSeccompIsTheLastCallBeforeExecve() throws {
        let system = RecordingSystemCalls()
        let subject = try processInit(Self.process(noNewPrivileges: true), system: system)
        try subject.dropPrivileges(prepared())
        do {
            let report = try subject.confine(prepared())
            try subject.execute(prepared(), report: report)
        } catch {
            // The stand-in's execveat fails; its errno is reported.
            #expect(error.summary == "exec /bin/true through the exec helper: exec format error")
        }
        #expect(privilegeSteps(system) == [
            "keepcaps 1", "setgroups [10, 20]", "setresgid 1001", "setresuid 1000",
            "capset e=32 p=32 i=32", "keepcaps 0", "ambient_raise 5", "no_new_privs", "umask 27",
            "sigprocmask", "close_range 3", "seccomp", "execveat /bin/true /bin/true", "(exec helper reports to -)",
        ])
    }

    @Test func everyCapabilityOutsideTheBoundingSetIsDropped() throws {
        let system = RecordingSystemCalls()
        let subject = try processInit(Self.process(noNewPrivileges: true), system: system)
        try subject.dropPrivileges(prepared())
        let dropped = system.calls(startingWith: "capbset_drop").map { Int($0.split(separator: " ")[1])! }
        #expect(dropped == Array(0...subject.plan.process.lastCapability).filter { $0 != 0 && $0 != 5 })
        // All of them before the uid change, which would take the power to drop them.
        let lastDrop = try #require(system.calls.lastIndex { $0.hasPrefix("capbset_drop") })
        #expect(lastDrop < (system.calls.firstIndex(of: "setresuid 1000") ?? 0))
    }

    @Test(arguments: [
        ("capbset_drop", "drop capabilities from the bounding set: no such device"),
        ("keepcaps 1", "keep capabilities across the user change: no such device"),
        ("seccomp", "load the seccomp filter: no such device"),
        ("setgroups", "set groups [10, 20]: no such device"),
        ("setresgid", "set gid 1001: no such device"),
        ("setresuid", "set uid 1000: no such device"),
        ("capset", "set capabilities: no such device"),
        ("ambient_raise", "raise ambient capabilities: no such device"),
    ])
    func aFailingStepIsNamedAndNothingAfterItRuns(step: String, message: String) throws {
        let system = RecordingSystemCalls()
        system.failOn = step
        let subject = try processInit(Self.process(noNewPrivileges: false), system: system)
        #expect(throws: RuntimeError.self) { try subject.dropPrivileges(prepared()) }
        do {
            try subject.dropPrivileges(prepared())
        } catch {
            #expect(error.summary == message)
        }
        #expect(system.calls.last?.hasPrefix(step) == true)
    }

    @Test func execJoinsTheContainerThenLimitsThenDropsPrivilegesThenExecutes() throws {
        let system = RecordingSystemCalls()
        let (berth, child) = try SyncSocket.pair()
        defer { berth.close(); child.close() }
        try berth.send(.proceed(hostPid: 4242))
        let subject = try processInit(
            Self.process(noNewPrivileges: true),
            namespaces: ["mount", "network", "user"].map { LinuxNamespace(type: $0, path: "/proc/self/ns/\($0 == "mount" ? "mnt" : $0 == "network" ? "net" : $0)") },
            socket: child, system: system)
        let prepared = try subject.prepareExec()
        #expect(prepared.hostPid == 4242)
        #expect(prepared.executable == "/bin/true")
        try subject.dropPrivileges(prepared)
        #expect(throws: RuntimeError.self) { try subject.execute(prepared, report: try subject.confine(prepared)) }
        let steps = privilegeSteps(system)
        // Every CPU first, not berth's own affinity (none was configured).
        // Then every other namespace, with the host's privileges, the mount
        // namespace last among them; the user namespace after them (runc's
        // two-stage join), each through a descriptor opened before any join.
        #expect(Array(steps.prefix(6)) == [
            "sched_setaffinity all",
            "setns network", "setns mount", "setns user", "setrlimit 7 512 1024", "fchdir /",
        ])
        // The socket outlives the helper's execve, to carry a failure of
        // the program's, and is kept before seccomp may forbid fcntl.
        #expect(steps.suffix(4) == [
            "keep_fd \(child.descriptor.rawValue)", "seccomp", "execveat /bin/true /bin/true", "(exec helper reports to s)",
        ])
        #expect(steps.firstIndex(of: "setresuid 1000")! > steps.firstIndex(of: "fchdir /")!)
    }

    /// A namespace the host's privileges cannot enter (EPERM) is tried again
    /// once in the user namespace, and only that failure is reported.
    @Test func aNamespaceRefusedBeforeTheUserNamespaceIsJoinedAfterIt() throws {
        let system = RecordingSystemCalls()
        system.failOn = "setns network"
        system.failure = Errno(EPERM)
        let (berth, child) = try SyncSocket.pair()
        defer { berth.close(); child.close() }
        try berth.send(.proceed(hostPid: 4242))
        let subject = try processInit(
            Self.process(noNewPrivileges: true),
            namespaces: [LinuxNamespace(type: "network", path: "/proc/self/ns/net"),
                         LinuxNamespace(type: "mount", path: "/proc/self/ns/mnt"),
                         LinuxNamespace(type: "user", path: "/proc/self/ns/user")],
            socket: child, system: system)
        do {
            _ = try subject.prepareExec()
            Issue.record("joined")
        } catch {
            #expect(error.summary == "join network namespace /proc/self/ns/net: operation not permitted")
        }
        #expect(system.calls(startingWith: "setns") == [
            "setns network", "setns mount", "setns user", "setns network",
        ])
    }
}
