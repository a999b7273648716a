import Foundation
import Testing

/// `process.terminal` as the process and its output see it: berth's own
/// relay (`run` and `exec` in the foreground without --console-socket)
/// passes the output with plain newlines, as runc's does.
@Suite(.integration, .timeLimit(.minutes(1)))
struct TerminalTests {
    @Test func runRelaysTheTerminalsOutputWithPlainNewlines() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let result = try sandbox.runShell("test -t 1 && echo one; echo two") { $0.process["terminal"] = true }
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout == "one\ntwo\n", "\(result)")
    }

    @Test func execRelaysTheTerminalsOutputWithPlainNewlines() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let (id, _, _) = try ExecTests.running(sandbox, "tty")
        let result = try ExecTests.shell(sandbox, id, options: ["--tty"], "test -t 1 && echo one; echo two")
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout == "one\ntwo\n", "\(result)")
    }

    /// A terminal for a process of uid 1000 whose devpts gives ptys the tty
    /// group (gid=5, as `runc spec` and `berth spec` write it).
    static func userTerminal(_ bundle: Bundle) {
        bundle.process["terminal"] = true
        bundle.process["user"] = ["uid": 1000, "gid": 1000]
        ttyGroupOnPtys(bundle)
    }

    static func ttyGroupOnPtys(_ bundle: Bundle) {
        bundle.mounts = bundle.mounts.map { mount in
            guard mount["type"] as? String == "devpts" else { return mount }
            var changed = mount
            changed["options"] = (mount["options"] as? [String] ?? []) + ["gid=5"]
            return changed
        }
    }

    /// Owner, group and device number of the process's pty, then the device
    /// number and type of /dev/console.
    static let describeTerminal = "stat -c '%u %g' $(tty); stat -c '%t:%T' $(tty); stat -c '%t:%T %F' /dev/console"

    @Test func thePtyBelongsToTheProcessUserAndTheTtyGroupAndIsTheConsole() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let result = try sandbox.runShell(Self.describeTerminal, configure: Self.userTerminal)
        #expect(result.succeeded, "\(result)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        try #require(lines.count == 3, "\(result)")
        #expect(lines[0] == "1000 5", "\(result)")
        #expect(lines[2] == lines[1] + " character special file", "\(result)")
    }

    @Test func anExecdProcessOwnsItsPty() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let (id, _, _) = try ExecTests.running(sandbox, "tty", configure: Self.ttyGroupOnPtys)
        let result = try ExecTests.shell(sandbox, id, options: ["--tty", "--user", "1000:1000"], "stat -c '%u %g' $(tty)")
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout == "1000 5\n", "\(result)")
    }

    /// An image whose /dev/console is a symlink (no /dev tmpfs hides it):
    /// following it would bind the pty onto whatever it names.
    @Test func aSymlinkAtDevConsoleIsNotFollowed() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        var victimStat = ""
        let result = try sandbox.runShell("stat -c %F /victim") { bundle in
            bundle.process["terminal"] = true
            bundle.mounts = bundle.mounts.filter { $0["destination"] as? String != "/dev" }
            try FileManager.default.createDirectory(atPath: bundle.rootfs + "/dev", withIntermediateDirectories: true)
            try bundle.writeRootfsFile("victim", "")
            try FileManager.default.createSymbolicLink(atPath: bundle.rootfs + "/dev/console", withDestinationPath: "/victim")
            victimStat = bundle.rootfs + "/victim"
        }
        #expect(!result.stdout.contains("character special file"), "the pty was bound onto the link's target: \(result)")
        #expect(!result.succeeded, "\(result)")
        if sandbox.runtime.isBerth {
            #expect(result.stderr.contains("/dev/console"), "\(result)")
        }
        #expect(!ProcessTable.mountPoints(of: "self").contains(victimStat))
    }
}
