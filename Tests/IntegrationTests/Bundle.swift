import Foundation
import Glibc
import Synchronization

/// An OCI bundle for one test: `rootfs/` with a static busybox and its applet
/// links in /bin, /etc/passwd and /etc/group, and a `config.json` written by
/// `write()` from the parts below, which tests change before writing.
///
/// The config starts minimal and valid for runc 1.1 (ociVersion 1.0.2):
/// no capabilities, rlimits, resources or cgroupsPath.
final class Bundle {
    let path: String
    var rootfs: String { path + "/rootfs" }
    var configPath: String { path + "/config.json" }

    var process: [String: Any]
    var root: [String: Any] = ["path": "rootfs", "readonly": false]
    var mounts: [[String: Any]] = Bundle.defaultMounts
    var linux: [String: Any] = ["namespaces": ["pid", "mount", "ipc", "uts", "network"].map { ["type": $0] }]
    /// Every other top-level member: ociVersion, hostname, hooks, annotations.
    var top: [String: Any] = ["ociVersion": "1.0.2", "hostname": "berth-it"]

    /// `process.args`.
    var args: [String] {
        get { process["args"] as? [String] ?? [] }
        set { process["args"] = newValue }
    }

    /// A shell command run by busybox sh as the container's process.
    func shell(_ script: String) { args = ["sh", "-c", script] }

    /// The config as written to config.json.
    var config: [String: Any] {
        top.merging(["process": process, "root": root, "mounts": mounts, "linux": linux]) { _, part in part }
    }

    /// /proc, /dev, /dev/pts, /dev/shm and /sys, as `runc spec` has them.
    static var defaultMounts: [[String: Any]] {
        [
            ["destination": "/proc", "type": "proc", "source": "proc"],
            ["destination": "/dev", "type": "tmpfs", "source": "tmpfs",
             "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]],
            ["destination": "/dev/pts", "type": "devpts", "source": "devpts",
             "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]],
            ["destination": "/dev/shm", "type": "tmpfs", "source": "shm",
             "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]],
            ["destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]],
        ]
    }

    /// Makes the directory and its rootfs. `marker` ("NAME=value") is added
    /// to the container's environment so that leftovers can be found.
    init(at path: String, marker: String) throws {
        self.path = path
        process = [
            "terminal": false,
            "user": ["uid": 0, "gid": 0],
            "args": ["true"],
            "env": ["PATH=/bin:/usr/bin:/sbin", marker],
            "cwd": "/",
        ]
        let files = FileManager.default
        try files.createDirectory(atPath: rootfs + "/bin", withIntermediateDirectories: true)
        try files.createDirectory(atPath: rootfs + "/etc", withIntermediateDirectories: true)
        try files.copyItem(atPath: IntegrationEnvironment.busybox, toPath: rootfs + "/bin/busybox")
        for applet in try Bundle.applets() where applet != "busybox" {
            try files.createSymbolicLink(atPath: rootfs + "/bin/" + applet, withDestinationPath: "busybox")
        }
        try writeRootfsFile("etc/passwd", """
            root:x:0:0:root:/root:/bin/sh
            tester:x:1000:1000:tester:/home/tester:/bin/sh
            nobody:x:65534:65534:nobody:/nonexistent:/bin/false

            """)
        try writeRootfsFile("etc/group", """
            root:x:0:
            wheel:x:10:
            dialout:x:20:
            tester:x:1000:
            nogroup:x:65534:

            """)
    }

    /// Writes config.json.
    func write() throws {
        let data = try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: URL(fileURLWithPath: configPath))
    }

    /// Writes `contents` to `relativePath` inside the rootfs.
    func writeRootfsFile(_ relativePath: String, _ contents: String) throws {
        try Data(contents.utf8).write(to: URL(fileURLWithPath: rootfs + "/" + relativePath))
    }

    /// The contents of `relativePath` inside the rootfs, or nil.
    func readRootfsFile(_ relativePath: String) -> String? {
        try? String(contentsOfFile: rootfs + "/" + relativePath, encoding: .utf8)
    }

    /// Adds a mount to the config.
    func addMount(destination: String, type: String, source: String, options: [String] = []) {
        mounts.append(["destination": destination, "type": type, "source": source, "options": options])
    }

    /// The names of busybox's applets (`busybox --list`), asked once.
    private static func applets() throws -> [String] {
        if let cached = appletCache.withLock({ $0 }) { return cached }
        let result = try Subprocess.run(IntegrationEnvironment.busybox, ["--list"])
        let names = result.stdout.split(separator: "\n").map(String.init).filter { !$0.contains("/") }
        guard result.succeeded, !names.isEmpty else {
            throw IntegrationSetupError(message: "busybox --list: \(result)")
        }
        appletCache.withLock { $0 = names }
        return names
    }
}

/// `busybox --list`, read by the first bundle.
private let appletCache = Mutex<[String]?>(nil)
