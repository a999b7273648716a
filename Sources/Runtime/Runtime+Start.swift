import Glibc
import LinuxSystem
import OCI

extension Runtime {
    /// Lets a created container's init exec the user's process. With
    /// startContainer or poststart hooks it waits until the program runs:
    /// a failing startContainer hook (the init then exits) or poststart
    /// hook fails `start`, and a failing poststart hook stops the container
    /// (runtime.md, lifecycle steps 8 and 9).
    public func start(id: String) throws(RuntimeError) {
        let lock = try store.lock(id)
        defer { lock.unlock() }
        let record = try loadRecord(id)
        let status = status(of: record)
        guard status.canStart else { throw status.refusal(of: .start, id: id) }
        let fifoPath = store.execFifo(of: id)
        try attempt("open \(fifoPath)") { () throws(Errno) in
            // Non-blocking: with no reader (the init died) this fails at
            // once with ENXIO instead of hanging.
            let fifo = try FileDescriptor.open(fifoPath, O_WRONLY | O_NONBLOCK)
            defer { fifo.close() }
            try fifo.writeAll([0])
        }
        unlink(fifoPath)
        let hooks = record.hooks ?? Hooks()
        guard !(hooks.startContainer ?? []).isEmpty || !(hooks.poststart ?? []).isEmpty else { return }
        // The init still has the startContainer hooks and execve ahead. A
        // process that ends at once may not be seen running: the init's
        // start-error file tells a failure apart.
        if !waitUntilExecuted(record),
           let reason = try? FileSystem.readFile(store.startError(of: id)), !reason.isEmpty {
            throw RuntimeError(.system, "start container \(id): " + String(decoding: reason, as: UTF8.self))
        }
        let state = record.state(.running, pid: record.pid)
        for (index, hook) in (hooks.poststart ?? []).enumerated() {
            do {
                try HookRunner.run(hook, kind: "poststart", index: index, state: state, system: system)
            } catch {
                try? killAndWait(record)
                throw error
            }
        }
    }

    /// Waits until the init has exec'd the user's program: its /proc/PID/exe
    /// stops being berth's own binary. False when the init died first.
    func waitUntilExecuted(_ record: ContainerRecord) -> Bool {
        Self.waitUntilExecuted(pid: record.pid) { status(of: record) == .running }
    }

    /// Polls until `pid` runs the user's program — neither berth itself nor
    /// the exec helper on its way (ExecHelper) — while `alive` holds.
    static func waitUntilExecuted(pid: pid_t, while alive: () -> Bool) -> Bool {
        var own = stat()
        guard stat("/proc/self/exe", &own) == 0 else { return true }
        var executed = false
        _ = Polling.until(first: 100, longest: 10_000) {
            var current = stat()
            let target = FileSystem.readLink("/proc/\(pid)/exe") ?? ""
            executed = stat("/proc/\(pid)/exe", &current) == 0
                && (current.st_dev != own.st_dev || current.st_ino != own.st_ino)
                && !target.hasPrefix("/memfd:berth-exec-helper")
            return executed || !alive()
        }
        return executed
    }

    /// The record of an existing container; one still being created has none.
    func loadRecord(_ id: String) throws(RuntimeError) -> ContainerRecord {
        guard let record = try store.load(id) else {
            throw RuntimeError(.invalidState, "container \(id) is still being created")
        }
        return record
    }

    /// poststart and poststop hooks: a failure is logged, and the operation
    /// goes on.
    func runHooksWarning(_ record: ContainerRecord, kind: String, status: ContainerStatus) {
        guard let hooks = record.hooks?.all.first(where: { $0.name == kind })?.hooks else { return }
        let state = record.state(status, pid: record.pid)
        for (index, hook) in hooks.enumerated() {
            do {
                try HookRunner.run(hook, kind: kind, index: index, state: state, system: system)
            } catch {
                log.warning(error.summary)
            }
        }
    }
}
