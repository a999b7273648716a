import Glibc
import LinuxSystem

/// The process's own settings: limits, working directory, executable,
/// terminal, user, capabilities, and finally execve.
extension ProcessInit {
    func applyProcessLimits() throws(RuntimeError) {
        for limit in plan.process.rlimits {
            try attempt("set rlimit \(limit.resource)") { () throws(Errno) in
                try system.setResourceLimit(Int32(limit.resource), soft: limit.soft, hard: limit.hard)
            }
        }
    }

    /// The cwd is created when missing, inside the container's root, and
    /// entered through the descriptor that resolution returned: a path such
    /// as /proc/self/fd/N naming a leaked host directory is refused (no magic
    /// links), and nothing can swap the path between check and use (the
    /// class of CVE-2024-21626).
    func changeToWorkingDirectory() throws(RuntimeError) {
        let cwd = plan.process.cwd
        try attempt("change to working directory \(cwd)") { () throws(Errno) in
            let root = try FileDescriptor.open("/", O_PATH | O_DIRECTORY)
            defer { root.close() }
            let directory = try RootedPath.open(cwd, in: root, create: .directory, flags: O_PATH | O_DIRECTORY)
            defer { directory.close() }
            try system.changeDirectory(to: directory)
        }
    }

    /// Finds args[0] the way execvp would, in the container's root and with
    /// the process's PATH, so that a missing or non-executable program is
    /// reported by `create` with the words runc uses (podman matches them).
    func resolveExecutable() throws(RuntimeError) -> String {
        let name = plan.process.args[0]
        func failure(_ reason: String) -> RuntimeError {
            RuntimeError(.invalidConfig, "exec: \"\(name)\": \(reason)")
        }
        func check(_ path: String) -> Int32 {
            var info = stat()
            if stat(path, &info) != 0 { return errno }
            if (info.st_mode & S_IFMT) == S_IFDIR || info.st_mode & 0o111 == 0 { return EACCES }
            return 0
        }
        if name.contains("/") {
            switch check(name) {
            case 0: return name
            case ENOENT: throw failure("no such file or directory")
            case let code: throw failure(Errno(code).description)
            }
        }
        let path = plan.process.env.last { $0.hasPrefix("PATH=") }.map { String($0.dropFirst(5)) }
            ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        var sawNonExecutable = false
        for directory in path.split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (directory.isEmpty ? "." : String(directory)) + "/" + name
            switch check(candidate) {
            case 0: return candidate
            case EACCES: sawNonExecutable = true
            default: continue
            }
        }
        throw failure(sawNonExecutable ? "permission denied" : "executable file not found in $PATH")
    }

    /// Opens a pty from the container's devpts and hands the master to the
    /// console socket (SCM_RIGHTS), as conmon and containerd's shim expect.
    func openTerminal(in root: FileDescriptor, sendingTo socket: FileDescriptor) throws(RuntimeError) -> FileDescriptor {
        defer { socket.close() }
        return try attempt("set up the terminal") { () throws(Errno) in
            let master = try RootedPath.open("/dev/pts/ptmx", in: root, flags: O_RDWR | O_NOCTTY)
            defer { master.close() }
            let peer = try master.openPtyPeer(flags: O_RDWR | O_NOCTTY)
            try giveTerminalToTheUser(peer)
            if let size = plan.process.consoleSize {
                try peer.setWindowSize(rows: size.rows, columns: size.columns)
            }
            if connections.consoleRelayedByBerth {
                // As runc's relay: the output goes to a terminal or a file
                // that does its own newline handling, so the pty adds no
                // "\r". Done here, before the process can write anything; a
                // manager's console socket gets the kernel's defaults and
                // decides (conmon turns ONLCR on).
                try peer.clearOutputNewlineTranslation()
            }
            try socket.sendDescriptor(master.rawValue, payload: Array("/dev/ptmx".utf8))
            return peer
        }
    }

    /// The pty was made by root: the process's user must own it to use it
    /// (write to it, change its modes) once it is no longer root. The group
    /// is left as devpts made it (`gid=5`, tty, in the usual config), as
    /// runc does. In a user namespace the owner may be unmapped (EINVAL,
    /// EPERM): then the pty keeps its owner, as with runc.
    func giveTerminalToTheUser(_ peer: FileDescriptor) throws(Errno) {
        do {
            try system.changeOwner(of: peer, uid: plan.process.uid, gid: gid_t.max)
        } catch where error.rawValue == EINVAL || error.rawValue == EPERM {}
    }

    /// A new session whose controlling terminal is the pty, on stdio.
    func makeControllingTerminal(_ terminal: FileDescriptor) throws(RuntimeError) {
        try attempt("make the pty the controlling terminal") { () throws(Errno) in
            try system.createSession()
            try system.setControllingTerminal(terminal)
            for target: Int32 in 0...2 {
                try system.duplicate(terminal, as: target)
            }
            terminal.close()
        }
    }

    /// Scheduling, user, groups, capabilities, no_new_privs, umask, labels:
    /// done before the init reports ready, so a setting the kernel refuses
    /// fails `create` (as with runc) rather than a silent `start`.
    /// Capabilities are kept across the uid change (PR_SET_KEEPCAPS) and
    /// then set exactly to the config's sets. The order is the one security
    /// rests on, and a unit test holds it (ContainerInitPrivilegeTests).
    func dropPrivileges(_ prepared: PreparedProcess) throws(RuntimeError) {
        let process = plan.process
        let capabilities = process.capabilities
        try applyScheduling()
        try attempt("drop capabilities from the bounding set") { () throws(Errno) in
            for capability in 0...process.lastCapability where !capabilities.bounding.hasBit(capability) {
                try system.dropFromBoundingSet(capability)
            }
        }
        try attempt("keep capabilities across the user change") { () throws(Errno) in
            try system.setKeepCapabilities(true)
        }
        if !process.noNewPrivileges {
            // Without no_new_privs loading needs CAP_SYS_ADMIN, which the
            // user change below gives up (runc's order): the profile must
            // then allow the calls that follow.
            try loadSeccomp(prepared)
        }
        if process.additionalGids.isEmpty && !ProcFS.setgroupsAllowed() {
            // A joined user namespace that denies setgroups: the process
            // keeps the groups it has there, as with runc, since the config
            // asks for none.
        } else {
            try attempt("set groups \(process.additionalGids)") { () throws(Errno) in
                try system.setGroups(process.additionalGids)
            }
        }
        try attempt("set gid \(process.gid)") { () throws(Errno) in try system.setGroupID(process.gid) }
        try attempt("set uid \(process.uid)") { () throws(Errno) in try system.setUserID(process.uid) }
        try attempt("set capabilities") { () throws(Errno) in
            try system.setCapabilities(effective: capabilities.effective, permitted: capabilities.permitted,
                                       inheritable: capabilities.inheritable)
            try system.setKeepCapabilities(false)
        }
        try attempt("raise ambient capabilities") { () throws(Errno) in
            for capability in 0...process.lastCapability where capabilities.ambient.hasBit(capability) {
                try system.raiseAmbientCapability(capability)
            }
        }
        if process.noNewPrivileges {
            try attempt("set no_new_privs") { () throws(Errno) in try system.setNoNewPrivileges() }
        }
        system.setUmask(process.umask ?? 0o022)
        try applySecurityLabels()
    }

    /// The steps after which only the startContainer hooks (for the
    /// container's init) and execve come: the final CPU affinity, the
    /// descriptor sweep, and with no_new_privs the seccomp filter, as late
    /// as it can be. Like runc, berth runs the startContainer hooks under
    /// the filter whether or not no_new_privs is set: without it the filter
    /// was loaded with the privileges (see dropPrivileges). Returns the
    /// exec helper's report argument (see execHelperReport).
    func confine(_ prepared: PreparedProcess) throws(RuntimeError) -> String {
        let process = plan.process
        system.unblockAllSignals()
        try setAffinity(process.tuning.finalAffinity, "final")

        // Only stdio and the --preserve-fds descriptors reach the process.
        // Kept until execve, and closed by it (all close-on-exec): the exec
        // helper, the start-error file, the seccomp agent's socket (until
        // the notify fd is sent).
        let firstClosed = 3 + Int32(plan.preserveFds)
        try attempt("keep the preserved descriptors open") { () throws(Errno) in
            for fd in 3..<firstClosed { try system.keepOpenAcrossExec(fd) }
        }
        var kept = [connections.execHelper?.rawValue, startError.rawValue >= 0 ? startError.rawValue : nil]
            + prepared.keptUntilExec.map { Optional($0) }
        if process.noNewPrivileges { kept.append(prepared.seccompListener?.rawValue) }
        system.closeDescriptors(from: firstClosed, keeping: kept.compactMap { $0 })
        let report = try execHelperReport(prepared)
        if process.noNewPrivileges {
            // Every call after this one is filtered.
            try loadSeccomp(prepared)
        }
        return report
    }

    /// The user's program, once `confine` has run and returned `report`.
    func execute(_ prepared: PreparedProcess, report: String) throws(RuntimeError) -> Never {
        let executable = prepared.executable
        // Through the sealed exec helper: see ExecHelper.
        guard let helper = connections.execHelper else {
            throw RuntimeError(.system, "exec \(executable): no exec helper")
        }
        let failure = system.execute(helper, arguments: ["berth-exec-helper", report, executable] + plan.process.args,
                                     environment: prepared.environment ?? plan.process.env)
        throw RuntimeError.system("exec \(executable) through the exec helper", failure)
    }
}

extension ProcessInit {
    /// Where the exec helper reports a failed execve of the user's program
    /// (its first argument, see helpers/exec-helper.c): `berth exec`'s
    /// socket, else `create`'s start-error file, else only stderr. The
    /// descriptor must outlive the helper's own execve; the helper makes it
    /// close-on-exec again before the user's program.
    func execHelperReport(_ prepared: PreparedProcess) throws(RuntimeError) -> String {
        let (kind, fd): (String, Int32) = prepared.reportsExecFailureOnSocket
            ? ("s", socket.descriptor.rawValue) : ("f", startError.rawValue)
        guard fd >= 0 else { return "-" }
        try attempt("keep the exec helper's report descriptor open") { () throws(Errno) in
            try system.keepOpenAcrossExec(fd)
        }
        return kind + String(fd)
    }
}

private extension UInt64 {
    /// Bit `capability` of a capability mask.
    func hasBit(_ capability: Int) -> Bool { capability < 64 && self & (1 << UInt64(capability)) != 0 }
}
