import Foundation
import Glibc
import Testing

/// What confines the container's process, observed from inside (or from the
/// host where the kernel shows it there): capabilities, no_new_privs,
/// seccomp (errno and a notify agent), masked and read-only paths, and the
/// runtime's own hardening (config.md#linux-process, config-linux.md).
///
/// Where a test could pass because the feature did nothing (an empty set, a
/// path that does not exist), it runs the same script without the feature
/// as well and expects the difference.
@Suite(.integration, .timeLimit(.minutes(1)))
struct SecurityTests {
    /// The container's `statusScript` output shows CAP_KILL and CAP_CHOWN
    /// (bits 5 and 0) bounding, effective and permitted, and nothing else.
    static func expectKillAndChownOnly(_ result: ProcessResult) {
        #expect(result.succeeded, "\(result)")
        let fields = Host.statusFields(result.stdout)
        for field in ["CapBnd", "CapEff", "CapPrm"] {
            #expect(fields[field] == "0000000000000021", "\(field): \(result)")
        }
        #expect(fields["CapInh"] == "0000000000000000", "\(result)")
        #expect(fields["CapAmb"] == "0000000000000000", "\(result)")
    }

    /// Every capability field of /proc/self/status, and NoNewPrivs.
    static let statusScript = "grep -E '^(Cap|NoNewPrivs)' /proc/self/status"

    static func capabilities(_ names: [String], sets: [String]) -> [String: [String]] {
        Dictionary(uniqueKeysWithValues: sets.map { ($0, names) })
    }

    // MARK: capabilities and no_new_privs

    @Test func exactCapabilitySetsAreApplied() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let result = try sandbox.runShell(SecurityTests.statusScript) { bundle in
            bundle.process["capabilities"] = SecurityTests.capabilities(["CAP_KILL", "CAP_CHOWN"],
                                                                        sets: ["bounding", "effective", "permitted"])
        }
        Self.expectKillAndChownOnly(result)
    }

    /// A root process regains its bounding set at execve: only an empty
    /// bounding set leaves it without capabilities.
    @Test func withoutCapabilitiesInTheConfigEverySetIsEmpty() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let result = try sandbox.runShell(SecurityTests.statusScript)
        #expect(result.succeeded, "\(result)")
        let fields = Host.statusFields(result.stdout)
        for set in ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"] {
            #expect(fields[set] == "0000000000000000", "\(set): \(result.stdout)")
        }
    }

    /// Ambient capabilities are what a non-root process keeps across execve.
    @Test func aNonRootUserKeepsItsAmbientCapability() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let result = try sandbox.runShell("id -u; " + SecurityTests.statusScript) { bundle in
            bundle.process["user"] = ["uid": 1000, "gid": 1000]
            bundle.process["capabilities"] = SecurityTests.capabilities(
                ["CAP_NET_BIND_SERVICE"], sets: ["ambient", "bounding", "inheritable", "permitted", "effective"])
        }
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout.hasPrefix("1000\n"), "\(result)")
        let fields = Host.statusFields(result.stdout)
        // CAP_NET_BIND_SERVICE is bit 10.
        for set in ["CapAmb", "CapBnd", "CapInh", "CapPrm", "CapEff"] {
            #expect(fields[set] == "0000000000000400", "\(set): \(result.stdout)")
        }
    }

    /// config.md: a capability name that maps to nothing is logged as a
    /// warning and create does not fail; the rest of the sets apply. (runc:
    /// "ignoring unknown or unavailable capabilities".)
    @Test(arguments: ["bounding", "effective", "inheritable", "permitted", "ambient"])
    func anUnknownCapabilityIsLeftOutWithAWarning(set: String) throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let result = try sandbox.runShell(SecurityTests.statusScript) { bundle in
            var sets = SecurityTests.capabilities(["CAP_KILL", "CAP_CHOWN"], sets: ["bounding", "effective", "permitted"])
            sets[set, default: []].append("CAP_UNKNOWN")
            bundle.process["capabilities"] = sets
        }
        Self.expectKillAndChownOnly(result)
        #expect(result.stderr.contains("CAP_UNKNOWN"), "\(result)")
        if sandbox.runtime.isBerth {
            let index = set == "bounding" || set == "effective" || set == "permitted" ? 2 : 0
            #expect(result.stderr.contains("level=warning"), "\(result)")
            #expect(result.stderr.contains("process.capabilities.\(set)[\(index)]: unknown capability"), "\(result)")
        }
    }

    /// An ambient capability must be inheritable and permitted, or the
    /// kernel refuses to raise it: runc leaves it out of ambient with a
    /// warning instead of failing, and so must berth. The user is not root,
    /// so what the process holds after execve comes from its ambient set.
    @Test func anAmbientCapabilityThatIsNotInheritableIsLeftOutWithAWarning() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let result = try sandbox.runShell("id -u; " + SecurityTests.statusScript) { bundle in
            bundle.process["user"] = ["uid": 1000, "gid": 1000]
            // CAP_NET_BIND_SERVICE (bit 10) is in every set; CAP_NET_RAW
            // (bit 13) is ambient but not inheritable.
            var sets = SecurityTests.capabilities(["CAP_NET_BIND_SERVICE", "CAP_NET_RAW"],
                                                  sets: ["ambient", "bounding", "permitted", "effective"])
            sets["inheritable"] = ["CAP_NET_BIND_SERVICE"]
            bundle.process["capabilities"] = sets
        }
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout.hasPrefix("1000\n"), "\(result)")
        let fields = Host.statusFields(result.stdout)
        #expect(fields["CapAmb"] == "0000000000000400", "\(result)")
        #expect(fields["CapInh"] == "0000000000000400", "\(result)")
        #expect(fields["CapPrm"] == "0000000000000400", "\(result)")
        #expect(fields["CapEff"] == "0000000000000400", "\(result)")
        #expect(fields["CapBnd"] == "0000000000002400", "\(result)")
        if sandbox.runtime.isBerth {
            #expect(result.stderr.contains("process.capabilities.ambient: CAP_NET_RAW is not in the inheritable set"),
                    "\(result)")
        }
    }

    /// The kernel refuses an inheritable set outside the bounding set
    /// (capset(2)): the runtime must say so from `create` (runc: "unable to
    /// apply caps: operation not permitted") or at least from `start` — never
    /// a `start` that succeeds while the process never runs.
    @Test func capabilitiesTheKernelRefusesFailCreateOrStart() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let id = sandbox.newID("badcaps")
        let bundle = try sandbox.makeBundle(id)
        bundle.shell(Sandbox.waitingScript)
        bundle.process["user"] = ["uid": 1000, "gid": 1000]
        bundle.process["capabilities"] = SecurityTests.capabilities(
            ["CAP_NET_BIND_SERVICE"], sets: ["ambient", "inheritable", "permitted", "effective"])  // no bounding
        try bundle.write()
        let created = try sandbox.runtime.create(id, bundle: bundle.path)
        guard created.succeeded else {
            #expect(!created.timedOut && created.stderr.contains("operation not permitted"), "\(created)")
            return
        }
        #expect(!sandbox.runtime.isBerth, "berth applies capabilities before it reports the container created")
        let started = try sandbox.runtime.start(id)
        #expect(!started.succeeded && started.stderr.contains("capabilities"), "start: \(started)")
        #expect(try sandbox.runtime.waitForStatus(id, "stopped"))
        #expect(bundle.readRootfsFile("ready") == nil, "the process ran with capabilities the kernel refused")
    }

    @Test(arguments: [true, false])
    func noNewPrivilegesIsSetExactlyWhenAsked(noNewPrivileges: Bool) throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let result = try sandbox.runShell(SecurityTests.statusScript) { bundle in
            bundle.process["noNewPrivileges"] = noNewPrivileges
        }
        #expect(result.succeeded, "\(result)")
        #expect(Host.statusFields(result.stdout)["NoNewPrivs"] == (noNewPrivileges ? "1" : "0"), "\(result)")
    }

    // MARK: seccomp

    /// A filter that makes mkdir (and mkdirat) fail with `errnoRet`, or hands
    /// them to the agent, everything else allowed.
    static func mkdirFilter(action: String, names: [String] = ["mkdir", "mkdirat"]) -> [String: Any] {
        var rule: [String: Any] = ["names": names, "action": action]
        if action == "SCMP_ACT_ERRNO" { rule["errnoRet"] = 1 }  // EPERM
        return ["defaultAction": "SCMP_ACT_ALLOW", "syscalls": [rule]]
    }

    static let mkdirScript = """
        mkdir /tmp/x; echo mkdir=$?
        touch /tmp/t; echo touch=$?
        ls /tmp
        grep NoNewPrivs /proc/self/status
        """

    /// Without no_new_privs the filter must be loaded while the runtime still
    /// has CAP_SYS_ADMIN (the process here has no capabilities at all).
    @Test(arguments: [true, false])
    func aSeccompErrnoRuleFailsTheSystemCall(noNewPrivileges: Bool) throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let result = try sandbox.runShell(SecurityTests.mkdirScript) { bundle in
            bundle.addMount(destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["size=1m"])
            bundle.process["noNewPrivileges"] = noNewPrivileges
            bundle.linux["seccomp"] = SecurityTests.mkdirFilter(action: "SCMP_ACT_ERRNO")
        }
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout == "mkdir=1\ntouch=0\nt\nNoNewPrivs:\t\(noNewPrivileges ? 1 : 0)\n", "\(result)")
        #expect(result.stderr.contains("Operation not permitted"), "\(result)")
    }

    /// runc skips names libseccomp does not know (a profile written for a
    /// newer kernel); the rest of the filter still applies.
    @Test func aSeccompProfileWithAnUnknownSyscallNameStillRuns() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let result = try sandbox.runShell(SecurityTests.mkdirScript) { bundle in
            bundle.addMount(destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["size=1m"])
            bundle.linux["seccomp"] = SecurityTests.mkdirFilter(
                action: "SCMP_ACT_ERRNO", names: ["no_such_syscall_berth", "mkdir", "mkdirat"])
        }
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout.hasPrefix("mkdir=1\ntouch=0\nt\n"), "\(result)")
    }

    /// A system call newer than every call the profile names (clone3 here)
    /// and a number the architecture does not have get ENOSYS, so that glibc
    /// falls back to clone; an older call the profile leaves out still gets
    /// the default action (runc's -ENOSYS stub, patchbpf).
    @Test func aSyscallNewerThanTheProfileGetsENOSYSNotTheDefaultErrno() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let id = sandbox.newID("enosys")
        let bundle = try sandbox.makeBundle(id)
        guard try SecurityTests.buildSyscallProbe(at: bundle.rootfs + "/probe") else { return }
        bundle.args = ["/probe"]
        bundle.process["noNewPrivileges"] = true
        let allowed = ["execve", "execveat", "read", "write", "close", "exit", "exit_group", "brk", "mmap", "munmap",
                       "mprotect", "arch_prctl", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "futex", "getpid",
                       "fcntl", "fstat", "newfstatat", "openat"]
        bundle.linux["seccomp"] = [
            "defaultAction": "SCMP_ACT_ERRNO",
            "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_AARCH64"],
            "syscalls": [["names": allowed, "action": "SCMP_ACT_ALLOW"]],
        ]
        try bundle.write()
        let result = try sandbox.runtime.run(["run", "--bundle", bundle.path, id])
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout == "clone3=\(ENOSYS) getppid=\(EPERM) nosuch=\(ENOSYS)\n", "\(result)")
    }

    /// A static program without libc that prints the errno of clone3(NULL,
    /// 0), getppid() and system call 1000. False (skipped) without a C
    /// compiler on the host.
    static func buildSyscallProbe(at path: String) throws -> Bool {
        guard Host.has("/usr/bin/cc") else {
            Host.skip("no /usr/bin/cc to build the probe")
            return false
        }
        let source = path + ".c"
        try Data(syscallProbeSource.utf8).write(to: URL(fileURLWithPath: source))
        defer { unlink(source) }
        try Host.mustRun("/usr/bin/cc", ["-Os", "-static", "-nostdlib", "-no-pie", "-fno-stack-protector",
                                         "-fno-builtin", "-o", path, source], timeout: 60)
        return true
    }

    static let syscallProbeSource = #"""
        typedef unsigned long word;
        #if defined(__x86_64__)
        enum { WRITE = 1, EXIT = 60, GETPPID = 110, CLONE3 = 435 };
        static long sys(long n, word a, word b, word c) {
            long r;
            __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
            return r;
        }
        __asm__(".text\n.global _start\n_start:\n  and $-16, %rsp\n  call probe\n  hlt\n");
        #elif defined(__aarch64__)
        enum { WRITE = 64, EXIT = 93, GETPPID = 173, CLONE3 = 435 };
        static long sys(long n, word a, word b, word c) {
            register long x8 __asm__("x8") = n;
            register word x0 __asm__("x0") = a, x1 __asm__("x1") = b, x2 __asm__("x2") = c;
            __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
            return (long)x0;
        }
        __asm__(".text\n.global _start\n_start:\n  bl probe\n");
        #endif
        static char out[128];
        static int length;
        static void put(const char *s) { while (*s) out[length++] = *s++; }
        static void number(long result) {
            long e = result < 0 ? -result : 0;
            char digits[24]; int n = 0;
            do { digits[n++] = (char)('0' + e % 10); e /= 10; } while (e > 0);
            while (n > 0) out[length++] = digits[--n];
        }
        __attribute__((noreturn, used)) void probe(void) {
            put("clone3="); number(sys(CLONE3, 0, 0, 0));
            put(" getppid="); number(sys(GETPPID, 0, 0, 0));
            put(" nosuch="); number(sys(1000, 0, 0, 0));
            put("\n");
            sys(WRITE, 1, (word)out, (word)length);
            for (;;) sys(EXIT, 0, 0, 0);
        }
        """#

    /// SCMP_ACT_NOTIFY: the runtime sends the listener fd and the container
    /// process state to listenerPath; the agent answers mkdir with
    /// "returned 0" without making the directory.
    @Test func aSeccompAgentGetsTheNotifyFdAndAnswersForTheKernel() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let agent = try SeccompAgent(socketPath: sandbox.path + "/agent.sock")
        defer { agent.stop() }

        var id = ""
        let result = try sandbox.runShell("mkdir /tmp/y; echo rc=$?; ls -d /tmp/y; echo ls=$?") { bundle in
            id = URL(fileURLWithPath: bundle.path).lastPathComponent
            bundle.addMount(destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["size=1m"])
            var seccomp = SecurityTests.mkdirFilter(action: "SCMP_ACT_NOTIFY")
            seccomp["listenerPath"] = agent.socketPath
            seccomp["listenerMetadata"] = "berth-it metadata"
            bundle.linux["seccomp"] = seccomp
        }
        let report = try agent.report()
        #expect(result.succeeded, "\(result)")
        // The agent said 0: mkdir "succeeded", yet nothing was made.
        #expect(result.stdout == "rc=0\nls=1\n", "\(result); agent: \(report)")

        #expect((report["errors"] as? [String]) == [], "\(report)")
        #expect(report["fdCount"] as? Int == 1, "\(report)")
        let message = try #require(report["message"] as? [String: Any], "\(report)")
        #expect(message["fds"] as? [String] == ["seccompFd"], "\(message)")
        #expect(message["metadata"] as? String == "berth-it metadata", "\(message)")
        #expect((message["ociVersion"] as? String)?.isEmpty == false, "\(message)")
        #expect(((message["pid"] as? NSNumber)?.intValue ?? 0) > 0, "\(message)")
        let state = try #require(message["state"] as? [String: Any], "\(message)")
        #expect(state["id"] as? String == id, "\(state)")
        #expect(state["bundle"] as? String == sandbox.path + "/" + id, "\(state)")
        let notifications = report["notifications"] as? [[String: Any]] ?? []
        #expect(!notifications.isEmpty, "the agent got no notification: \(report)")
    }

    // MARK: masked and read-only paths

    /// A procfs file the host has (masked after /proc is mounted), or nil.
    static let maskableProcFile = ["/proc/kcore", "/proc/timer_list", "/proc/keys"].first {
        FileManager.default.fileExists(atPath: $0)
    }

    @Test(arguments: [true, false])
    func maskedPathsHideFilesAndDirectories(masked: Bool) throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let procFile = SecurityTests.maskableProcFile
        let result = try sandbox.runShell("""
            stat -c '%F %t:%T' /etc/secret-file; cat /etc/secret-file
            ls -A /secret
            touch /secret/new 2>/dev/null && echo written || echo refused
            \(procFile.map { "stat -c %t:%T \($0)" } ?? "")
            """) { bundle in
            try bundle.writeRootfsFile("etc/secret-file", "hidden\n")
            try FileManager.default.createDirectory(atPath: bundle.rootfs + "/secret", withIntermediateDirectories: true)
            try bundle.writeRootfsFile("secret/data", "hidden\n")
            if masked {
                bundle.linux["maskedPaths"] = ["/etc/secret-file", "/secret", "/no/such/path"] + (procFile.map { [$0] } ?? [])
            }
        }
        #expect(result.succeeded, "\(result)")
        let procLine = procFile == nil ? "" : masked ? "1:3\n" : "0:0\n"
        if masked {
            // A file is /dev/null (char 1:3) bound over it, reading empty; a
            // directory an empty read-only tmpfs.
            #expect(result.stdout == "character special file 1:3\nrefused\n" + procLine, "\(result)")
        } else {
            #expect(result.stdout == "regular file 0:0\nhidden\ndata\nwritten\n" + procLine, "\(result)")
        }
    }

    /// A path listed twice is masked once, and the masked directories share
    /// one read-only tmpfs (one superblock), as with runc and crun.
    @Test func duplicateMaskedPathsMountOnceAndDirectoriesShareOneTmpfs() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let directories = ["/secret", "/hidden/one", "/hidden/two"]
        let result = try sandbox.runShell("ls -A /secret /hidden/one /hidden/two; cat /proc/self/mountinfo") { bundle in
            for directory in directories {
                try FileManager.default.createDirectory(atPath: bundle.rootfs + directory, withIntermediateDirectories: true)
                try bundle.writeRootfsFile(directory + "/data", "hidden\n")
            }
            try bundle.writeRootfsFile("etc/secret-file", "hidden\n")
            bundle.linux["maskedPaths"] = ["/secret", "/hidden/one", "/secret", "/etc/secret-file", "/hidden/two",
                                           "/etc/secret-file", "/hidden/../secret"]
        }
        #expect(result.succeeded, "\(result)")
        #expect(!result.stdout.contains("data"), "\(result)")
        let mounts = MountInfo.parse(result.stdout)
        for path in directories + ["/etc/secret-file"] {
            #expect(mounts.filter { $0.mountPoint == path }.count == 1, "\(path): \(result.stdout)")
        }
        let masks = mounts.filter { directories.contains($0.mountPoint) }
        #expect(Set(masks.map(\.device)).count == 1, "\(masks)")
        #expect(masks.allSatisfy { $0.fileSystemType == "tmpfs" && $0.mountOptions.contains("ro") }, "\(masks)")
    }

    @Test(arguments: [true, false])
    func readonlyPathsCannotBeWritten(readonly: Bool) throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let result = try sandbox.runShell("""
            echo changed > /proc/sys/kernel/hostname; echo write=$?
            touch /tmp/ok; echo tmp=$?
            hostname
            """) { bundle in
            bundle.addMount(destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["size=1m"])
            if readonly { bundle.linux["readonlyPaths"] = ["/proc/sys", "/no/such/path"] }
        }
        #expect(result.succeeded, "\(result)")
        if readonly {
            #expect(result.stdout == "write=1\ntmp=0\nberth-it\n", "\(result)")
            #expect(result.stderr.contains("Read-only file system"), "\(result)")
        } else {
            // The container's own uts namespace: the write is allowed.
            #expect(result.stdout == "write=0\ntmp=0\nchanged\n", "\(result)")
        }
    }

    /// With --no-pivot the host's root stays in the container's mount
    /// namespace below the chroot. Were the host's /proc (or a writable
    /// /sys) still whole there, the kernel would let a new user namespace
    /// mount a fresh procfs (sysfs, in a new network namespace), one
    /// without the container's masks (mount_too_revealing counts any fully
    /// visible procfs in the mount namespace): the runtime must detach or
    /// cover it first, as runc does (runc's "runc run --no-pivot must not
    /// expose bare /proc"). In a user namespace of the container's own the
    /// host's mounts are locked and cannot be detached: they are covered.
    ///
    /// The container's own /proc has masks, as `runc spec` gives, so it is
    /// not fully visible itself, and its /sys is read-only. `unshare` alone
    /// succeeding shows the refusal is the mount's. CAP_SETFCAP: since
    /// Linux 5.12 a user namespace may map its creator's uid 0 only if the
    /// creator had it.
    @Test(arguments: [false, true])
    func noPivotLeavesNoFullProcfsOrSysfsForANewUserNamespaceToMount(inUserNamespace: Bool) throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        if inUserNamespace { sandbox.allowMappedRoot() }
        let script = """
            unshare -r -p -m -f true && echo unshared
            unshare -r -p -m -f mount -t proc proc /proc && echo mounted || echo refused
            unshare -r -n -m -f mount -t sysfs sysfs /sys && echo mounted || echo refused
            """
        let result = try sandbox.runShell(script, extraArguments: ["--no-pivot"]) { bundle in
            bundle.process["capabilities"] = SecurityTests.capabilities(["CAP_SYS_ADMIN", "CAP_SETFCAP"],
                                                                        sets: ["bounding", "effective", "permitted"])
            bundle.linux["maskedPaths"] = ["/proc/kcore", "/proc/keys", "/proc/timer_list"]
            bundle.linux["readonlyPaths"] = ["/proc/sys", "/proc/sysrq-trigger"]
            if inUserNamespace { try NamespaceTests.mapRootTo100000(bundle) }
        }
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout == "unshared\nrefused\nrefused\n", "\(result)")
        #expect(result.stderr.contains("permission denied"), "\(result)")
    }

    // MARK: the runtime's own hardening

    /// The created init is the runtime itself (no copy, no exec yet) and is
    /// not dumpable: a process with the same uid and the same capabilities
    /// but without CAP_SYS_PTRACE cannot open its /proc/PID/exe, while it can
    /// once the init executed the (dumpable) user process.
    ///
    /// The brief's "second process inside the container's pid namespace"
    /// cannot be made before `exec` exists; a host process with the init's
    /// credentials faces the same ptrace access check (the pid namespace
    /// only decides visibility). The runtime runs without CAP_SYS_PTRACE in
    /// its bounding set so that the probe's capabilities equal the init's:
    /// otherwise the "caller's capabilities must cover the target's" rule
    /// would refuse the probe whatever the dumpable flag says.
    ///
    /// berth's design (DESIGN.md §3); runc protects itself differently (its
    /// init runs from a sealed memfd copy), so the test is berth's only.
    @Test func theCreatedInitIsTheRuntimeAndNotDumpable() throws {
        let setpriv = "/usr/bin/setpriv"
        guard Host.has(setpriv) else { return Host.skip("\(setpriv) is missing (util-linux)") }
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        guard sandbox.runtime.isBerth else { return Host.skip("how the init protects itself is runtime-specific") }
        let id = sandbox.newID("dump")
        let bundle = try sandbox.makeBundle(id)
        bundle.args = ["sleep", "60"]
        bundle.process["capabilities"] = SecurityTests.capabilities(["CAP_KILL"], sets: ["bounding", "effective", "permitted"])
        try bundle.write()
        let runtime = sandbox.runtime
        let withoutPtrace = ["--bounding-set=-sys_ptrace", "--"]
        let created = try Subprocess.run(setpriv, withoutPtrace + [runtime.binary, "--root", runtime.root, "create",
                                                                   "--bundle", bundle.path, id],
                                         environment: runtime.environment)
        try #require(created.succeeded, "create: \(created)")
        let pid = try runtime.state(id).pid
        let binary = URL(fileURLWithPath: runtime.binary).resolvingSymlinksInPath().path
        #expect(Host.readLink("/proc/\(pid)/exe") == binary, "the created init is not \(binary)")

        let probe = withoutPtrace + [IntegrationEnvironment.busybox, "readlink", "/proc/\(pid)/exe"]
        let before = try Subprocess.run(setpriv, probe)
        #expect(!before.succeeded && !before.timedOut && before.stdout.isEmpty,
                "a process without CAP_SYS_PTRACE read the created init's exe: \(before)")

        // The control: the same probe works on the dumpable user process.
        try #require(try runtime.start(id).succeeded)
        _ = try sandbox.waitUntilRunning(id, command: "sleep")
        let after = try Subprocess.run(setpriv, probe)
        #expect(after.succeeded && after.stdout == "/bin/busybox\n", "the probe itself does not work: \(after)")
    }

    /// No descriptor of the runtime (sync socket, exec fifo, namespace and
    /// cgroup fds, the seccomp notify fd) reaches the process, with most
    /// features that open descriptors in use.
    @Test func noDescriptorOfTheRuntimeReachesTheProcess() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        sandbox.allowMappedRoot()
        let agent = try SeccompAgent(socketPath: sandbox.path + "/agent.sock")
        defer { agent.stop() }
        let result = try sandbox.runShell("ls -l /proc/self/fd") { bundle in
            bundle.linux["namespaces"] = ["pid", "mount", "ipc", "uts", "network", "user", "cgroup"].map { ["type": $0] }
            bundle.linux["uidMappings"] = [["containerID": 0, "hostID": 100000, "size": 65536]]
            bundle.linux["gidMappings"] = [["containerID": 0, "hostID": 100000, "size": 65536]]
            try Host.mustRun("/bin/chown", ["-R", "-h", "100000:100000", bundle.rootfs])
            bundle.linux["sysctl"] = ["kernel.shmmax": "123456789"]
            var seccomp = SecurityTests.mkdirFilter(action: "SCMP_ACT_NOTIFY")
            seccomp["listenerPath"] = agent.socketPath
            bundle.linux["seccomp"] = seccomp
        }
        #expect(result.succeeded, "\(result)")
        _ = try agent.report()
        // "lr-x------ 1 root root 64 Nov 29 05:18 0 -> /dev/null"; ls's own
        // directory fd (3) is gone when ls reads its link.
        let names = result.stdout.split(separator: "\n").filter { $0.hasPrefix("l") }.compactMap { line -> String? in
            let beforeArrow = line.components(separatedBy: " -> ")[0]
            return beforeArrow.split(separator: " ").last.map(String.init)
        }
        #expect(names == ["0", "1", "2", "3"], "\(result)")
    }

    // MARK: security modules

    enum LabelField: String, CaseIterable, Sendable {
        case apparmorProfile = "process.apparmorProfile"
        case selinuxLabel = "process.selinuxLabel"
        case mountLabel = "linux.mountLabel"

        var module: String { self == .apparmorProfile ? "AppArmor" : "SELinux" }

        var moduleIsEnabled: Bool {
            switch self {
            case .apparmorProfile: Host.read("/sys/module/apparmor/parameters/enabled") == "Y"
            case .selinuxLabel, .mountLabel: FileManager.default.fileExists(atPath: "/sys/fs/selinux/enforce")
            }
        }

        func apply(to bundle: Bundle) {
            switch self {
            case .apparmorProfile: bundle.process["apparmorProfile"] = "berth-it-profile"
            case .selinuxLabel: bundle.process["selinuxLabel"] = "system_u:system_r:container_t:s0:c1,c2"
            case .mountLabel: bundle.linux["mountLabel"] = "system_u:object_r:container_file_t:s0:c1,c2"
            }
        }
    }

    /// On a host without the module a label cannot be applied: create must
    /// fail (never run the process unconfined) and leave nothing behind.
    @Test(arguments: LabelField.allCases)
    func aSecurityLabelIsRefusedWhenTheModuleIsNotEnabled(field: LabelField) throws {
        guard !field.moduleIsEnabled else { return Host.skip("\(field.module) is enabled on this host") }
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let id = sandbox.newID("lsm")
        let bundle = try sandbox.makeBundle(id)
        bundle.shell(Sandbox.waitingScript)
        field.apply(to: bundle)
        try bundle.write()

        let result = try sandbox.runtime.create(id, bundle: bundle.path)
        #expect(!result.succeeded && !result.timedOut, "\(result)")
        if sandbox.runtime.isBerth {
            #expect(result.stderr.contains("berth: \(field.rawValue): \(field.module) is not enabled on this host\n"),
                    "\(result)")
        }
        #expect(try !sandbox.runtime.run(["state", id]).succeeded)
        #expect(!FileManager.default.fileExists(atPath: sandbox.runtime.stateDirectory(id)))
        #expect(!FileManager.default.fileExists(atPath: "/sys/fs/cgroup/unified/berth/\(id)"))
        #expect(eventually { sandbox.leftoverProcesses().isEmpty })
        #expect(bundle.readRootfsFile("ready") == nil)
    }
}
