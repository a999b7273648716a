import Foundation
import Glibc
import Testing

/// Whether /sys/fs/cgroup is a pure cgroup v2 hierarchy with the memory
/// controller (outside the suite's type: a trait cannot refer to the type it
/// is attached to). On the hybrid development host it is not: these tests
/// run in the qemu guest of vm/ (`make test-vm`).
enum PureCgroupV2Host {
    static let root = "/sys/fs/cgroup"

    static let isReady: Bool = {
        let mountInfo = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        let type = MountInfo.parse(mountInfo).last { $0.mountPoint == root }?.fileSystemType
        guard type == "cgroup2" else {
            print("CgroupV2Tests skipped: \(root) is \(type ?? "not mounted"), not a pure cgroup2 hierarchy (run make test-vm)")
            return false
        }
        let controllers = (Host.read(root + "/cgroup.subtree_control") ?? "").split(separator: " ")
        guard controllers.contains("memory") else {
            print("CgroupV2Tests skipped: the memory controller is not enabled in \(root)/cgroup.subtree_control")
            return false
        }
        return true
    }()
}

/// linux.resources on a real cgroup v2 hierarchy, and the commands that work
/// on a container's cgroup: pause, resume, ps, events, update, kill --all,
/// delete (config-linux.md#control-groups, runc's commands).
///
/// Every container gets an explicit `cgroupsPath` under /berth-v2-it, so the
/// paths checked are the same for any runtime; messages are checked for
/// berth only. Skipped with a printed reason where /sys/fs/cgroup is not a
/// pure cgroup2 hierarchy with the memory controller.
@Suite(.integration, .enabled(if: PureCgroupV2Host.isReady), .timeLimit(.minutes(2)))
struct CgroupV2Tests {
    static let parent = "/berth-v2-it"

    /// Gives the bundle's container the cgroup /berth-v2-it/<id> and
    /// `resources`; returns the cgroup's directory.
    @discardableResult
    static func useCgroup(_ bundle: Bundle, resources: [String: Any] = [:]) -> String {
        let id = URL(fileURLWithPath: bundle.path).lastPathComponent
        bundle.linux["cgroupsPath"] = parent + "/" + id
        if !resources.isEmpty { bundle.linux["resources"] = resources }
        return PureCgroupV2Host.root + parent + "/" + id
    }

    static func directory(of id: String) -> String { PureCgroupV2Host.root + parent + "/" + id }

    static func read(_ id: String, _ file: String) -> String? { Host.read(directory(of: id) + "/" + file) }

    static func exists(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// A created container with the given resources in its own cgroup.
    static func create(_ sandbox: Sandbox, _ hint: String, resources: [String: Any] = [:],
                       configure: (Bundle) throws -> Void = { _ in }) throws -> (id: String, bundle: Bundle) {
        try sandbox.createContainer(hint) { bundle in
            useCgroup(bundle, resources: resources)
            try configure(bundle)
        }
    }

    /// A started container running `script` (which must touch /ready).
    static func start(_ sandbox: Sandbox, _ hint: String, script: String, resources: [String: Any] = [:]) throws -> (id: String, bundle: Bundle) {
        let (id, bundle) = try create(sandbox, hint, resources: resources) { $0.shell(script) }
        let started = try sandbox.runtime.start(id)
        try #require(started.succeeded, "start: \(started)")
        try #require(eventually(timeout: 20) { bundle.readRootfsFile("ready") != nil }, "the container never wrote /ready")
        return (id, bundle)
    }

    static func jsonObject(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not a JSON object: \(text)")
    }

    // MARK: - linux.resources

    @Test func aMemoryLimitIsWrittenToMemoryMax() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let (id, _) = try Self.create(sandbox, "mem", resources: ["memory": ["limit": 33_554_432]])
        #expect(Self.read(id, "memory.max") == "33554432")
        let pid = try sandbox.runtime.state(id).pid
        #expect(Host.read("/proc/\(pid)/cgroup") == "0::\(Self.parent)/\(id)")
    }

    @Test func aProcessAllocatingBeyondTheMemoryLimitIsOOMKilled() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        // busybox tail keeps a line in memory until its newline, and /dev/zero has none.
        let result = try sandbox.runShell("exec tail /dev/zero", hint: "oom") { bundle in
            Self.useCgroup(bundle, resources: ["memory": ["limit": 33_554_432, "swap": 33_554_432]])
        }
        #expect(result.status == 137, "\(result)")
    }

    @Test func aPidsLimitStopsTheTwentiethSleep() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let (id, _) = try Self.create(sandbox, "pids", resources: ["pids": ["limit": 10]])
        #expect(Self.read(id, "pids.max") == "10")

        let script = "i=0; while [ $i -lt 20 ]; do sleep 30 & i=$((i+1)); done; echo started $i"
        let result = try sandbox.runShell(script, hint: "fork") { Self.useCgroup($0, resources: ["pids": ["limit": 10]]) }
        #expect(!result.stdout.contains("started 20"), "\(result)")
        #expect(result.stderr.contains("fork"), "\(result)")
    }

    @Test func cpuSharesAndQuotaBecomeCpuWeightAndCpuMax() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let (id, _) = try Self.create(sandbox, "cpu", resources: ["cpu": ["shares": 1024, "quota": 50000, "period": 100_000]])
        #expect(Self.read(id, "cpu.weight") == "39")
        #expect(Self.read(id, "cpu.max") == "50000 100000")
    }

    @Test func cpusetCpusAndMemsAreWritten() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let (id, _) = try Self.create(sandbox, "cpuset", resources: ["cpu": ["cpus": "0", "mems": "0"]])
        #expect(Self.read(id, "cpuset.cpus") == "0")
        #expect(Self.read(id, "cpuset.mems") == "0")
    }

    @Test func aReadRateOnTheGuestsDiskBecomesIoMax() throws {
        guard let device = Host.read("/sys/block/vda/dev") else { return Host.skip("no /dev/vda (not the vm/ guest)") }
        let numbers = device.split(separator: ":").compactMap { Int($0) }
        try #require(numbers.count == 2)
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let (id, _) = try Self.create(sandbox, "io", resources: [
            "blockIO": ["throttleReadBpsDevice": [["major": numbers[0], "minor": numbers[1], "rate": 1_048_576]]],
        ])
        #expect(Self.read(id, "io.max") == "\(device) rbps=1048576 wbps=max riops=max wiops=max")
    }

    @Test func aUnifiedKeyIsWrittenAsIs() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let (id, _) = try Self.create(sandbox, "unified", resources: ["unified": ["memory.high": "67108864"]])
        #expect(Self.read(id, "memory.high") == "67108864")
    }

    @Test func theGivenCgroupsPathIsUsedAndDeleteRemovesIt() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let parent = "/berth-v2-it-" + Host.randomHex(8)
        defer { rmdir(PureCgroupV2Host.root + parent) }
        let (id, _) = try sandbox.createContainer("path") { $0.linux["cgroupsPath"] = parent + "/inner/c" }
        let directory = PureCgroupV2Host.root + parent + "/inner/c"
        let pid = try sandbox.runtime.state(id).pid
        #expect(Host.read("/proc/\(pid)/cgroup") == "0::\(parent)/inner/c")
        #expect(Host.read(directory + "/cgroup.procs") == "\(pid)")

        let deleted = try sandbox.runtime.delete(id, force: true)
        #expect(deleted.succeeded, "\(deleted)")
        #expect(!Self.exists(directory), "\(directory) is left behind")
        rmdir(PureCgroupV2Host.root + parent + "/inner")
    }

    /// A parent that holds a process cannot enable controllers for its
    /// children (cgroup v2's "no internal processes" rule), so a container
    /// below it cannot have the memory controller it asks for.
    @Test func aControllerTheParentCannotGiveIsNamed() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let parent = "/berth-v2-it-nomem-" + Host.randomHex(8)
        let parentDirectory = PureCgroupV2Host.root + parent
        try #require(mkdir(parentDirectory, 0o755) == 0)
        defer { rmdir(parentDirectory) }
        try? "-memory".write(toFile: parentDirectory + "/cgroup.subtree_control", atomically: false, encoding: .utf8)
        let occupant = try Subprocess("/bin/sleep", ["60"])
        defer { occupant.stop() }
        try "\(occupant.pid)".write(toFile: parentDirectory + "/cgroup.procs", atomically: false, encoding: .utf8)

        let id = sandbox.newID("nomem")
        let bundle = try sandbox.makeBundle(id)
        bundle.linux["cgroupsPath"] = parent + "/" + id
        bundle.linux["resources"] = ["memory": ["limit": 33_554_432]]
        try bundle.write()
        let result = try sandbox.runtime.create(id, bundle: bundle.path)
        #expect(!result.succeeded, "\(result)")
        if sandbox.runtime.isBerth {
            #expect(result.stderr.contains("+memory"), "\(result)")
            #expect(result.stderr.contains(parentDirectory + "/cgroup.subtree_control"), "\(result)")
        }
        #expect(!Self.exists(parentDirectory + "/" + id), "a failed create left its cgroup")
    }

    // MARK: - devices

    /// `linux.resources.devices` deny-all (berth adds the defaults every
    /// container may use after it), and /dev/kmsg (c 1:11) made from
    /// `linux.devices`: the process, with CAP_SYSLOG and CAP_MKNOD, cannot
    /// open it while /dev/null and /dev/zero work; mknod of it in /dev (a
    /// tmpfs without nodev) works, as the defaults allow `c *:* m`, but the
    /// node made cannot be opened either.
    /// With an explicit `c 1:11 r` both can be read.
    @Test(arguments: [false, true])
    func theDeviceFilterDeniesWhatIsNotAllowed(allowKmsg: Bool) throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let script = """
            true < /dev/kmsg; echo kmsg=$?
            echo discarded > /dev/null; echo null=$?
            head -c 3 /dev/zero | wc -c
            mknod /dev/kmsg-copy c 1 11; echo mknod=$?
            true < /dev/kmsg-copy; echo made=$?
            echo x > /dev/kmsg; echo write=$?
            """
        var rules: [[String: Any]] = [["allow": false, "access": "rwm"]]
        if allowKmsg { rules.append(["allow": true, "type": "c", "major": 1, "minor": 11, "access": "r"]) }
        let result = try sandbox.runShell(script, hint: "dev") { bundle in
            Self.useCgroup(bundle)
            bundle.linux["resources"] = ["devices": rules]
            bundle.linux["devices"] = [["path": "/dev/kmsg", "type": "c", "major": 1, "minor": 11, "fileMode": 0o644,
                                        "uid": 0, "gid": 0]]
            bundle.process["capabilities"] = SecurityTests.capabilities(["CAP_SYSLOG", "CAP_MKNOD"],
                                                                        sets: ["bounding", "effective", "permitted"])
        }
        #expect(result.succeeded, "\(result)")
        let open = allowKmsg ? 0 : 1
        // Writing needs "w", which no rule allows.
        #expect(result.stdout == "kmsg=\(open)\nnull=0\n3\nmknod=0\nmade=\(open)\nwrite=1\n", "\(result)")
        // EPERM is the filter's answer (a nodev mount would give EACCES).
        #expect(result.stderr.contains("Operation not permitted"), "\(result)")
        #expect(!result.stderr.contains("Permission denied"), "\(result)")
    }

    // MARK: - pause and resume

    @Test func pauseFreezesTheContainerAndResumeLetsItGoOn() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let script = "i=0; touch /ready; while true; do i=$((i+1)); echo $i > /counter; sleep 0.1; done"
        let (id, bundle) = try Self.start(sandbox, "pause", script: script)
        func counter() -> Int { Int(bundle.readRootfsFile("counter")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0 }
        try #require(eventually(timeout: 20) { counter() > 0 })

        let paused = try sandbox.runtime.run(["pause", id])
        #expect(paused.succeeded, "\(paused)")
        #expect(try sandbox.runtime.state(id).status == "paused")
        #expect(Self.read(id, "cgroup.events")?.contains("frozen 1") == true)
        let frozenAt = counter()
        usleep(800_000)
        #expect(counter() == frozenAt, "the counter advanced while paused")

        let again = try sandbox.runtime.run(["pause", id])
        #expect(!again.succeeded)
        if sandbox.runtime.isBerth { #expect(again.stderr.contains("container not running"), "\(again)") }

        let resumed = try sandbox.runtime.run(["resume", id])
        #expect(resumed.succeeded, "\(resumed)")
        #expect(try sandbox.runtime.state(id).status == "running")
        #expect(eventually(timeout: 20) { counter() > frozenAt }, "the counter did not advance after resume")

        let notPaused = try sandbox.runtime.run(["resume", id])
        #expect(!notPaused.succeeded)
        if sandbox.runtime.isBerth { #expect(notPaused.stderr.contains("container not paused"), "\(notPaused)") }
    }

    /// A loop that never sleeps (always runnable, never in a syscall that
    /// waits) stops too: the file it appends to does not grow while paused.
    @Test func pauseStopsABusyLoop() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let (id, bundle) = try Self.start(sandbox, "busy", script: "touch /ready; i=0; while :; do i=$((i+1)); echo $i >> /counter; done")
        func size() -> Int { ((try? FileManager.default.attributesOfItem(atPath: bundle.rootfs + "/counter"))?[.size] as? Int) ?? 0 }
        try #require(eventually(timeout: 20) { size() > 0 })
        try #require(try sandbox.runtime.run(["pause", id]).succeeded)
        #expect(Self.read(id, "cgroup.events")?.contains("frozen 1") == true)
        let frozenAt = size()
        usleep(800_000)
        #expect(size() == frozenAt, "the loop ran while paused")
        #expect(try sandbox.runtime.run(["resume", id]).succeeded)
        #expect(eventually(timeout: 20) { size() > frozenAt }, "the loop did not go on after resume")
    }

    @Test func aPausedContainerDiesOfSIGKILLAndIsDeletedByForce() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let (id, _) = try Self.start(sandbox, "pkill", script: Sandbox.waitingScript)
        try #require(try sandbox.runtime.run(["pause", id]).succeeded)
        let refused = try sandbox.runtime.delete(id)
        #expect(!refused.succeeded, "delete without --force of a paused container: \(refused)")
        let killed = try sandbox.runtime.kill(id, "KILL")
        #expect(killed.succeeded, "\(killed)")
        #expect(try sandbox.runtime.waitForStatus(id, "stopped", timeout: 20))

        let (other, _) = try Self.start(sandbox, "pdel", script: Sandbox.waitingScript)
        try #require(try sandbox.runtime.run(["pause", other]).succeeded)
        let deleted = try sandbox.runtime.delete(other, force: true)
        #expect(deleted.succeeded, "\(deleted)")
        #expect(!Self.exists(Self.directory(of: other)), "delete --force left the paused container's cgroup")
    }

    @Test func pausingAStoppedContainerFails() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let (id, _) = try Self.create(sandbox, "pstop") { $0.args = ["true"] }
        try #require(try sandbox.runtime.start(id).succeeded)
        try #require(try sandbox.runtime.waitForStatus(id, "stopped"))
        let result = try sandbox.runtime.run(["pause", id])
        #expect(!result.succeeded)
        if sandbox.runtime.isBerth { #expect(result.stderr.contains("container not running"), "\(result)") }
    }

    // MARK: - kill --all, ps

    @Test func psListsTheInitAndKillAllReachesEveryProcess() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let script = "sleep 100 & sleep 100 & touch /ready; wait"
        let (id, _) = try Self.start(sandbox, "all", script: script)
        let pid = try sandbox.runtime.state(id).pid

        let json = try sandbox.runtime.run(["ps", "--format", "json", id])
        #expect(json.succeeded, "\(json)")
        let pids = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [Int], "\(json)")
        #expect(pids.contains(Int(pid)))
        #expect(pids.count == 3, "sh and two sleeps: \(pids)")

        let table = try sandbox.runtime.run(["ps", id])
        #expect(table.succeeded, "\(table)")
        let lines = table.stdout.split(separator: "\n")
        #expect(lines.first?.contains("PID") == true, "\(table)")
        #expect(lines.count == 4, "a header and three processes: \(table)")

        let killed = try sandbox.runtime.run(["kill", "--all", id, "KILL"])
        #expect(killed.succeeded, "\(killed)")
        #expect(try sandbox.runtime.waitForStatus(id, "stopped", timeout: 20))
        #expect(eventually(timeout: 20) { (Self.read(id, "cgroup.procs") ?? "").isEmpty }, "processes left in the cgroup")
    }

    @Test func killAllWithTERMReachesChildrenToo() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        // The child writes /child when TERM reaches it; the init waits for
        // it before exiting (its exit would SIGKILL the pid namespace).
        let script = #"sh -c 'trap "echo TERM > /child; exit 0" TERM; sleep 100 & wait' & child=$!; "#
            + #"trap 'wait $child; exit 0' TERM; touch /ready; sleep 100 & wait"#
        let (id, bundle) = try Self.start(sandbox, "term", script: script)
        try #require(eventually(timeout: 20) { (Self.read(id, "cgroup.procs") ?? "").split(separator: "\n").count >= 4 })
        let killed = try sandbox.runtime.run(["kill", "--all", id, "TERM"])
        #expect(killed.succeeded, "\(killed)")
        #expect(eventually(timeout: 20) { bundle.readRootfsFile("child") == "TERM\n" }, "the child got no TERM")
        #expect(try sandbox.runtime.waitForStatus(id, "stopped", timeout: 20))
        #expect(Self.read(id, "cgroup.events")?.contains("frozen 0") != false, "kill --all left the cgroup frozen")
    }

    // MARK: - events

    @Test func eventsStatsReportsMemoryUsage() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let (id, _) = try Self.start(sandbox, "stats", script: Sandbox.waitingScript,
                                     resources: ["memory": ["limit": 67_108_864], "pids": ["limit": 50]])
        let result = try sandbox.runtime.run(["events", "--stats", id])
        #expect(result.succeeded, "\(result)")
        let event = try Self.jsonObject(result.stdout)
        #expect(event["type"] as? String == "stats")
        #expect(event["id"] as? String == id)
        let data = try #require(event["data"] as? [String: Any], "\(result.stdout)")
        let memory = try #require(data["memory"] as? [String: Any])
        let usage = try #require(memory["usage"] as? [String: Any])
        #expect(((usage["usage"] as? NSNumber)?.intValue ?? 0) > 0, "\(usage)")
        #expect((usage["limit"] as? NSNumber)?.intValue == 67_108_864)
        let pids = try #require(data["pids"] as? [String: Any])
        #expect((pids["current"] as? NSNumber)?.intValue ?? 0 >= 2, "\(pids)")
        #expect((pids["limit"] as? NSNumber)?.intValue == 50)
        let cpu = try #require((data["cpu"] as? [String: Any])?["usage"] as? [String: Any])
        #expect(((cpu["total"] as? NSNumber)?.intValue ?? 0) > 0, "\(cpu)")
    }

    @Test func eventsStreamsStatsAndAnOOMUntilTheContainerStops() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        // Allocates only once /go exists, so that events watches first.
        let script = "touch /ready; while [ ! -e /go ]; do sleep 0.1; done; exec tail /dev/zero"
        let (id, bundle) = try Self.start(sandbox, "oomev", script: script,
                                          resources: ["memory": ["limit": 33_554_432, "swap": 33_554_432]])
        let events = try Subprocess(sandbox.runtime.binary, ["--root", sandbox.runtime.root, "events", "--interval", "300ms", id],
                                    environment: sandbox.runtime.environment)
        defer { events.stop() }
        try #require(eventually(timeout: 20) { events.stdout.text.contains(#""type":"stats""#) }, "no stats event")
        try bundle.writeRootfsFile("go", "")
        let result = events.wait(timeout: 60)
        #expect(result.succeeded, "events did not end with the container: \(result)")
        let types = try result.stdout.split(separator: "\n").map { try Self.jsonObject(String($0))["type"] as? String }
        #expect(types.contains("oom"), "\(result.stdout)")
        #expect(try sandbox.runtime.state(id).status == "stopped")
    }

    @Test func eventsOfAStoppedContainerFails() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let (id, _) = try Self.create(sandbox, "evstop") { $0.args = ["true"] }
        try #require(try sandbox.runtime.start(id).succeeded)
        try #require(try sandbox.runtime.waitForStatus(id, "stopped"))
        let result = try sandbox.runtime.run(["events", "--stats", id])
        #expect(!result.succeeded)
        if sandbox.runtime.isBerth { #expect(result.stderr.contains("is not running"), "\(result)") }
    }

    /// Plain `events` (stats only every 5 s): the oom event comes from
    /// memory.events as the kernel kills the process, before events ends
    /// with the container.
    @Test func eventsReportsAnOOMKillOfASixteenMegabyteContainer() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let script = "touch /ready; while [ ! -e /go ]; do sleep 0.1; done; exec tail /dev/zero"
        let (id, bundle) = try Self.start(sandbox, "oom16", script: script,
                                          resources: ["memory": ["limit": 16_777_216, "swap": 16_777_216]])
        let events = try Subprocess(sandbox.runtime.binary, ["--root", sandbox.runtime.root, "events", id],
                                    environment: sandbox.runtime.environment)
        defer { events.stop() }
        // Watching once it holds its inotify descriptor on memory.events.
        let watching = eventually(timeout: 20) {
            let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(events.pid)/fd")) ?? []
            return fds.contains { Host.readLink("/proc/\(events.pid)/fd/\($0)") == "anon_inode:inotify" }
        }
        try #require(watching, "events never watched: \(events.stdout.text) \(events.stderr.text)")
        try bundle.writeRootfsFile("go", "")
        let result = events.wait(timeout: 60)
        #expect(result.succeeded, "events did not end with the container: \(result)")
        let lines = try result.stdout.split(separator: "\n").map { try Self.jsonObject(String($0)) }
        let ooms = lines.filter { $0["type"] as? String == "oom" }
        #expect(!ooms.isEmpty && ooms.allSatisfy { $0["id"] as? String == id }, "\(result.stdout)")
        #expect(lines.allSatisfy { ["oom", "stats"].contains($0["type"] as? String) }, "\(result.stdout)")
        #expect(Self.read(id, "memory.max") == "16777216")
        #expect(try sandbox.runtime.state(id).status == "stopped")
    }

    // MARK: - update

    @Test func updateRaisesTheMemoryLimitAndSetsOthers() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let (id, _) = try Self.start(sandbox, "upd", script: Sandbox.waitingScript,
                                     resources: ["memory": ["limit": 33_554_432]])
        let raised = try sandbox.runtime.run(["update", "--memory", "64M", id])
        #expect(raised.succeeded, "\(raised)")
        #expect(Self.read(id, "memory.max") == "67108864")

        let flags = try sandbox.runtime.run(["update", "--pids-limit", "42", "--cpu-quota", "20000", "--cpu-period", "100000", id])
        #expect(flags.succeeded, "\(flags)")
        #expect(Self.read(id, "pids.max") == "42", "update enables a controller the container did not have")
        #expect(Self.read(id, "cpu.max") == "20000 100000")

        let document = OutputFile(contents: #"{"memory":{"limit":100663296},"cpu":{"quota":30000}}"#)
        let fromStdin = try sandbox.runtime.run(["update", "-r", "-", id], stdin: document)
        #expect(fromStdin.succeeded, "\(fromStdin)")
        #expect(Self.read(id, "memory.max") == "100663296")
        #expect(Self.read(id, "cpu.max") == "30000 100000", "the period is kept")
    }

    @Test func updateRefusesALimitBelowUsageWithCheckBeforeUpdateAndBadValues() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let (id, _) = try Self.start(sandbox, "updchk", script: Sandbox.waitingScript,
                                     resources: ["memory": ["limit": 67_108_864]])
        let document = OutputFile(contents: #"{"memory":{"limit":4096,"checkBeforeUpdate":true}}"#)
        let refused = try sandbox.runtime.run(["update", "-r", "-", id], stdin: document)
        #expect(!refused.succeeded, "\(refused)")
        #expect(Self.read(id, "memory.max") == "67108864")

        guard sandbox.runtime.isBerth else { return }
        #expect(refused.stderr.contains("memory.checkBeforeUpdate"), "\(refused)")
        let bad = OutputFile(contents: #"{"memory":{"swappiness":10}}"#)
        let invalid = try sandbox.runtime.run(["update", "-r", "-", id], stdin: bad)
        #expect(!invalid.succeeded)
        #expect(invalid.stderr.contains("memory.swappiness"), "\(invalid)")
    }

    /// memory.checkBeforeUpdate comes from the config create read (as runc
    /// keeps it in its state), not from config.json edited or gone since.
    @Test func updateKeepsTheCheckBeforeUpdateCreateRecorded() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let (id, bundle) = try Self.start(sandbox, "updrec", script: Sandbox.waitingScript,
                                          resources: ["memory": ["limit": 67_108_864, "checkBeforeUpdate": true]])
        bundle.linux["resources"] = ["memory": ["limit": 67_108_864]]
        try bundle.write()
        let edited = try sandbox.runtime.run(["update", "--memory", "4096", id])
        #expect(!edited.succeeded, "after config.json lost checkBeforeUpdate: \(edited)")

        try FileManager.default.removeItem(atPath: bundle.configPath)
        let removed = try sandbox.runtime.run(["update", "--memory", "4096", id])
        #expect(!removed.succeeded, "after config.json was removed: \(removed)")
        #expect(Self.read(id, "memory.max") == "67108864")
        if sandbox.runtime.isBerth {
            #expect(removed.stderr.contains("memory.checkBeforeUpdate"), "\(removed)")
        }
        let raised = try sandbox.runtime.run(["update", "--memory", "96M", id])
        #expect(raised.succeeded, "\(raised)")
        #expect(Self.read(id, "memory.max") == "100663296")
    }

    @Test func updateOfAStoppedContainerFails() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let (id, _) = try Self.create(sandbox, "updstop") { $0.args = ["true"] }
        try #require(try sandbox.runtime.start(id).succeeded)
        try #require(try sandbox.runtime.waitForStatus(id, "stopped"))
        let result = try sandbox.runtime.run(["update", "--memory", "64M", id])
        #expect(!result.succeeded)
        if sandbox.runtime.isBerth { #expect(result.stderr.contains("container not running"), "\(result)") }
    }

    // MARK: - delete

    @Test func deleteRemovesTheContainersCgroup() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let (id, _) = try Self.start(sandbox, "del", script: Sandbox.waitingScript, resources: ["pids": ["limit": 20]])
        #expect(Self.exists(Self.directory(of: id)))
        let deleted = try sandbox.runtime.delete(id, force: true)
        #expect(deleted.succeeded, "\(deleted)")
        #expect(!Self.exists(Self.directory(of: id)), "delete left the cgroup")
    }
}
