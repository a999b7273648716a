import Glibc
import LinuxSystem
import OCI

/// A `linux.seccomp` filter compiled to classic BPF.
///
/// It is compiled in the parent with libseccomp (`compile`), where every
/// problem can be reported with its JSON path, and the container's init only
/// hands the bytes to the kernel (`load`): no libseccomp, no allocation
/// between clone and execve.
public struct SeccompProgram: Sendable, Equatable {
    /// The program: `struct sock_filter` instructions of 8 bytes each.
    public var filter: [UInt8]
    /// The `seccomp(SECCOMP_SET_MODE_FILTER)` flags, NEW_LISTENER included
    /// when a rule notifies.
    public var flags: SeccompFilterFlags
    /// A rule uses `SCMP_ACT_NOTIFY`: loading returns a listener fd that must
    /// go to `linux.seccomp.listenerPath`.
    public var usesNotify: Bool
    /// System call names this libseccomp does not know, left out of the
    /// filter as runc does (a profile may name calls newer than the library);
    /// worth a debug line, not an error.
    public var skippedSyscalls: [String]

    public init(filter: [UInt8], flags: SeccompFilterFlags, usesNotify: Bool, skippedSyscalls: [String]) {
        self.filter = filter
        self.flags = flags
        self.usesNotify = usesNotify
        self.skippedSyscalls = skippedSyscalls
    }

    /// The number of BPF instructions.
    public var instructionCount: Int { filter.count / Seccomp.instructionSize }
}

// MARK: - Loading (the container's init)

extension SeccompProgram {
    /// Installs the filter on the calling process. Returns the notify
    /// listener fd (close-on-exec) when `usesNotify`, else nil.
    ///
    /// Needs no_new_privs, or CAP_SYS_ADMIN in the process's user namespace.
    /// Every system call after this one passes through the filter, so call it
    /// as late as possible before execve. Async-signal-safe: one system call
    /// on the array's existing storage.
    public func load(through system: any SystemCalls) throws(Errno) -> Int32? {
        try system.loadSeccompFilter(filter, flags: flags.rawValue)
    }
}

// MARK: - Compiling (the parent)

extension SeccompProgram {
    /// Compiles `seccomp` (found at `path` in config.json). Reports every
    /// problem at once, each with its JSON path, e.g.
    /// `linux.seccomp.syscalls[3].action: unknown action "SCMP_ACT_FOO"`.
    public static func compile(_ seccomp: LinuxSeccomp, path: String = "linux.seccomp") throws(RuntimeError) -> SeccompProgram {
        var problems: [ConfigProblem] = []
        guard let program = compile(seccomp, at: path, problems: &problems) else {
            throw RuntimeError(.invalidConfig, "compile seccomp filter \(path): \(problems.count) problem(s)",
                               details: problems.map(\.description))
        }
        return program
    }

    /// The same, adding each problem to `problems` as it is (the launch
    /// plan gathers them with the rest of the config's).
    static func compile(_ seccomp: LinuxSeccomp, at path: String, problems: inout [ConfigProblem]) -> SeccompProgram? {
        var compiler = Compiler()
        let program = compiler.compile(seccomp, at: path)
        problems += compiler.problems
        return compiler.problems.isEmpty ? program : nil
    }
}

/// One compilation: translates the config's names into libseccomp's values,
/// collecting every problem, then builds and exports the filter.
private struct Compiler {
    var problems: [ConfigProblem] = []

    /// A rule ready for libseccomp: one system call, one action, conditions
    /// that all must hold.
    struct Rule {
        var path: String
        var name: String
        var syscall: Int32
        var action: SeccompAction
        var conditions: [SeccompCondition]
    }

    mutating func report(_ path: String, _ message: String) {
        problems.append(ConfigProblem(path: path, message: message))
    }

    /// The path of an array element, `base[index]`.
    func element(_ base: String, _ index: Int) -> String { "\(base)[\(index)]" }

    mutating func compile(_ seccomp: LinuxSeccomp, at base: String) -> SeccompProgram? {
        let defaultAction = action(
            seccomp.defaultAction, errnoRet: seccomp.defaultErrnoRet,
            at: base + ".defaultAction", errnoPath: base + ".defaultErrnoRet")
        if seccomp.defaultAction == SeccompActionName.notify.rawValue {
            // Every later call of the init — the one that hands the listener
            // fd over included — would wait for an agent that has no fd yet.
            report(base + ".defaultAction", "SCMP_ACT_NOTIFY cannot be the default action")
        }
        let architectures = architectures(seccomp.architectures ?? [], at: base + ".architectures")
        var flags = filterFlags(seccomp.flags ?? [], at: base + ".flags")
        var skipped: [String] = []
        let rules = rules(seccomp.syscalls ?? [], at: base + ".syscalls", defaultAction: defaultAction, skipped: &skipped)
        guard problems.isEmpty, let defaultAction else { return nil }

        let stub = enosysStub(seccomp, defaultAction: defaultAction, architectures: architectures)
        guard let filter = build(defaultAction: defaultAction, architectures: architectures, rules: rules,
                                 stub: stub, at: base) else {
            return nil
        }
        let usesNotify = rules.contains { $0.action == .notify }
        if usesNotify {
            flags.insert(.newListener)
            // The kernel refuses TSYNC with NEW_LISTENER unless TSYNC_ESRCH
            // says how a failed sync is reported (libseccomp does the same).
            if flags.contains(.threadSync) { flags.insert(.threadSyncESRCH) }
        } else {
            // WAIT_KILLABLE_RECV is about notifications only, and the kernel
            // rejects it without NEW_LISTENER; libseccomp 2.6 drops it too.
            flags.remove(.waitKillableReceive)
        }
        return SeccompProgram(filter: filter, flags: flags, usesNotify: usesNotify, skippedSyscalls: skipped)
    }

    // MARK: Translating names

    /// libseccomp's value of an action, with `errnoRet` (EPERM when absent,
    /// as runc does) for the two actions that carry one.
    mutating func action(_ name: String, errnoRet: UInt32?, at path: String, errnoPath: String) -> SeccompAction? {
        guard let known = SeccompActionName(rawValue: name) else {
            report(path, "unknown action \"\(name)\"")
            return nil
        }
        let value: SeccompAction
        switch known {
        case .kill, .killThread: value = .killThread
        case .killProcess: value = .killProcess
        case .trap: value = .trap
        case .allow: value = .allow
        case .log: value = .log
        case .notify: value = .notify
        case .errno, .trace:
            // The kernel keeps 16 bits of data with the action (SECCOMP_RET_DATA).
            let code = errnoRet ?? UInt32(EPERM)
            guard let data = UInt16(exactly: code) else {
                report(errnoPath, "\(code) does not fit in 16 bits")
                return nil
            }
            return known == .errno ? .errno(data) : .trace(data)
        }
        if errnoRet != nil {
            report(errnoPath, "only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not \(name)")
            return nil
        }
        return value
    }

    mutating func architectures(_ names: [String], at path: String) -> [UInt32] {
        names.enumerated().compactMap { index, name in
            guard let token = Seccomp.architectureToken(name) else {
                report(element(path, index), "architecture \"\(name)\" is not supported by libseccomp \(BerthVersion.libseccomp)")
                return nil
            }
            return token
        }
    }

    mutating func filterFlags(_ names: [String], at path: String) -> SeccompFilterFlags {
        var flags: SeccompFilterFlags = []
        for (index, name) in names.enumerated() {
            switch SeccompFlagName(rawValue: name) {
            case .threadSync?: flags.insert(.threadSync)
            case .log?: flags.insert(.log)
            case .speculationAllowed?: flags.insert(.speculationAllowed)
            case .waitKillableReceive?: flags.insert(.waitKillableReceive)
            case nil: report(element(path, index), "unknown flag \"\(name)\"")
            }
        }
        return flags
    }

    mutating func comparison(_ name: String, at path: String) -> SeccompComparison? {
        switch SeccompOperatorName(rawValue: name) {
        case .notEqual?: return .notEqual
        case .lessThan?: return .lessThan
        case .lessOrEqual?: return .lessOrEqual
        case .equal?: return .equal
        case .greaterOrEqual?: return .greaterOrEqual
        case .greaterThan?: return .greaterThan
        case .maskedEqual?: return .maskedEqual
        case nil:
            report(path, "unknown operator \"\(name)\"")
            return nil
        }
    }

    mutating func conditions(_ args: [LinuxSeccompArg], at path: String) -> [SeccompCondition] {
        args.enumerated().compactMap { index, arg in
            let argPath = element(path, index)
            let op = comparison(arg.op, at: argPath + ".op")
            guard arg.index <= 5 else {
                report(argPath + ".index", "\(arg.index) is not a system call argument (0 to 5)")
                return nil
            }
            guard let op else { return nil }
            // MASKED_EQ reads (argument & value) == valueTwo; the other
            // operators ignore value_two.
            return SeccompCondition(index: arg.index, comparison: op, value: arg.value, valueTwo: arg.valueTwo ?? 0)
        }
    }

    /// One `Rule` per system call name and condition group. Rules with the
    /// default action are dropped: libseccomp refuses them (EACCES) and they
    /// change nothing, so runc skips them too (opencontainers/runc#3109).
    /// Actions are compared as values, so ERRNO with errnoRet 1 equals a
    /// default ERRNO without one.
    mutating func rules(_ syscalls: [LinuxSyscall], at path: String, defaultAction: SeccompAction?, skipped: inout [String]) -> [Rule] {
        var rules: [Rule] = []
        for (index, syscall) in syscalls.enumerated() {
            let rulePath = element(path, index)
            let action = action(syscall.action, errnoRet: syscall.errnoRet, at: rulePath + ".action", errnoPath: rulePath + ".errnoRet")
            let conditions = conditions(syscall.args ?? [], at: rulePath + ".args")
            guard let action, action != defaultAction else { continue }
            for (nameIndex, name) in syscall.names.enumerated() {
                guard let number = Seccomp.syscallNumber(name) else {
                    if !skipped.contains(name) { skipped.append(name) }
                    continue
                }
                for group in Self.conditionGroups(conditions) {
                    rules.append(Rule(path: element(rulePath + ".names", nameIndex), name: name,
                                      syscall: number, action: action, conditions: group))
                }
            }
        }
        return rules
    }

    /// The conditions of one config entry as the groups libseccomp can take.
    ///
    /// libseccomp compares each argument at most once per rule
    /// (seccomp_rule_add(3); two comparisons of one argument fail with
    /// EINVAL). runc then adds every condition of the entry as a rule of its
    /// own, so they combine with OR — conditions on other indices included —
    /// where a list reads as AND (opencontainers/runc#1616, #2735; crun does
    /// the same). Profiles written for runc rely on it (runc#1847 shows one
    /// allowing `personality` for three values of argument 0), so berth keeps
    /// the behaviour.
    static func conditionGroups(_ conditions: [SeccompCondition]) -> [[SeccompCondition]] {
        let indices = conditions.map(\.index)
        let repeatsAnIndex = Set(indices).count != indices.count
        return repeatsAnIndex ? conditions.map { [$0] } : [conditions]
    }

    /// ENOSYS for system calls newer than the profile (SeccompEnosysStub),
    /// on the native architecture, which every filter covers, and the
    /// listed ones.
    func enosysStub(_ seccomp: LinuxSeccomp, defaultAction: SeccompAction, architectures: [UInt32]) -> [UInt8] {
        switch defaultAction {
        case .allow, .log, .errno(UInt16(ENOSYS)): return []
        default:
            // TRACE with any message: a tracer handles calls it does not know.
            if defaultAction.rawValue & 0xffff_0000 == SeccompAction.trace(0).rawValue { return [] }
        }
        let names = (seccomp.syscalls ?? []).flatMap(\.names)
        let limits = SeccompEnosysStub.limits(architectures: [Seccomp.nativeArchitecture] + architectures, names: names)
        return SeccompEnosysStub.encode(SeccompEnosysStub.instructions(for: limits))
    }

    // MARK: Building

    /// Runs libseccomp over the translated config and exports the program.
    mutating func build(defaultAction: SeccompAction, architectures: [UInt32], rules: [Rule], stub: [UInt8],
                        at base: String) -> [UInt8]? {
        let builder: SeccompFilterBuilder
        do {
            builder = try SeccompFilterBuilder(defaultAction: defaultAction)
        } catch {
            report(base + ".defaultAction", "libseccomp refuses it: \(error)")
            return nil
        }
        for (index, token) in architectures.enumerated() {
            do {
                try builder.addArchitecture(token)
            } catch {
                report(element(base + ".architectures", index), "add architecture: \(error)")
            }
        }
        for rule in rules {
            do {
                try builder.addRule(rule.action, syscall: rule.syscall, conditions: rule.conditions)
            } catch {
                report(rule.path, "add rule for \"\(rule.name)\": \(error)")
            }
        }
        guard problems.isEmpty else { return nil }

        let filter: [UInt8]
        do {
            filter = try stub + builder.export()
        } catch {
            report(base, "export the filter: \(error)")
            return nil
        }
        let instructions = filter.count / Seccomp.instructionSize
        if instructions > Seccomp.maxInstructions {
            // Found here rather than as EINVAL in the init, after the clone.
            report(base, "the filter has \(instructions) instructions, more than the kernel's limit of \(Seccomp.maxInstructions)")
            return nil
        }
        return filter
    }
}
