import Glibc
import LinuxSystem
import OCI

extension Runtime {
    /// Lets a created container's init exec the user's process, then runs
    /// the poststart hooks (whose failure only warns, as the spec says).
    public func start(id: String) throws(RuntimeError) {
        let lock = try store.lock(id)
        defer { lock.unlock() }
        let record = try loadRecord(id)
        let status = status(of: record)
        guard status.canStart else {
            throw RuntimeError(.invalidState, "cannot start container \(id): it is \(status.rawValue), not created")
        }
        let fifoPath = store.execFifo(of: id)
        try attempt("open \(fifoPath)") { () throws(Errno) in
            // Non-blocking: with no reader (the init died) this fails at
            // once with ENXIO instead of hanging.
            let fifo = try FileDescriptor.open(fifoPath, O_WRONLY | O_NONBLOCK)
            defer { fifo.close() }
            try fifo.writeAll([0])
        }
        unlink(fifoPath)
        guard let poststart = record.hooks?.poststart, !poststart.isEmpty else { return }
        // The spec runs poststart after the user's program is executed, but
        // the init still has the startContainer hooks and execve ahead.
        if waitUntilExecuted(record) {
            runHooksWarning(record, kind: "poststart", status: .running)
        }
    }

    /// Waits until the init has exec'd the user's program: its /proc/PID/exe
    /// stops being berth's own binary. False when the init died first.
    func waitUntilExecuted(_ record: ContainerRecord) -> Bool {
        var own = stat()
        guard stat("/proc/self/exe", &own) == 0 else { return true }
        var pause: UInt32 = 100
        while status(of: record) == .running {
            var current = stat()
            if stat("/proc/\(record.pid)/exe", &current) == 0 && (current.st_dev != own.st_dev || current.st_ino != own.st_ino) {
                return true
            }
            usleep(pause)
            pause = min(pause * 2, 10_000)
        }
        return false
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
        let state = hookState(of: record, status: status)
        for (index, hook) in hooks.enumerated() {
            do {
                try HookRunner.run(hook, kind: kind, index: index, state: state)
            } catch {
                log.warning(error.summary)
            }
        }
    }
}
