import Glibc
import LinuxSystem
import OCI

/// Runs one lifecycle hook: the container's state JSON on stdin, the hook's
/// own args (argv[0] included) and env, killed when its timeout passes. Used
/// by berth and by the container's init (createContainer, startContainer).
///
/// The hook gets descriptors 0–2 and nothing else of berth, of berth's
/// caller or of the init; stdout and stderr go to one pipe whose last bytes
/// become part of the error when the hook fails (runc, too, keeps a hook's
/// output out of its own streams and reports it on failure).
enum HookRunner {
    /// What a hook gets where its own settings say nothing.
    struct Context {
        /// The environment of a hook without `env`: the init's hooks get the
        /// container process's, as runc's init (which has it as its own)
        /// gives them.
        var environment: [String] = []
        /// The working directory; nil keeps the caller's.
        var directory: String?

        /// For the hooks berth runs in its own namespaces (prestart,
        /// createRuntime, poststart, poststop): berth's environment, as
        /// runc gives them its own, so a hook without `env` still has the
        /// PATH its manager set; the bundle as the working directory of
        /// those `create` runs, as runc's create works in the bundle.
        static func runtimeNamespace(directory: String? = nil) -> Context {
            Context(environment: ProcessCreation.currentEnvironment(), directory: directory)
        }
    }

    /// How much of a failing hook's output the error quotes: its end,
    /// where the reason usually is.
    static let quotedOutput = 4096

    static func run(_ hook: Hook, kind: String, index: Int, state: State, context: Context = Context(),
                    system: any SystemCalls) throws(RuntimeError) {
        let label = "\(kind) hook #\(index) (\(hook.path))"
        let input = (try? JSONText.encode(state)) ?? []

        // The hook's stdin is a socket rather than a pipe so that berth can
        // write with MSG_NOSIGNAL: a hook that exits without reading must
        // not kill berth with SIGPIPE.
        let (hookEnd, berthEnd) = try attempt("run \(label): create its stdin") { () throws(Errno) in
            try FileDescriptor.socketPair(.stream)
        }
        defer { berthEnd.close() }
        let output: (read: FileDescriptor, write: FileDescriptor)
        do {
            output = try attempt("run \(label): create its output pipe") { () throws(Errno) in try Self.outputPipe() }
        } catch {
            hookEnd.close()
            throw error
        }
        defer { output.read.close() }

        let arguments = hook.args.flatMap { $0.isEmpty ? nil : $0 } ?? [hook.path]
        let spawned = Result { () throws(Errno) in
            try ProcessCreation.spawn(hook.path, arguments: arguments, environment: hook.env ?? context.environment,
                                      stdio: [hookEnd, output.write, output.write], directory: context.directory)
        }
        hookEnd.close()
        output.write.close()
        let pid = try attempt("run \(label)") { () throws(Errno) in try spawned.get() }

        // A hook that does not read its stdin is fine: EPIPE is ignored.
        try? berthEnd.sendAll(input)
        berthEnd.close()

        let (outcome, written) = wait(for: pid, reading: output.read, timeoutSeconds: hook.timeout, system: system)
        let said = Self.lastOutput(written)
        switch outcome {
        case .ended(.exited(0)): return
        case .ended(let ending): throw RuntimeError(.system, "\(label) failed: \(ending)\(said)")
        case .timedOut: throw RuntimeError(.system, "\(label) failed: timed out after \(hook.timeout ?? 0)s\(said)")
        }
    }

    /// Close-on-exec both ends. berth's end does not block, so berth can
    /// watch the hook and its output together; the hook's end does, so a
    /// hook writing to a full pipe waits for berth instead of failing.
    static func outputPipe() throws(Errno) -> (read: FileDescriptor, write: FileDescriptor) {
        let pipe = try FileDescriptor.pipe()
        _ = fcntl(pipe.read.rawValue, F_SETFL, fcntl(pipe.read.rawValue, F_GETFL) | O_NONBLOCK)
        return pipe
    }

    /// `; output: "…"` with the end of what the hook wrote, or nothing.
    static func lastOutput(_ bytes: [UInt8]) -> String {
        var text = String(decoding: bytes.suffix(quotedOutput), as: UTF8.self)
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text.isEmpty ? "" : "; output: " + RuntimeError.quoted(text)
    }

    enum Outcome: Equatable { case ended(ProcessExit), timedOut }

    /// Waits for the hook while reading what it writes, so that a hook
    /// writing more than a pipe holds never blocks on it; kills it once
    /// `timeoutSeconds` have passed. Once the hook has exited, what is left
    /// in the pipe is read without waiting for its end: a process the hook
    /// left behind may hold the pipe open.
    static func wait(for pid: pid_t, reading output: FileDescriptor, timeoutSeconds: Int?,
                     system: any SystemCalls) -> (Outcome, [UInt8]) {
        var written: [UInt8] = []
        var outputOpen = true
        var outcome = Outcome.ended(.exited(-1))
        let ended = Polling.until(seconds: timeoutSeconds.map { UInt64(clamping: $0) }, first: 1000, longest: 50_000) {
            if outputOpen { outputOpen = Self.read(output, into: &written, waitingMilliseconds: 50) }
            do {
                // Blocking is safe once the output is closed: nothing can fill it.
                let block = !outputOpen && timeoutSeconds == nil
                guard let status = try system.wait(for: pid, block: block) else { return false }
                outcome = .ended(ProcessExit(waitStatus: status))
            } catch {
                outcome = .ended(.exited(-1))
            }
            return true
        }
        _ = Self.read(output, into: &written, waitingMilliseconds: 0)
        if !ended {
            system.killAndReap(pid)
            return (.timedOut, written)
        }
        return (outcome, written)
    }

    /// Appends what `output` holds (keeping the last `quotedOutput` bytes),
    /// waiting up to `waitingMilliseconds` for something to arrive. False
    /// once every writer has closed it.
    static func read(_ output: FileDescriptor, into written: inout [UInt8], waitingMilliseconds: Int32) -> Bool {
        var poller = pollfd(fd: output.rawValue, events: Int16(POLLIN), revents: 0)
        if poll(&poller, 1, waitingMilliseconds) <= 0 { return true }
        var chunk = [UInt8](repeating: 0, count: 16384)
        // A bounded number of reads, so a hook that writes without end
        // cannot keep berth from checking its exit and its timeout.
        for _ in 0..<16 {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(output.rawValue, $0.baseAddress, $0.count) }
            if count == 0 { return false }
            if count < 0 { return errno == EAGAIN || errno == EINTR }
            written.append(contentsOf: chunk[0..<count])
            if written.count > 2 * quotedOutput { written.removeFirst(written.count - quotedOutput) }
        }
        return true
    }
}
