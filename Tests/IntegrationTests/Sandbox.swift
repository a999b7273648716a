import Foundation
import Glibc
import Synchronization
import Testing

/// One test's private world: a fresh directory under /tmp holding the
/// runtime's state root (`state/`) and the test's bundles, unique container
/// ids, and a clean-up that force-deletes every container, then checks that
/// no process and no mount of the test is left before removing the directory.
///
/// Use as `let sandbox = try Sandbox(); defer { sandbox.cleanUp() }`.
final class Sandbox: Sendable {
    /// The test's directory; its path is also the marker that finds leftovers.
    let path: String
    let runtime: Runtime
    private let ids = Mutex<[String]>([])

    init() throws {
        let binary = try IntegrationEnvironment.requireReady()
        var template = Array("/tmp/berth-it-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw IntegrationSetupError(message: "mkdtemp: \(String(cString: strerror(errno)))")
        }
        path = String(cString: made)
        try FileManager.default.createDirectory(atPath: path + "/state", withIntermediateDirectories: true)
        runtime = Runtime(binary: binary, root: path + "/state", environment: [Sandbox.markerVariable: path])
    }

    /// Set to `path` in the runtime's environment and in every container's
    /// `process.env`, so that a process of this test carries it.
    static let markerVariable = "BERTH_IT_SANDBOX"

    /// A container id unique on this machine (runc names cgroups after it),
    /// remembered for the clean-up.
    func newID(_ hint: String = "c") -> String {
        let id = "it-\(hint)-\(UUID().uuidString.prefix(8).lowercased())"
        ids.withLock { $0.append(id) }
        return id
    }

    /// A new busybox bundle in `path/name` with the minimal config.
    func makeBundle(_ name: String = "bundle") throws -> Bundle {
        try Bundle(at: path + "/" + name, marker: "\(Sandbox.markerVariable)=\(path)")
    }

    /// Processes still alive whose environment or command line mentions this
    /// sandbox: the runtime itself, a runtime-spawned helper (runc's `init`
    /// names the state directory in its environment), or a container's
    /// process (its `process.env` carries the marker). Zombies do not count.
    func leftoverProcesses() -> [pid_t] {
        let me = getpid()
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap { pid_t($0) }.filter { pid in
            guard pid != me, ProcessTable.isAlive(pid) else { return false }
            return ["environ", "cmdline"].contains { file in
                guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/\(file)") else { return false }
                return data.range(of: Data(path.utf8)) != nil
            }
        }
    }

    /// SIGKILLs every leftover process (see `leftoverProcesses`).
    func killLeftoverProcesses() {
        leftoverProcesses().forEach { kill($0, SIGKILL) }
    }

    /// Host mount points under the sandbox directory (there should be none).
    func leftoverMounts() -> [String] {
        ProcessTable.mountPoints(of: "self").filter { $0 == path || $0.hasPrefix(path + "/") }
    }

    /// Force-deletes every container, then records an issue for anything left
    /// behind (and removes it), then removes the directory. Never throws.
    func cleanUp() {
        for id in ids.withLock({ $0 }) {
            _ = try? runtime.delete(id, force: true)
        }
        if !eventually(timeout: 10, { leftoverProcesses().isEmpty }) {
            Issue.record("processes left behind by the test in \(path): \(leftoverProcesses().map(ProcessTable.describe))")
            killLeftoverProcesses()
        }
        let mounts = leftoverMounts()
        if !mounts.isEmpty {
            Issue.record("mounts left behind on the host: \(mounts)")
            mounts.reversed().forEach { umount2($0, Int32(MNT_DETACH)) }
        }
        // --one-file-system: never follow a leftover mount out of the sandbox.
        _ = try? Subprocess.run("/bin/rm", ["-rf", "--one-file-system", path], timeout: 60)
    }
}

/// Reading /proc about other processes.
enum ProcessTable {
    /// True when `pid` exists and is not a zombie (or dead).
    static func isAlive(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
        return state != "Z" && state != "X" && state != nil
    }

    static func describe(_ pid: pid_t) -> String {
        let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data()
        let command = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\0", with: " ")
        return "\(pid): \(command)"
    }

    /// The mount points listed in /proc/PID/mountinfo (field 5).
    static func mountPoints(of pid: String) -> [String] {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/mountinfo", encoding: .utf8)) ?? ""
        return MountInfo.parse(text).map(\.mountPoint)
    }
}

/// One line of /proc/PID/mountinfo (proc(5)).
struct MountInfo: Equatable {
    var mountPoint: String
    var mountOptions: [String]
    var fileSystemType: String
    var superOptions: [String]
    /// major:minor of the file system (field 3): one per superblock.
    var device = ""

    static func parse(_ text: String) -> [MountInfo] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count >= 10, let dash = fields.firstIndex(of: "-"), dash + 3 <= fields.count else { return nil }
            return MountInfo(mountPoint: unescape(fields[4]),
                             mountOptions: fields[5].split(separator: ",").map(String.init),
                             fileSystemType: fields[dash + 1],
                             superOptions: fields[dash + 3].split(separator: ",").map(String.init),
                             device: fields[2])
        }
    }

    /// mountinfo writes space, tab, newline and backslash as \ooo.
    private static func unescape(_ field: String) -> String {
        var result = ""
        var rest = Substring(field)
        while let slash = rest.firstIndex(of: "\\") {
            result += rest[..<slash]
            let code = rest[rest.index(after: slash)...].prefix(3)
            if code.count == 3, let value = UInt8(code, radix: 8) {
                result.append(Character(UnicodeScalar(value)))
                rest = rest[rest.index(slash, offsetBy: 4)...]
            } else {
                result.append("\\")
                rest = rest[rest.index(after: slash)...]
            }
        }
        return result + rest
    }
}
