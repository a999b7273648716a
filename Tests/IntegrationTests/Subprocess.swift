import Foundation
import Glibc

/// An anonymous file (created and unlinked at once) that a child process writes to.
/// Unlike a pipe it never blocks the writer and needs no reader thread, and it
/// can outlive the process that received it (a container's init keeps the
/// `create` process's stdout).
final class OutputFile: @unchecked Sendable {  // the fd is only read with pread
    let fd: Int32

    init() {
        var template = Array("/tmp/berth-it-output-XXXXXX".utf8CString)
        fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        precondition(fd >= 0, "mkstemp: \(String(cString: strerror(errno)))")
        _ = template.withUnsafeBufferPointer { unlink($0.baseAddress!) }
        // Another thread may spawn before this; `closeFrom` keeps it out of that child.
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    }

    /// A file already holding `text`, to serve as a child's stdin.
    convenience init(contents text: String) {
        self.init()
        let bytes = Array(text.utf8)
        precondition(bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) } == bytes.count)
    }

    /// Everything written so far.
    var text: String {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(bytes.count)) }
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    deinit { close(fd) }
}

/// How a child process ended.
struct ProcessResult: Sendable, CustomStringConvertible {
    /// The exit code, or 128 + the signal number when a signal ended it.
    var status: Int32
    var stdout: String
    var stderr: String
    /// True when the timeout ran out and the process was killed.
    var timedOut: Bool

    var succeeded: Bool { status == 0 && !timedOut }

    var description: String {
        "status \(status)\(timedOut ? " (timed out)" : ""), stdout: \(stdout.debugDescription), stderr: \(stderr.debugDescription)"
    }
}

/// A process spawned with exactly the descriptors we choose: stdin, stdout,
/// stderr, then `extraFiles` as 3, 4, …; every other descriptor of the test
/// process is closed in the child.
final class Subprocess: @unchecked Sendable {  // `wait` and `stop` are called by one thread
    let pid: pid_t
    let stdout: OutputFile
    let stderr: OutputFile
    private var ending: ProcessResult?

    init(_ executable: String, _ arguments: [String], stdin: OutputFile? = nil, stdout: OutputFile? = nil,
         extraFiles: [Int32] = [], environment: [String: String] = [:]) throws {
        self.stdout = stdout ?? OutputFile()
        self.stderr = OutputFile()

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let stdin {
            posix_spawn_file_actions_adddup2(&actions, stdin.fd, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, self.stdout.fd, 1)
        posix_spawn_file_actions_adddup2(&actions, self.stderr.fd, 2)
        // Duplicate the extra files onto high numbers first, so that moving
        // them to 3, 4, … cannot overwrite one that is still to be moved.
        let parking: Int32 = 900
        for (index, fd) in extraFiles.enumerated() {
            posix_spawn_file_actions_adddup2(&actions, fd, parking + Int32(index))
        }
        for index in extraFiles.indices {
            posix_spawn_file_actions_adddup2(&actions, parking + Int32(index), 3 + Int32(index))
        }
        guard Subprocess.closeFrom(&actions, 3 + Int32(extraFiles.count)) == 0 else {
            throw IntegrationSetupError(message: "posix_spawn_file_actions_addclosefrom_np failed")
        }

        var merged = ProcessInfo.processInfo.environment
        merged.merge(environment) { _, new in new }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }

        var child: pid_t = 0
        let error = posix_spawn(&child, executable, &actions, nil, argv, envp)
        guard error == 0 else {
            throw IntegrationSetupError(message: "spawn \(executable): \(String(cString: strerror(error)))")
        }
        pid = child
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34), which Swift
    /// does not import because it is declared only under _GNU_SOURCE.
    private static let closeFrom: @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32 = {
        guard let symbol = dlsym(nil /* RTLD_DEFAULT */, "posix_spawn_file_actions_addclosefrom_np") else {
            fatalError("glibc lacks posix_spawn_file_actions_addclosefrom_np (needs 2.34)")
        }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

    /// Waits for the process, killing it (SIGKILL) once `timeout` seconds
    /// passed. Waiting again returns the same result.
    func wait(timeout: Double) -> ProcessResult {
        if let ending { return ending }
        let deadline = Date().addingTimeInterval(timeout)
        var raw: Int32 = 0
        var timedOut = false
        while true {
            let reaped = waitpid(pid, &raw, WNOHANG)
            if reaped == pid || (reaped < 0 && errno != EINTR) { break }
            if Date() > deadline {
                timedOut = true
                kill(pid, SIGKILL)
                while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
                break
            }
            usleep(2000)
        }
        let signal = raw & 0x7f
        let status = signal == 0 ? (raw >> 8) & 0xff : 128 + signal
        ending = ProcessResult(status: status, stdout: stdout.text, stderr: stderr.text, timedOut: timedOut)
        return ending!
    }

    /// Kills the process unless it was already waited for, and reaps it.
    func stop() {
        if ending == nil {
            kill(pid, SIGKILL)
            _ = wait(timeout: 10)
        }
    }

    /// Spawns, waits and returns how it ended.
    static func run(_ executable: String, _ arguments: [String], stdin: OutputFile? = nil, stdout: OutputFile? = nil,
                    extraFiles: [Int32] = [], environment: [String: String] = [:], timeout: Double = 30) throws -> ProcessResult {
        try Subprocess(executable, arguments, stdin: stdin, stdout: stdout, extraFiles: extraFiles,
                       environment: environment).wait(timeout: timeout)
    }
}

/// Polls `condition` until it holds or `timeout` seconds passed; returns
/// whether it held. For state changes that take an unknown time, never as an
/// assertion on timing.
func eventually(timeout: Double = 10, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while true {
        if try condition() { return true }
        if Date() > deadline { return false }
        usleep(10_000)
    }
}
