import Glibc
import LinuxSystem
import OCI
import Testing
import Runtime

@Suite struct SeccompProgramTests {
    // MARK: Compiling

    @Test func aSmallProfileCompilesToWholeBPFInstructions() throws {
        let program = try SeccompProgram.compile(LinuxSeccomp(
            defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_AARCH64"],
            syscalls: [LinuxSyscall(names: ["getcwd", "chmod"], action: "SCMP_ACT_ERRNO")]))
        #expect(!program.filter.isEmpty)
        #expect(program.filter.count % 8 == 0)  // sizeof(struct sock_filter)
        #expect(program.instructionCount == program.filter.count / 8)
        #expect(program.flags.rawValue == 0)
        #expect(!program.usesNotify)
        #expect(program.skippedSyscalls.isEmpty)
    }

    @Test func everyActionAndOperatorCompiles() throws {
        let actions = ["SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
                       "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_LOG"]
        let operators = ["SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT",
                         "SCMP_CMP_MASKED_EQ"]
        let syscalls = ["getuid", "getgid", "geteuid", "getegid", "getpgrp", "getppid", "gettid"]
        let rules = zip(zip(actions, operators), syscalls).map { pair, name in
            LinuxSyscall(names: [name], action: pair.0,
                         args: [LinuxSeccompArg(index: 0, value: 7, valueTwo: 3, op: pair.1)])
        }
        let program = try SeccompProgram.compile(LinuxSeccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: rules))
        #expect(program.instructionCount > rules.count)
    }

    @Test func eachProblemIsReportedWithItsJSONPath() {
        let problems = problems(LinuxSeccomp(
            defaultAction: "SCMP_ACT_ALLOW",
            architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_NOPE"],
            flags: ["SECCOMP_FILTER_FLAG_FOO"],
            syscalls: [
                LinuxSyscall(names: ["getcwd"], action: "SCMP_ACT_ERRNO"),
                LinuxSyscall(names: ["chmod"], action: "SCMP_ACT_FOO"),
                LinuxSyscall(names: ["kill"], action: "SCMP_ACT_ERRNO", args: [
                    LinuxSeccompArg(index: 0, value: 1, op: "SCMP_CMP_EQ"),
                    LinuxSeccompArg(index: 9, value: 1, op: "SCMP_CMP_FOO"),
                ]),
                LinuxSyscall(names: ["getpid"], action: "SCMP_ACT_KILL", errnoRet: 5),
                LinuxSyscall(names: ["getppid"], action: "SCMP_ACT_ERRNO", errnoRet: 70_000),
            ]))
        #expect(problems == [
            #"linux.seccomp.architectures[1]: architecture "SCMP_ARCH_NOPE" is not supported by libseccomp \#(BerthVersion.libseccomp)"#,
            #"linux.seccomp.flags[0]: unknown flag "SECCOMP_FILTER_FLAG_FOO""#,
            #"linux.seccomp.syscalls[1].action: unknown action "SCMP_ACT_FOO""#,
            #"linux.seccomp.syscalls[2].args[1].op: unknown operator "SCMP_CMP_FOO""#,
            "linux.seccomp.syscalls[2].args[1].index: 9 is not a system call argument (0 to 5)",
            "linux.seccomp.syscalls[3].errnoRet: only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not SCMP_ACT_KILL",
            "linux.seccomp.syscalls[4].errnoRet: 70000 does not fit in 16 bits",
        ])
    }

    @Test func problemsUseTheGivenPathAndTheInvalidConfigCode() {
        do {
            _ = try SeccompProgram.compile(LinuxSeccomp(defaultAction: "SCMP_ACT_NOPE"), path: "seccomp")
            Issue.record("an unknown default action compiled")
        } catch {
            #expect(error.code == .invalidConfig)
            #expect(error.details == [#"seccomp.defaultAction: unknown action "SCMP_ACT_NOPE""#])
        }
    }

    @Test func notifyCannotBeTheDefaultAction() {
        #expect(problems(LinuxSeccomp(defaultAction: "SCMP_ACT_NOTIFY"))
            == ["linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action"])
    }

    @Test func unknownSystemCallsAreSkippedAndListedOnce() throws {
        let program = try SeccompProgram.compile(LinuxSeccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: [
            LinuxSyscall(names: ["getcwd", "berth_no_such_call", "chmod"], action: "SCMP_ACT_ERRNO"),
            LinuxSyscall(names: ["berth_no_such_call", "berth_other_call"], action: "SCMP_ACT_KILL"),
        ]))
        #expect(program.skippedSyscalls == ["berth_no_such_call", "berth_other_call"])
    }

    @Test func aRuleWithTheDefaultActionChangesNothing() throws {
        // ERRNO without errnoRet is EPERM (1), so the second rule repeats the default.
        let plain = try SeccompProgram.compile(LinuxSeccomp(defaultAction: "SCMP_ACT_ERRNO", syscalls: [
            LinuxSyscall(names: ["read"], action: "SCMP_ACT_ALLOW"),
        ]))
        let redundant = try SeccompProgram.compile(LinuxSeccomp(defaultAction: "SCMP_ACT_ERRNO", syscalls: [
            LinuxSyscall(names: ["read"], action: "SCMP_ACT_ALLOW"),
            LinuxSyscall(names: ["bdflush"], action: "SCMP_ACT_ERRNO", errnoRet: 1),
        ]))
        #expect(redundant == plain)
    }

    // MARK: ENOSYS for calls newer than the profile

    /// x86_64: read 0, write 1, getpid 39, getppid 110, clone3 435, openat2
    /// 437, faccessat2 439. i386: read 3, write 4, getppid 64, clone3 435.
    @Test func aCallNewerThanTheProfileGetsENOSYSOnEveryArchitecture() throws {
        let program = try SeccompProgram.compile(LinuxSeccomp(
            defaultAction: "SCMP_ACT_ERRNO", architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
            syscalls: [LinuxSyscall(names: ["read", "write", "getppid"], action: "SCMP_ACT_ALLOW")]))
        let allow: UInt32 = 0x7fff_0000, eperm: UInt32 = 0x0005_0000 | 1, enosys: UInt32 = 0x0005_0000 | 38
        let x86_64 = ClassicBPF.auditArchX86_64, i386 = ClassicBPF.auditArchI386
        #expect(ClassicBPF.run(program.filter, arch: x86_64, nr: 1) == allow)
        #expect(ClassicBPF.run(program.filter, arch: x86_64, nr: 110) == allow)
        #expect(ClassicBPF.run(program.filter, arch: x86_64, nr: 39) == eperm)
        #expect(ClassicBPF.run(program.filter, arch: x86_64, nr: 435) == enosys)
        #expect(ClassicBPF.run(program.filter, arch: x86_64, nr: 5000) == enosys)
        #expect(ClassicBPF.run(program.filter, arch: i386, nr: 4) == allow)
        #expect(ClassicBPF.run(program.filter, arch: i386, nr: 20) == eperm)
        #expect(ClassicBPF.run(program.filter, arch: i386, nr: 435) == enosys)
    }

    /// "Newer" is above the highest number the profile names, whatever the
    /// name's action: openat2 denied by name makes clone3 (435) older.
    @Test func theHighestNamedCallDecidesWhatIsNewerWhateverItsAction() throws {
        let program = try SeccompProgram.compile(LinuxSeccomp(
            defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: 13, syscalls: [
                LinuxSyscall(names: ["read"], action: "SCMP_ACT_ALLOW"),
                LinuxSyscall(names: ["openat2"], action: "SCMP_ACT_ERRNO", errnoRet: 13),
            ]))
        let eacces: UInt32 = 0x0005_0000 | 13, enosys: UInt32 = 0x0005_0000 | 38
        #expect(ClassicBPF.run(program.filter, arch: ClassicBPF.auditArchX86_64, nr: 435) == eacces)
        #expect(ClassicBPF.run(program.filter, arch: ClassicBPF.auditArchX86_64, nr: 437) == eacces)
        #expect(ClassicBPF.run(program.filter, arch: ClassicBPF.auditArchX86_64, nr: 439) == enosys)
    }

    /// A profile for x86_64 that also lists x32 (whose calls carry bit 30):
    /// each mode is compared with its own highest number.
    @Test func x32CallsAreComparedWithTheHighestX32Number() throws {
        let program = try SeccompProgram.compile(LinuxSeccomp(
            defaultAction: "SCMP_ACT_KILL_PROCESS", architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X32"],
            syscalls: [LinuxSyscall(names: ["read", "write", "getppid"], action: "SCMP_ACT_ALLOW")]))
        let kill: UInt32 = 0x8000_0000, enosys: UInt32 = 0x0005_0000 | 38, x32: UInt32 = 0x4000_0000
        #expect(ClassicBPF.run(program.filter, arch: ClassicBPF.auditArchX86_64, nr: 39) == kill)
        #expect(ClassicBPF.run(program.filter, arch: ClassicBPF.auditArchX86_64, nr: 435) == enosys)
        #expect(ClassicBPF.run(program.filter, arch: ClassicBPF.auditArchX86_64, nr: x32 | 39) == kill)
        #expect(ClassicBPF.run(program.filter, arch: ClassicBPF.auditArchX86_64, nr: x32 | 435) == enosys)
    }

    @Test(arguments: ["SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_TRACE"])
    func aDefaultActionThatLetsCallsThroughGetsNoStub(_ action: String) throws {
        let program = try SeccompProgram.compile(LinuxSeccomp(defaultAction: action, syscalls: [
            LinuxSyscall(names: ["read"], action: "SCMP_ACT_KILL"),
        ]))
        let result = ClassicBPF.run(program.filter, arch: ClassicBPF.auditArchX86_64, nr: 435)
        #expect(result.map { $0 & 0xffff_0000 } != 0x0005_0000, "\(String(result ?? 0, radix: 16))")
    }

    @Test func notifySetsTheNewListenerFlag() throws {
        let program = try SeccompProgram.compile(LinuxSeccomp(
            defaultAction: "SCMP_ACT_ALLOW", flags: ["SECCOMP_FILTER_FLAG_TSYNC"], listenerPath: "/run/agent.sock",
            syscalls: [LinuxSyscall(names: ["mknod"], action: "SCMP_ACT_NOTIFY")]))
        #expect(program.usesNotify)
        // TSYNC_ESRCH (16) comes with TSYNC, or the kernel refuses NEW_LISTENER (8).
        #expect(program.flags.rawValue == 1 | 8 | 16)
    }

    @Test(arguments: [
        ("SECCOMP_FILTER_FLAG_TSYNC", 1), ("SECCOMP_FILTER_FLAG_LOG", 2), ("SECCOMP_FILTER_FLAG_SPEC_ALLOW", 4),
    ] as [(String, UInt32)])
    func eachFlagBecomesItsKernelBit(_ name: String, _ bit: UInt32) throws {
        let program = try SeccompProgram.compile(LinuxSeccomp(defaultAction: "SCMP_ACT_ALLOW", flags: [name]))
        #expect(program.flags.rawValue == bit)
    }

    @Test func waitKillableRecvIsKeptOnlyWithNotify() throws {
        let flags = ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]
        let without = try SeccompProgram.compile(LinuxSeccomp(defaultAction: "SCMP_ACT_ALLOW", flags: flags))
        let with = try SeccompProgram.compile(LinuxSeccomp(
            defaultAction: "SCMP_ACT_ALLOW", flags: flags, listenerPath: "/run/agent.sock",
            syscalls: [LinuxSyscall(names: ["mknod"], action: "SCMP_ACT_NOTIFY")]))
        #expect(without.flags.rawValue == 0)
        #expect(with.flags.rawValue == 32 | 8)
    }

    // MARK: Loading, in a child process (no root needed: no_new_privs)
    //
    // Exit tests run their body in a freshly spawned copy of the test
    // process: a fork of this one would inherit locks held by the threads
    // running other tests, and the Swift runtime may need them. The program
    // is compiled here and only its bytes travel to the child.

    /// System calls made under `probingProfile`, each with the errno it
    /// should leave (0: it succeeded).
    static let probes: [Probe] = [
        // glibc's getppid cannot fail, so it hands back the raw -errno.
        Probe("getppid is denied", 42) { errno = max(0, -getppid()) },
        Probe("getpid still works", 0) { _ = getpid() },
        Probe("kill of a huge pid with signal 0 is denied", 43) { _ = kill(5_000_000, 0) },
        Probe("kill of a huge pid with a real signal reaches the kernel", ESRCH) { _ = kill(5_000_000, SIGCONT) },
        Probe("kill of itself with signal 0 works", 0) { _ = kill(getpid(), 0) },
        Probe("getpriority of the group is denied", 44) { _ = getpriority(Int32(PRIO_PGRP.rawValue), 0) },
        Probe("getpriority of the user is denied", 44) { _ = getpriority(Int32(PRIO_USER.rawValue), 0) },
        Probe("getpriority of the process works", 0) { _ = getpriority(Int32(PRIO_PROCESS.rawValue), 0) },
        Probe("getpgid of 0x101 matches the mask", 45) { _ = getpgid(0x101) },
        Probe("getpgid of 0 does not", 0) { _ = getpgid(0) },
        Probe("getsid of 1 is denied", 46) { _ = getsid(1) },
        Probe("getsid of 0 works", 0) { _ = getsid(0) },
    ]

    static let probingProfile = LinuxSeccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: [
        LinuxSyscall(names: ["getppid"], action: "SCMP_ACT_ERRNO", errnoRet: 42),
        // Conditions on different arguments: both must hold.
        LinuxSyscall(names: ["kill"], action: "SCMP_ACT_ERRNO", errnoRet: 43, args: [
            LinuxSeccompArg(index: 0, value: 4_194_304, op: "SCMP_CMP_GT"),  // above any pid_max
            LinuxSeccompArg(index: 1, value: 0, op: "SCMP_CMP_EQ"),
        ]),
        // Conditions on the same argument: either may hold (runc's rule).
        LinuxSyscall(names: ["getpriority"], action: "SCMP_ACT_ERRNO", errnoRet: 44, args: [
            LinuxSeccompArg(index: 0, value: UInt64(PRIO_PGRP.rawValue), op: "SCMP_CMP_EQ"),
            LinuxSeccompArg(index: 0, value: UInt64(PRIO_USER.rawValue), op: "SCMP_CMP_EQ"),
        ]),
        // (argument & 0xff00) == 0x0100
        LinuxSyscall(names: ["getpgid"], action: "SCMP_ACT_ERRNO", errnoRet: 45, args: [
            LinuxSeccompArg(index: 0, value: 0xff00, valueTwo: 0x0100, op: "SCMP_CMP_MASKED_EQ"),
        ]),
        LinuxSyscall(names: ["getsid"], action: "SCMP_ACT_ERRNO", errnoRet: 46, args: [
            LinuxSeccompArg(index: 0, value: 0, op: "SCMP_CMP_NE"),
        ]),
    ])

    @Test func aLoadedFilterAppliesActionsAndArgumentConditions() async throws {
        let program = try SeccompProgram.compile(Self.probingProfile)
        let result = try await #require(processExitsWith: .success, observing: [\.standardOutputContent]) {
            [filter = program.filter as [UInt8], flags = program.flags.rawValue as UInt32] in
            try Self.load(filter, flags, usesNotify: false)
            var errnos: [Int32] = []
            for probe in Self.probes {
                errno = 0
                probe.call()
                errnos.append(errno)
            }
            print(errnos.map(String.init).joined(separator: " "))
        }
        let observed = String(decoding: result.standardOutputContent, as: UTF8.self).split(whereSeparator: \.isWhitespace)
        #expect(observed.count == Self.probes.count)
        for (probe, errno) in zip(Self.probes, observed) {
            #expect(Int32(errno) == probe.expectedErrno, "\(probe.name)")
        }
    }

    @Test func killProcessEndsTheProcessWithSIGSYS() async throws {
        let program = try SeccompProgram.compile(LinuxSeccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: [
            LinuxSyscall(names: ["getppid"], action: "SCMP_ACT_KILL_PROCESS"),
        ]))
        await #expect(processExitsWith: .signal(SIGSYS)) { [filter = program.filter as [UInt8], flags = program.flags.rawValue as UInt32] in
            try Self.load(filter, flags, usesNotify: false)
            _ = getppid()
        }
    }

    @Test func loadingANotifyFilterReturnsAListener() async throws {
        let program = try SeccompProgram.compile(LinuxSeccomp(
            defaultAction: "SCMP_ACT_ALLOW", listenerPath: "/run/agent.sock",
            syscalls: [LinuxSyscall(names: ["mknodat"], action: "SCMP_ACT_NOTIFY")]))
        let result = try await #require(processExitsWith: .success, observing: [\.standardOutputContent]) {
            [filter = program.filter as [UInt8], flags = program.flags.rawValue as UInt32] in
            let listener = try Self.load(filter, flags, usesNotify: true)
            print(listener.map { fcntl($0, F_GETFD) == FD_CLOEXEC } == true ? "close-on-exec" : "none")
        }
        #expect(String(decoding: result.standardOutputContent, as: UTF8.self) == "close-on-exec\n")
    }

    @Test func aMalformedProgramIsRefusedBeforeTheKernelSeesIt() {
        let program = SeccompProgram(filter: [1, 2, 3], flags: [], usesNotify: false, skippedSyscalls: [])
        #expect(throws: Errno(EINVAL)) { try program.load(through: LiveSystemCalls()) }
    }

    // MARK: Helpers

    private func problems(_ seccomp: LinuxSeccomp) -> [String] {
        do {
            _ = try SeccompProgram.compile(seccomp)
            return []
        } catch {
            return error.details
        }
    }

    /// A system call made under the filter, and the errno it should leave
    /// (0: it succeeded).
    struct Probe: Sendable {
        var name: String
        var expectedErrno: Int32
        var call: @Sendable () -> Void

        init(_ name: String, _ expectedErrno: Int32, _ call: @escaping @Sendable () -> Void) {
            self.name = name
            self.expectedErrno = expectedErrno
            self.call = call
        }
    }

    /// In an exit test's child: sets no_new_privs, as berth's init does when
    /// the config asks, and loads the program. Returns the listener fd.
    @discardableResult
    static func load(_ filter: [UInt8], _ flags: UInt32, usesNotify: Bool) throws -> Int32? {
        try LiveSystemCalls().setNoNewPrivileges()
        return try SeccompProgram(filter: filter, flags: SeccompFilterFlags(rawValue: flags), usesNotify: usesNotify,
                                  skippedSyscalls: []).load(through: LiveSystemCalls())
    }
}
