import Foundation
import Glibc
import Synchronization
import Testing

/// `exec`: a new process in a running container, as runc runs it — in the
/// init's namespaces and cgroup, with the requested user, capabilities,
/// environment and working directory, its exit status relayed; detached with
/// a pid file, from an OCI process JSON, on a pty, with a pidfd. Asserted
/// from inside the exec'd process, or from the host where the kernel shows it.
@Suite(.integration, .timeLimit(.minutes(2)))
struct ExecTests {
    /// The namespaces a new process must share with the init (the time and
    /// cgroup namespaces are not in the default config).
    static let namespaces = ["pid", "mnt", "net", "ipc", "uts"]

    /// A started container running `Sandbox.waitingScript` and its init's host pid.
    static func running(_ sandbox: Sandbox, _ hint: String,
                        configure: (Bundle) throws -> Void = { _ in }) throws -> (id: String, bundle: Bundle, pid: Int32) {
        let (id, bundle) = try sandbox.createContainer(hint, configure: configure)
        let started = try sandbox.runtime.start(id)
        try #require(started.succeeded, "start: \(started)")
        try #require(eventually { bundle.readRootfsFile("ready") != nil }, "the container never wrote /ready")
        return (id, bundle, try sandbox.runtime.state(id).pid)
    }

    /// `exec [options] ID command…` in the foreground.
    static func exec(_ sandbox: Sandbox, _ id: String, options: [String] = [], _ command: [String],
                     extraFiles: [Int32] = [], timeout: Double = 20) throws -> ProcessResult {
        try sandbox.runtime.run(["exec"] + options + [id] + command, extraFiles: extraFiles, timeout: timeout)
    }

    /// `exec ID sh -c script`.
    static func shell(_ sandbox: Sandbox, _ id: String, options: [String] = [], _ script: String,
                      extraFiles: [Int32] = []) throws -> ProcessResult {
        try exec(sandbox, id, options: options, ["sh", "-c", script], extraFiles: extraFiles)
    }

    /// Receives one fd over a unix socket (SCM_RIGHTS) and prints the `Pid:`
    /// of its /proc/self/fdinfo: for a pidfd, the pid it refers to.
    static let pidfdListener = """
        import socket, sys
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(sys.argv[1])
        server.listen(1)
        server.settimeout(20)
        connection, _ = server.accept()
        _, fds, _, _ = socket.recv_fds(connection, 4096, 1)
        if len(fds) != 1:
            sys.exit("received %d fds" % len(fds))
        with open("/proc/self/fdinfo/%d" % fds[0]) as info:
            print(" ".join(line.split()[1] for line in info if line.startswith("Pid:")))
        """

    /// Starts a python3 listener (`script` gets the socket path as argv[1])
    /// and waits until its socket exists.
    static func listen(_ script: String, at socketPath: String) throws -> Subprocess {
        let listener = try Subprocess(SchemaValidator.python, ["-c", script, socketPath])
        try #require(eventually { FileManager.default.fileExists(atPath: socketPath) }, "the listener did not start")
        return listener
    }

    // MARK: - where the process runs

    @Test func theProcessSharesTheInitsNamespaces() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let (id, _, pid) = try Self.running(sandbox, "ns")
        let script = Self.namespaces.map { "readlink /proc/self/ns/\($0)" }.joined(separator: "; ")
        let result = try Self.shell(sandbox, id, script)
        #expect(result.succeeded, "\(result)")
        let inside = result.stdout.split(separator: "\n").map(String.init)
        let ofInit = Self.namespaces.map { Host.readLink("/proc/\(pid)/ns/\($0)") ?? "?" }
        let ofHost = Self.namespaces.map { Host.readLink("/proc/self/ns/\($0)") ?? "?" }
        #expect(inside == ofInit, "\(result)")
        // The comparison means something only if the init's are new ones.
        for (name, (container, host)) in zip(Self.namespaces, zip(ofInit, ofHost)) {
            #expect(container != host, "the init shares the host's \(name) namespace")
        }
    }

    @Test func theProcessIsInTheContainersCgroup() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let (id, _, pid) = try Self.running(sandbox, "cg")
        let result = try Self.shell(sandbox, id, "cat /proc/self/cgroup")
        #expect(result.succeeded, "\(result)")
        let ofInit = try #require(Host.read("/proc/\(pid)/cgroup"))
        #expect(result.stdout == ofInit + "\n", "\(result)")
        // Not merely the host's: the init has a cgroup of its own.
        #expect(ofInit != Host.read("/proc/self/cgroup"), "the init is in the test's own cgroup")
    }

    // MARK: - process settings from the command line

    @Test func userAndAdditionalGroupsAreApplied() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let (id, _, _) = try Self.running(sandbox, "user")
        let result = try Self.exec(sandbox, id, options: ["-u", "1000:1000", "-g", "10"], ["id"])
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout == "uid=1000(tester) gid=1000(tester) groups=10(wheel)\n", "\(result)")
    }

    /// Without --cap the process has the container's own sets; --cap adds
    /// one to them.
    @Test func capAddsToTheContainersCapabilities() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let (id, _, _) = try Self.running(sandbox, "cap") { bundle in
            bundle.process["capabilities"] = SecurityTests.capabilities(["CAP_KILL", "CAP_CHOWN"],
                                                                        sets: ["bounding", "effective", "permitted"])
        }
        let plain = try Self.shell(sandbox, id, SecurityTests.statusScript)
        #expect(plain.succeeded, "\(plain)")
        // CAP_CHOWN is bit 0, CAP_KILL bit 5, CAP_NET_ADMIN bit 12.
        #expect(Host.statusFields(plain.stdout)["CapEff"] == "0000000000000021", "\(plain)")
        #expect(Host.statusFields(plain.stdout)["CapBnd"] == "0000000000000021", "\(plain)")

        let added = try Self.shell(sandbox, id, options: ["--cap", "CAP_NET_ADMIN"], SecurityTests.statusScript)
        #expect(added.succeeded, "\(added)")
        #expect(Host.statusFields(added.stdout)["CapEff"] == "0000000000001021", "\(added)")
        #expect(Host.statusFields(added.stdout)["CapBnd"] == "0000000000001021", "\(added)")
    }

    @Test func envReplacesAndAddsVariablesAndAMissingCwdIsCreated() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let (id, bundle, _) = try Self.running(sandbox, "env")
        let result = try Self.shell(sandbox, id, options: ["-e", "GREETING=hello world", "-e", "PATH=/bin", "--cwd", "/work/new"],
                                    #"echo "$GREETING"; pwd; env | grep -c '^PATH='; echo "$PATH""#)
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout == "hello world\n/work/new\n1\n/bin\n", "\(result)")
        #expect(FileManager.default.fileExists(atPath: bundle.rootfs + "/work/new"))
    }

    // MARK: - exit status

    @Test func theExitCodeIsRelayed() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let (id, _, _) = try Self.running(sandbox, "exit")
        let result = try Self.shell(sandbox, id, "exit 7")
        #expect(result.status == 7 && !result.timedOut, "\(result)")
    }

    /// The exec'd process is not a pid 1, so its own SIGKILL and SIGUSR1 end
    /// it. SIGKILL is 9, SIGUSR1 10.
    @Test(arguments: [(9, 137), (10, 138)] as [(Int32, Int32)])
    func aProcessKilledByASignalExitsWith128PlusIt(signal: Int32, status: Int32) throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let (id, _, _) = try Self.running(sandbox, "sig")
        let result = try Self.shell(sandbox, id, "kill -\(signal) $$; echo survived")
        #expect(result.status == status && !result.timedOut, "\(result)")
        #expect(result.stdout.isEmpty, "\(result)")
    }

    @Test func aMissingProgramIsNamed() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let (id, _, _) = try Self.running(sandbox, "missing")
        let result = try Self.exec(sandbox, id, ["no-such-program-berth"])
        #expect(!result.succeeded && !result.timedOut, "\(result)")
        #expect(result.stderr.contains(#""no-such-program-berth": executable file not found in $PATH"#), "\(result)")
    }

    // MARK: - detached, pid file, ps

    @Test func aDetachedProcessHasAPidFileAndIsInTheContainer() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let (id, _, initPid) = try Self.running(sandbox, "detach")
        let pidFile = sandbox.path + "/exec.pid"
        let result = try Self.exec(sandbox, id, options: ["--detach", "--pid-file", pidFile], ["sleep", "60"])
        #expect(result.succeeded && result.stdout.isEmpty, "\(result)")

        let text = try String(contentsOfFile: pidFile, encoding: .utf8)
        #expect(!text.hasSuffix("\n"), "the pid file ends with a newline: \(text.debugDescription)")
        let pid = try #require(Int32(text), "pid file: \(text.debugDescription)")
        #expect(ProcessTable.isAlive(pid))
        #expect(pid != initPid)
        #expect(Host.read("/proc/\(pid)/cgroup") == Host.read("/proc/\(initPid)/cgroup"))
        // A new process of the container: in its pid namespace, running sleep.
        #expect(Host.readLink("/proc/\(pid)/ns/pid") == Host.readLink("/proc/\(initPid)/ns/pid"))
        #expect(ProcessTable.describe(pid) == "\(pid): sleep 60 ")

        let ps = try sandbox.runtime.run(["ps", "--format", "json", id])
        #expect(ps.succeeded, "\(ps)")
        let pids = try JSONSerialization.jsonObject(with: Data(ps.stdout.utf8)) as? [Int] ?? []
        #expect(pids.contains(Int(pid)) && pids.contains(Int(initPid)), "\(ps)")
    }

    /// berth runs the program through a sealed memfd helper: neither the
    /// process nor a `#!/proc/self/exe` script can reach the berth binary.
    @Test func theProcessExecutableIsNotTheRuntime() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let (id, bundle, _) = try Self.running(sandbox, "exe")
        let binary = URL(fileURLWithPath: sandbox.runtime.binary).resolvingSymlinksInPath().path
        let pidFile = sandbox.path + "/exe.pid"
        let detached = try Self.exec(sandbox, id, options: ["-d", "--pid-file", pidFile], ["sleep", "60"])
        try #require(detached.succeeded, "\(detached)")
        let pid = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8)))
        #expect(Host.readLink("/proc/\(pid)/exe") == "/bin/busybox")
        #expect(Host.readLink("/proc/\(pid)/exe") != binary)

        let inside = try Self.exec(sandbox, id, ["readlink", "/proc/self/exe"])
        #expect(inside.succeeded && inside.stdout == "/bin/busybox\n", "\(inside)")

        // The interpreter of this script is whatever /proc/self/exe is when
        // the kernel executes it: it must not be berth (whose --version
        // would answer).
        try bundle.writeRootfsFile("selfexe", "#!/proc/self/exe --version\n")
        chmod(bundle.rootfs + "/selfexe", 0o755)
        let script = try Self.exec(sandbox, id, ["/selfexe"])
        #expect(!script.timedOut && !script.stdout.contains("berth version"), "\(script)")
    }

    // MARK: - --process, tty

    /// A process.json as conmon writes it for `podman exec`.
    @Test func aProcessFileGivesArgsEnvCwdUserAndMore() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let (id, _, _) = try Self.running(sandbox, "procfile")
        let process: [String: Any] = [
            "terminal": false,
            "user": ["uid": 1000, "gid": 1000, "additionalGids": [20]],
            "args": ["sh", "-c", #"id; pwd; echo "$GREETING"; ulimit -n; grep -E '^(CapEff|CapBnd|NoNewPrivs)' /proc/self/status"#],
            "env": ["PATH=/usr/bin:/bin", "TERM=xterm", "GREETING=from process.json", "HOME=/home/tester",
                    "\(Sandbox.markerVariable)=\(sandbox.path)"],
            "cwd": "/home/tester",
            "capabilities": [
                "bounding": ["CAP_CHOWN", "CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"],
                "inheritable": ["CAP_KILL"], "ambient": ["CAP_KILL"],  // what a non-root user keeps across execve
            ],
            "rlimits": [["type": "RLIMIT_NOFILE", "hard": 4321, "soft": 4321]],
            "noNewPrivileges": true,
        ]
        let file = sandbox.path + "/process.json"
        try JSONSerialization.data(withJSONObject: process).write(to: URL(fileURLWithPath: file))
        let result = try Self.exec(sandbox, id, options: ["--process", file], [])
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout == """
            uid=1000(tester) gid=1000(tester) groups=20(dialout)
            /home/tester
            from process.json
            4321
            CapEff:\t0000000000000020
            CapBnd:\t0000000000000021
            NoNewPrivs:\t1

            """, "\(result)")
    }

    @Test func aTtyExecGetsAPtyOverTheConsoleSocket() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let (id, _, _) = try Self.running(sandbox, "tty")
        let socketPath = sandbox.path + "/console.sock"
        let listener = try Self.listen(ConsoleSocketTests.listener, at: socketPath)
        defer { listener.stop() }
        let result = try Self.exec(sandbox, id, options: ["--tty", "--console-socket", socketPath],
                                   ["sh", "-c", "test -t 0 && test -t 1 && test -t 2 && echo is-a-tty; tty; exit 3"])
        #expect(result.status == 3 && !result.timedOut, "\(result)")
        let heard = listener.wait(timeout: 30)
        #expect(heard.succeeded, "\(heard)")
        let lines = heard.stdout.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n")
        try #require(lines.count == 2, "\(heard)")
        #expect(lines[0] == "is-a-tty")
        #expect(lines[1].hasPrefix("/dev/pts/"), "\(heard)")
    }

    // MARK: - what create recorded

    /// runtime.md, lifecycle step 2: changes to config.json after create must
    /// not affect the container. A process exec'd after config.json gained
    /// a capability, an environment and a seccomp filter, and again after it
    /// was removed, has the settings create read.
    @Test func execKeepsTheSettingsCreateRecorded() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let (id, bundle, _) = try Self.running(sandbox, "recorded") { bundle in
            bundle.addMount(destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["size=1m"])
            bundle.process["env"] = (bundle.process["env"] as? [String] ?? []) + ["FROM=create"]
            bundle.process["capabilities"] = SecurityTests.capabilities(["CAP_KILL", "CAP_CHOWN"],
                                                                        sets: ["bounding", "effective", "permitted"])
        }
        let asCreated = try Data(contentsOf: URL(fileURLWithPath: bundle.configPath))
        bundle.process["env"] = (bundle.process["env"] as? [String] ?? []).map { $0 == "FROM=create" ? "FROM=edited" : $0 }
        bundle.process["capabilities"] = SecurityTests.capabilities(["CAP_KILL", "CAP_CHOWN", "CAP_NET_ADMIN"],
                                                                    sets: ["bounding", "effective", "permitted"])
        bundle.linux["seccomp"] = SecurityTests.mkdirFilter(action: "SCMP_ACT_ERRNO")
        try bundle.write()
        // CAP_CHOWN is bit 0, CAP_KILL bit 5 (CAP_NET_ADMIN, bit 12, came later).
        let script = #"grep CapEff /proc/self/status; echo "FROM=$FROM"; mkdir /tmp/x$$ && echo mkdir=0"#
        let expected = "CapEff:\t0000000000000021\nFROM=create\nmkdir=0\n"

        let edited = try Self.shell(sandbox, id, script)
        #expect(edited.succeeded, "\(edited)")
        #expect(edited.stdout == expected, "after config.json was edited: \(edited)")

        try FileManager.default.removeItem(atPath: bundle.configPath)
        let removed = try Self.shell(sandbox, id, script)
        #expect(removed.succeeded, "\(removed)")
        #expect(removed.stdout == expected, "after config.json was removed: \(removed)")
        if sandbox.runtime.isBerth {
            // Kept beside state.json, byte for byte.
            let kept = sandbox.runtime.stateDirectory(id) + "/config.json"
            #expect(FileManager.default.contents(atPath: kept) == asCreated)
        }
    }

    // MARK: - state of the container

    @Test func execIntoAStoppedContainerFails() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let (id, _) = try sandbox.createContainer("stopped") { $0.args = ["true"] }
        try #require(try sandbox.runtime.start(id).succeeded)
        try #require(try sandbox.runtime.waitForStatus(id, "stopped"))
        let result = try Self.exec(sandbox, id, ["true"])
        #expect(!result.succeeded && !result.timedOut, "\(result)")
        if sandbox.runtime.isBerth {
            #expect(result.stderr.contains("cannot exec in a stopped container"), "\(result)")
        }
    }

    /// Pausing needs a freezer: cgroup.freeze of the container's cgroup in
    /// the v2 hierarchy (/sys/fs/cgroup/unified on the hybrid host). With
    /// --ignore-paused the process is accepted, frozen with the container,
    /// and runs once it is resumed.
    @Test func execIntoAPausedContainerNeedsIgnorePaused() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let (id, bundle, _) = try Self.running(sandbox, "paused")
        let paused = try sandbox.runtime.run(["pause", id])
        try #require(paused.succeeded, "pause (needs a cgroup v2 freezer): \(paused)")
        try #require(try sandbox.runtime.state(id).status == "paused")

        let refused = try Self.shell(sandbox, id, "touch /refused")
        #expect(!refused.succeeded && !refused.timedOut, "\(refused)")
        if sandbox.runtime.isBerth {
            #expect(refused.stderr.contains("cannot exec in a paused container"), "\(refused)")
        }

        let runtime = sandbox.runtime
        let accepted = try Subprocess(runtime.binary, ["--root", runtime.root, "exec", "--ignore-paused", id,
                                                       "sh", "-c", "touch /accepted; exit 5"],
                                      environment: runtime.environment)
        defer { accepted.stop() }
        // Still frozen: it has not run, and the runtime has not given up.
        usleep(500_000)
        #expect(bundle.readRootfsFile("accepted") == nil, "the process ran in a paused container")
        #expect(ProcessTable.isAlive(accepted.pid), "exec --ignore-paused gave up: \(accepted.wait(timeout: 1))")

        let resumed = try runtime.run(["resume", id])
        #expect(resumed.succeeded, "\(resumed)")
        let result = accepted.wait(timeout: 20)
        #expect(result.status == 5 && !result.timedOut, "\(result)")
        #expect(bundle.readRootfsFile("accepted") != nil)
        #expect(bundle.readRootfsFile("refused") == nil)
    }

    // MARK: - many at once

    @Test func twentyParallelExecsAllSucceed() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let (id, _, pid) = try Self.running(sandbox, "par")
        let cgroup = try #require(Host.read("/proc/\(pid)/cgroup"))
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 20) { index in
            do {
                let result = try Self.shell(sandbox, id, "echo \(index); cat /proc/self/cgroup")
                if !result.succeeded || result.stdout != "\(index)\n\(cgroup)\n" {
                    failures.withLock { $0.append("exec \(index): \(result)") }
                }
            } catch {
                failures.withLock { $0.append("exec \(index): \(error)") }
            }
        }
        #expect(failures.withLock { $0 } == [])
        #expect(try sandbox.runtime.state(id).status == "running")
    }

    // MARK: - file descriptors

    /// The runtime gets an fd 3 of the test's; the process must not, nor any
    /// of the runtime's own. The 3 that `ls` shows is its directory fd.
    @Test func noDescriptorReachesTheProcessWithoutPreserveFds() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let (id, _, _) = try Self.running(sandbox, "fds")
        let fd = try PreserveFdsTests.openFile(in: sandbox, holding: "must not pass\n")
        defer { close(fd) }
        let result = try Self.exec(sandbox, id, ["ls", "/proc/self/fd"], extraFiles: [fd])
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout == "0\n1\n2\n3\n", "\(result)")
    }

    @Test func preserveFdsPassesFdThree() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let (id, _, _) = try Self.running(sandbox, "pfds")
        let fd = try PreserveFdsTests.openFile(in: sandbox, holding: "passed through\n")
        defer { close(fd) }
        let result = try Self.shell(sandbox, id, options: ["--preserve-fds", "1"], "cat <&3; ls /proc/self/fd", extraFiles: [fd])
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout == "passed through\n0\n1\n2\n3\n4\n", "\(result)")
    }

    // MARK: - pidfd

    @Test func pidfdSocketOnExecDeliversAPidfdOfTheProcess() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let (id, _, _) = try Self.running(sandbox, "pidfd")
        let socketPath = sandbox.path + "/pidfd.sock"
        let listener = try Self.listen(Self.pidfdListener, at: socketPath)
        defer { listener.stop() }
        let pidFile = sandbox.path + "/exec.pid"
        let result = try Self.exec(sandbox, id, options: ["-d", "--pid-file", pidFile, "--pidfd-socket", socketPath], ["sleep", "60"])
        #expect(result.succeeded, "\(result)")
        let heard = listener.wait(timeout: 20)
        #expect(heard.succeeded, "\(heard)")
        let pid = try String(contentsOfFile: pidFile, encoding: .utf8)
        #expect(heard.stdout == pid + "\n", "pid file \(pid); \(heard)")
    }

    @Test func pidfdSocketOnCreateDeliversAPidfdOfTheInit() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let socketPath = sandbox.path + "/pidfd.sock"
        let listener = try Self.listen(Self.pidfdListener, at: socketPath)
        defer { listener.stop() }
        let id = sandbox.newID("cpidfd")
        let bundle = try sandbox.makeBundle(id)
        bundle.shell(Sandbox.waitingScript)
        try bundle.write()
        let created = try sandbox.runtime.run(["create", "--bundle", bundle.path, "--pidfd-socket", socketPath, id])
        try #require(created.succeeded, "\(created)")
        let heard = listener.wait(timeout: 20)
        #expect(heard.succeeded, "\(heard)")
        let pid = try sandbox.runtime.state(id).pid
        #expect(heard.stdout == "\(pid)\n", "init \(pid); \(heard)")
    }
}
