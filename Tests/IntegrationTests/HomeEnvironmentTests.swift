import Foundation
import Glibc
import Testing

/// HOME as runc sets it: a process whose environment has no HOME, or an
/// empty one, gets its user's home directory from the container's
/// /etc/passwd (Bundle writes root → /root, 1000 → /home/tester), or "/"
/// for a user it does not list.
@Suite(.integration, .timeLimit(.minutes(1)))
struct HomeEnvironmentTests {
    static let printHome = "env | grep ^HOME= || echo unset"

    @Test(arguments: [(1000, nil, "/home/tester"), (0, "HOME=", "/root"), (4242, nil, "/")] as [(Int, String?, String)])
    func runSetsHomeFromTheContainersPasswd(uid: Int, home: String?, expected: String) throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let result = try sandbox.runShell(Self.printHome) { bundle in
            bundle.process["user"] = ["uid": uid, "gid": uid]
            if let home { bundle.process["env"] = (bundle.process["env"] as? [String] ?? []) + [home] }
        }
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout == "HOME=\(expected)\n", "\(result)")
    }

    /// A FIFO at /etc/passwd would block a reader that opened it: the
    /// process still starts, with HOME=/.
    @Test func aPasswdThatIsNotAFileGivesSlash() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let result = try sandbox.runShell(Self.printHome) { bundle in
            try FileManager.default.removeItem(atPath: bundle.rootfs + "/etc/passwd")
            #expect(mkfifo(bundle.rootfs + "/etc/passwd", 0o644) == 0)
        }
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout == "HOME=/\n", "\(result)")
    }

    @Test func execSetsHomeForItsUserAndKeepsAGivenOne() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let (id, _, _) = try ExecTests.running(sandbox, "home")
        let asTester = try ExecTests.shell(sandbox, id, options: ["--user", "1000:1000"], Self.printHome)
        #expect(asTester.succeeded && asTester.stdout == "HOME=/home/tester\n", "\(asTester)")
        let asRoot = try ExecTests.shell(sandbox, id, Self.printHome)
        #expect(asRoot.succeeded && asRoot.stdout == "HOME=/root\n", "\(asRoot)")
        let given = try ExecTests.shell(sandbox, id, options: ["--user", "1000", "--env", "HOME=/given"], Self.printHome)
        #expect(given.succeeded && given.stdout == "HOME=/given\n", "\(given)")
    }
}
