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
        let record = try record(id, allowing: .start).record
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
                try HookRunner.run(hook, kind: "poststart", index: index, state: state,
                                   context: .runtimeNamespace(), system: system)
            } catch {
                try? killAndWait(record)
                throw error
            }
        }
    }

    /// poststart and poststop hooks: a failure is logged, and the operation
    /// goes on.
    func runHooksWarning(_ record: ContainerRecord, kind: String, status: ContainerStatus) {
        guard let hooks = record.hooks?.all.first(where: { $0.name == kind })?.hooks else { return }
        let state = record.state(status, pid: record.pid)
        for (index, hook) in hooks.enumerated() {
            do {
                try HookRunner.run(hook, kind: kind, index: index, state: state,
                                   context: .runtimeNamespace(), system: system)
            } catch {
                log.warning(error.summary)
            }
        }
    }
}
