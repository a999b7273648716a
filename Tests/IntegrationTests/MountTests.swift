import Foundation
import Glibc
import Testing

/// How config.json's mounts look from inside the container: the modes,
/// flags and order the runtime gives them (config.md#mounts), read from
/// stat and /proc/self/mountinfo.
@Suite(.integration, .timeLimit(.minutes(1)))
struct MountTests {
    /// The container's mountinfo entry for `mountPoint` (the last, topmost).
    static func entry(_ mountPoint: String, in mountinfo: String) -> MountInfo? {
        MountInfo.parse(mountinfo).last { $0.mountPoint == mountPoint }
    }

    // MARK: tmpfs

    /// runc copies the covered directory's mode onto a tmpfs without
    /// `mode=`; an explicit mode wins.
    @Test func aTmpfsWithoutModeTakesTheModeOfTheDirectoryItCovers() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let result = try sandbox.runShell("stat -c %a /cache /spool /fresh") { bundle in
            for (directory, mode) in [("cache", 0o750), ("spool", 0o700)] as [(String, mode_t)] {
                try FileManager.default.createDirectory(atPath: bundle.rootfs + "/" + directory, withIntermediateDirectories: true)
                chmod(bundle.rootfs + "/" + directory, mode)
            }
            bundle.addMount(destination: "/cache", type: "tmpfs", source: "tmpfs", options: ["size=1m"])
            bundle.addMount(destination: "/spool", type: "tmpfs", source: "tmpfs", options: ["size=1m", "mode=1777"])
            bundle.addMount(destination: "/fresh", type: "tmpfs", source: "tmpfs", options: ["nosuid"])
        }
        #expect(result.succeeded, "\(result)")
        // /fresh is made by the runtime (0755) before the tmpfs covers it.
        #expect(result.stdout == "750\n1777\n755\n", "\(result)")
    }

    /// A read-only /dev: the devices, the /dev links and the /dev/pts and
    /// /dev/shm mount points are made in it first, and it turns read-only
    /// after.
    @Test func aReadOnlyDevTmpfsIsFilledFirstAndReadOnlyAfter() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let script = """
            ls -d /dev/null /dev/zero /dev/pts /dev/shm /dev/fd /dev/ptmx
            touch /dev/new 2>/dev/null && echo written || echo refused
            cat /proc/self/mountinfo
            """
        let result = try sandbox.runShell(script) { bundle in
            bundle.mounts[1]["options"] = ["nosuid", "strictatime", "mode=755", "size=65536k", "ro"]
        }
        #expect(result.succeeded, "\(result)")
        // ls sorts its arguments.
        #expect(result.stdout.hasPrefix("/dev/fd\n/dev/null\n/dev/ptmx\n/dev/pts\n/dev/shm\n/dev/zero\nrefused\n"), "\(result)")
        let dev = MountTests.entry("/dev", in: result.stdout)
        #expect(dev?.fileSystemType == "tmpfs", "\(result.stdout)")
        #expect(dev?.mountOptions.contains("ro") == true, "\(String(describing: dev))")
        #expect(dev?.mountOptions.contains("nosuid") == true, "\(String(describing: dev))")
        #expect(MountTests.entry("/dev/pts", in: result.stdout)?.fileSystemType == "devpts", "\(result.stdout)")
        #expect(MountTests.entry("/dev/shm", in: result.stdout)?.mountOptions.contains("rw") == true, "\(result.stdout)")
    }
}
