import Foundation
import Glibc
import Testing

/// Small host-side helpers for the security, namespace and cgroup suites:
/// running host tools (ip, unshare, nsenter, setpriv), reading /proc and
/// /sys, and names unique enough for host-wide objects (network devices,
/// cgroups) that outlive a sandbox directory.
enum Host {
    /// Runs a host tool and requires it to succeed.
    @discardableResult
    static func mustRun(_ executable: String, _ arguments: [String], timeout: Double = 10) throws -> ProcessResult {
        let result = try Subprocess.run(executable, arguments, timeout: timeout)
        try #require(result.succeeded, "\(executable) \(arguments.joined(separator: " ")): \(result)")
        return result
    }

    /// A file's contents without the trailing newline, or nil.
    static func read(_ path: String) -> String? {
        (try? String(contentsOfFile: path, encoding: .utf8)).map { $0.trimmingCharacters(in: .newlines) }
    }

    /// A random lowercase hex string of `length` characters.
    static func randomHex(_ length: Int = 6) -> String {
        String(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(length))
    }

    /// `readlink` of a path, or nil.
    static func readLink(_ path: String) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: path)
    }

    /// True when an executable exists at `path`.
    static func has(_ path: String) -> Bool { access(path, X_OK) == 0 }

    /// Skips the rest of a test with a printed reason (Swift Testing has no
    /// skip from inside a test; the caller returns right after).
    static func skip(_ reason: String, test: String = #function) {
        print("\(test): skipped: \(reason)")
    }

    /// `/proc/PID/status` as field → value (e.g. "CapEff" → "0000000000000021").
    static func statusFields(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return fields
    }

    /// The network interface names the host's network namespace has.
    static func hasNetworkDevice(_ name: String) -> Bool {
        FileManager.default.fileExists(atPath: "/sys/class/net/" + name)
    }
}

extension Sandbox {
    /// Lets a container's root mapped to an unprivileged host uid (user
    /// namespace) reach the bundles: mkdtemp makes the sandbox 0700, and the
    /// init resolves the rootfs path as the mapped root (runc behaves alike).
    func allowMappedRoot() {
        chmod(path, 0o711)
    }

    /// The host pid of a container, polled until its process runs `command`
    /// (its /proc/PID/cmdline starts with it), for containers without a
    /// writable rootfs to signal readiness through.
    func waitUntilRunning(_ id: String, command: String) throws -> pid_t {
        let pid = try runtime.state(id).pid
        try #require(pid > 0)
        let running = eventually {
            let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data()
            return String(decoding: data, as: UTF8.self).hasPrefix(command + "\0")
        }
        try #require(running, "pid \(pid) never ran \(command): \(ProcessTable.describe(pid))")
        return pid
    }
}
