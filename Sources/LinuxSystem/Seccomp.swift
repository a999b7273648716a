import CBerth
import Glibc

/// libseccomp, typed: what the parent needs to compile a filter. The
/// values are libseccomp's and the kernel's, pinned by `_Static_assert`s in
/// CBerth/seccomp.c. Compiling allocates, so it happens in berth before the
/// clone; the init only loads the bytes (`SystemCalls.loadSeccompFilter`).
public enum Seccomp {
    /// The size of one BPF instruction (struct sock_filter).
    public static let instructionSize = Int(BERTH_SECCOMP_INSTRUCTION_SIZE)
    /// The kernel's limit on a filter's length (BPF_MAXINSNS).
    public static let maxInstructions = Int(BERTH_SECCOMP_MAX_INSTRUCTIONS)

    /// libseccomp's token for an architecture name such as "SCMP_ARCH_X86_64",
    /// or nil when this libseccomp does not know it.
    public static func architectureToken(_ name: String) -> UInt32? {
        let token = berth_seccomp_arch_token(name)
        return token == 0 ? nil : token
    }

    /// The system call's number on the native architecture, or nil when
    /// this libseccomp does not know the name.
    public static func syscallNumber(_ name: String) -> Int32? {
        let number = berth_seccomp_syscall_number(name)
        return number == -1 /* __NR_SCMP_ERROR */ ? nil : number
    }

    /// The system call's number on the architecture `token` (x32 numbers
    /// carry `x32SyscallBit`), or nil when that architecture has no such
    /// call, or only a pseudo number of libseccomp's.
    public static func syscallNumber(_ name: String, on token: UInt32) -> UInt32? {
        let number = berth_seccomp_syscall_number_on(token, name)
        return number < 0 ? nil : UInt32(number)
    }

    /// libseccomp's token of the architecture berth runs on.
    public static var nativeArchitecture: UInt32 { berth_seccomp_arch_native() }

    public static let x86_64Architecture = BERTH_SECCOMP_ARCH_X86_64
    public static let x32Architecture = BERTH_SECCOMP_ARCH_X32
    public static let s390Architectures: Set<UInt32> = [BERTH_SECCOMP_ARCH_S390, BERTH_SECCOMP_ARCH_S390X]
    /// Set in the number of every x32 system call.
    public static let x32SyscallBit = BERTH_SECCOMP_X32_SYSCALL_BIT

    /// The value the kernel puts in seccomp_data.arch for calls of the
    /// architecture `token`: the token itself except for x32, whose calls
    /// arrive as x86_64's.
    public static func auditArchitecture(_ token: UInt32) -> UInt32 {
        token == x32Architecture ? BERTH_SECCOMP_AUDIT_ARCH_X86_64 : token
    }

    /// The libseccomp the binary runs against, "major.minor.micro".
    public static var libraryVersion: String {
        var major: UInt32 = 0, minor: UInt32 = 0, micro: UInt32 = 0
        berth_libseccomp_version(&major, &minor, &micro)
        return "\(major).\(minor).\(micro)"
    }
}

/// A filter's action with its data (SECCOMP_RET_*).
@frozen public struct SeccompAction: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt32
    @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }

    @inlinable public static var killProcess: SeccompAction { SeccompAction(rawValue: BERTH_SECCOMP_ACT_KILL_PROCESS) }
    @inlinable public static var killThread: SeccompAction { SeccompAction(rawValue: BERTH_SECCOMP_ACT_KILL_THREAD) }
    @inlinable public static var trap: SeccompAction { SeccompAction(rawValue: BERTH_SECCOMP_ACT_TRAP) }
    @inlinable public static var notify: SeccompAction { SeccompAction(rawValue: BERTH_SECCOMP_ACT_NOTIFY) }
    @inlinable public static var log: SeccompAction { SeccompAction(rawValue: BERTH_SECCOMP_ACT_LOG) }
    @inlinable public static var allow: SeccompAction { SeccompAction(rawValue: BERTH_SECCOMP_ACT_ALLOW) }
    /// The kernel keeps 16 bits of data with the action (SECCOMP_RET_DATA).
    public static func errno(_ code: UInt16) -> SeccompAction { SeccompAction(rawValue: berth_seccomp_action_errno(code)) }
    public static func trace(_ message: UInt16) -> SeccompAction { SeccompAction(rawValue: berth_seccomp_action_trace(message)) }
}

/// A comparison of one system call argument (enum scmp_compare).
public enum SeccompComparison: UInt32, Sendable, CaseIterable {
    case notEqual = 1, lessThan, lessOrEqual, equal, greaterOrEqual, greaterThan
    /// (argument & value) == valueTwo.
    case maskedEqual
}

/// One condition of a rule.
public struct SeccompCondition: Sendable, Equatable {
    public var index: UInt32
    public var comparison: SeccompComparison
    public var value: UInt64
    public var valueTwo: UInt64

    public init(index: UInt32, comparison: SeccompComparison, value: UInt64, valueTwo: UInt64) {
        self.index = index
        self.comparison = comparison
        self.value = value
        self.valueTwo = valueTwo
    }
}

/// seccomp(SECCOMP_SET_MODE_FILTER) flags (SECCOMP_FILTER_FLAG_*).
@frozen public struct SeccompFilterFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }

    @inlinable public static var threadSync: SeccompFilterFlags { SeccompFilterFlags(rawValue: BERTH_SECCOMP_FILTER_FLAG_TSYNC) }
    @inlinable public static var log: SeccompFilterFlags { SeccompFilterFlags(rawValue: BERTH_SECCOMP_FILTER_FLAG_LOG) }
    @inlinable public static var speculationAllowed: SeccompFilterFlags { SeccompFilterFlags(rawValue: BERTH_SECCOMP_FILTER_FLAG_SPEC_ALLOW) }
    @inlinable public static var newListener: SeccompFilterFlags { SeccompFilterFlags(rawValue: BERTH_SECCOMP_FILTER_FLAG_NEW_LISTENER) }
    @inlinable public static var threadSyncESRCH: SeccompFilterFlags { SeccompFilterFlags(rawValue: BERTH_SECCOMP_FILTER_FLAG_TSYNC_ESRCH) }
    @inlinable public static var waitKillableReceive: SeccompFilterFlags { SeccompFilterFlags(rawValue: BERTH_SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) }
}

/// A libseccomp filter context being filled in, then exported as BPF.
public final class SeccompFilterBuilder {
    private let context: UnsafeMutableRawPointer

    public init(defaultAction: SeccompAction) throws(Errno) {
        guard let context = berth_seccomp_new(defaultAction.rawValue) else { throw Errno.current }
        self.context = context
    }

    deinit { berth_seccomp_release(context) }

    public func addArchitecture(_ token: UInt32) throws(Errno) {
        if berth_seccomp_add_arch(context, token) != 0 { throw Errno.current }
    }

    public func addRule(_ action: SeccompAction, syscall: Int32, conditions: [SeccompCondition]) throws(Errno) {
        let raw = conditions.map {
            berth_seccomp_condition(index: $0.index, op: $0.comparison.rawValue, value: $0.value, value_two: $0.valueTwo)
        }
        let result = raw.withUnsafeBufferPointer {
            berth_seccomp_add_rule(context, action.rawValue, syscall, UInt32($0.count), $0.baseAddress)
        }
        if result != 0 { throw Errno.current }
    }

    /// The program as `struct sock_filter` instructions.
    public func export() throws(Errno) -> [UInt8] {
        var bytes: UnsafeMutablePointer<UInt8>?
        var length = 0
        guard berth_seccomp_export(context, &bytes, &length) == 0, let bytes else { throw Errno.current }
        defer { free(bytes) }
        return Array(UnsafeBufferPointer(start: bytes, count: length))
    }
}

/// What the build stamped into the binary.
public enum BuildInfo {
    /// The git commit the Makefile passed (-DBERTH_COMMIT), or "unknown".
    public static var commit: String { String(cString: berth_commit()) }
}
