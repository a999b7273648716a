import Glibc
import LinuxSystem

/// A few BPF instructions berth puts in front of libseccomp's program so
/// that a system call newer than the profile fails with ENOSYS instead of
/// the default action (what runc's patchbpf does).
///
/// Why: a profile lists the calls it knows; a call added to the kernel
/// later (clone3, faccessat2, openat2, …) then meets the default action,
/// typically EPERM, and glibc and others only fall back to an older call on
/// ENOSYS. Neither the profile nor libseccomp says which calls are newer, so
/// "newer" is runc's rule: a number above the highest the profile names on
/// that architecture (whatever their actions). A call the profile names
/// keeps its rule, and an older unnamed one the default action. Numbers the
/// architecture does not have at all are above the highest as well.
///
/// The stub is left out when the default action lets calls through (allow,
/// log, trace: a tracer handles new calls itself) or already is ENOSYS.
struct SeccompEnosysStub {
    /// One classic BPF instruction (struct sock_filter).
    struct Instruction: Equatable {
        var code: UInt16
        var jumpIfTrue: UInt8 = 0
        var jumpIfFalse: UInt8 = 0
        var value: UInt32 = 0
    }

    /// The highest system call number the profile names, per mode of an
    /// architecture as the kernel reports it (seccomp_data.arch).
    struct Limits: Equatable {
        var auditArchitecture: UInt32
        var highest: UInt32?
        /// x86_64 only: the highest x32 number (with the x32 bit).
        var highestX32: UInt32?
        var multiplexesOnZero: Bool
    }

    /// The stub's instructions for `limits`, or an empty array; each
    /// section falls through into the filter, which starts after the stub.
    static func instructions(for limits: [Limits]) -> [Instruction] {
        let sections = limits.map(section)
        guard !sections.isEmpty else { return [] }
        // ld arch; one jeq per architecture; ja filter; the sections.
        let headerLength = 1 + sections.count + 1
        let length = headerLength + sections.reduce(0) { $0 + $1.count }
        var program: [Instruction] = [load(offset: 4)]
        var sectionStart = headerLength
        for (limit, section) in zip(limits, sections) {
            let jump = sectionStart - (program.count + 1)
            // At most about 20 architectures of a few instructions each: far
            // below the 255 a conditional jump reaches; stay safe regardless.
            guard jump <= 255 else { return [] }
            program.append(Instruction(code: jumpEqual, jumpIfTrue: UInt8(jump), value: limit.auditArchitecture))
            sectionStart += section.count
        }
        program.append(jumpAlways(to: length, from: program.count))
        for section in sections {
            let base = program.count
            // The last instruction of a section jumps to the filter.
            program += section.dropLast()
            program.append(jumpAlways(to: length, from: base + section.count - 1))
        }
        return program
    }

    /// The limits of a profile with these architectures (libseccomp tokens,
    /// the native one included by the caller) and system call names. An
    /// architecture none of whose names exists is left out: with no highest
    /// number, every call would be "newer".
    static func limits(architectures: [UInt32], names: [String]) -> [Limits] {
        var result: [Limits] = []
        for token in architectures {
            let highest = names.compactMap { Seccomp.syscallNumber($0, on: token) }.max()
            let audit = Seccomp.auditArchitecture(token)
            let index = result.firstIndex { $0.auditArchitecture == audit } ?? {
                result.append(Limits(auditArchitecture: audit, multiplexesOnZero: Seccomp.s390Architectures.contains(token)))
                return result.count - 1
            }()
            if token == Seccomp.x32Architecture {
                result[index].highestX32 = highest
            } else {
                result[index].highest = highest
            }
        }
        return result.filter { $0.highest != nil || $0.highestX32 != nil }
    }

    /// The stub as bytes, in the host's byte order as the kernel reads them.
    static func encode(_ program: [Instruction]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(program.count * 8)
        for instruction in program {
            withUnsafeBytes(of: instruction.code) { bytes += $0 }
            bytes.append(instruction.jumpIfTrue)
            bytes.append(instruction.jumpIfFalse)
            withUnsafeBytes(of: instruction.value) { bytes += $0 }
        }
        return bytes
    }

    // MARK: Sections

    /// One architecture's checks, ending in a placeholder that `instructions`
    /// turns into the jump to the filter:
    ///
    ///     ld nr
    ///     [jset x32bit  → the x32 check, or → filter when only one mode]
    ///     [jeq 0 → ENOSYS]                 (s390: unknown large numbers)
    ///     jgt highest → ENOSYS, else → filter
    ///     ret ENOSYS
    ///     ja filter
    private static func section(_ limits: Limits) -> [Instruction] {
        var checks: [Instruction] = []
        if limits.multiplexesOnZero {
            checks.append(Instruction(code: jumpEqual, value: 0))
        }
        let isX86_64 = limits.auditArchitecture == Seccomp.auditArchitecture(Seccomp.x86_64Architecture)
        switch (limits.highest, limits.highestX32) {
        case (let highest?, let highestX32?) where isX86_64:
            // jset bit → x32's jgt; the 64-bit jgt; the x32 jgt.
            checks.append(Instruction(code: jumpSet, jumpIfTrue: 1, value: Seccomp.x32SyscallBit))
            checks.append(Instruction(code: jumpGreater, value: highest))
            checks.append(Instruction(code: jumpGreater, value: highestX32))
        case (let highest?, nil) where isX86_64:
            // An x32 call goes to the filter, which refuses it as another
            // architecture.
            checks.append(Instruction(code: jumpSet, value: Seccomp.x32SyscallBit))
            checks.append(Instruction(code: jumpGreater, value: highest))
        case (nil, let highestX32?):
            checks.append(Instruction(code: jumpSetInverted, value: Seccomp.x32SyscallBit))
            checks.append(Instruction(code: jumpGreater, value: highestX32))
        case (let highest?, _):
            checks.append(Instruction(code: jumpGreater, value: highest))
        case (nil, nil):
            return []
        }
        return resolveJumps([load(offset: 0)] + checks)
    }

    /// Points the conditional jumps of a section: a "greater" or s390's
    /// "equal zero" goes to `ret ENOSYS` when true; a failed "greater" goes
    /// to the filter; a `jset` skips to the x32 check (or to the filter, when
    /// the section has only one mode).
    private static func resolveJumps(_ checks: [Instruction]) -> [Instruction] {
        var section = checks
        let enosys = section.count
        let filter = enosys + 1
        for index in section.indices {
            let next = index + 1
            switch section[index].code {
            case jumpEqual:
                section[index].jumpIfTrue = UInt8(enosys - next)
            case jumpGreater:
                section[index].jumpIfTrue = UInt8(enosys - next)
                section[index].jumpIfFalse = UInt8(filter - next)
            case jumpSet where section[index].jumpIfTrue == 1:
                break  // to the x32 check, two modes
            case jumpSet:
                section[index].jumpIfTrue = UInt8(filter - next)
            case jumpSetInverted:
                section[index].code = jumpSet
                section[index].jumpIfFalse = UInt8(filter - next)
            default:
                break
            }
        }
        section.append(Instruction(code: returnConstant, value: SeccompAction.errno(UInt16(ENOSYS)).rawValue))
        section.append(Instruction(code: jumpAlwaysCode))  // becomes `ja filter`
        return section
    }

    // MARK: Encoding (<linux/filter.h>, <linux/bpf_common.h>)

    static let loadWordAbsolute: UInt16 = 0x20  // BPF_LD | BPF_W | BPF_ABS
    static let jumpAlwaysCode: UInt16 = 0x05    // BPF_JMP | BPF_JA
    static let jumpEqual: UInt16 = 0x15         // BPF_JMP | BPF_JEQ | BPF_K
    static let jumpGreater: UInt16 = 0x25       // BPF_JMP | BPF_JGT | BPF_K
    static let jumpSet: UInt16 = 0x45           // BPF_JMP | BPF_JSET | BPF_K
    static let returnConstant: UInt16 = 0x06    // BPF_RET | BPF_K
    /// Not an opcode: a jset whose false branch goes to the filter, until
    /// resolveJumps encodes it.
    private static let jumpSetInverted: UInt16 = 0xffff

    /// `ld [offset]` of struct seccomp_data: 0 is nr, 4 is arch.
    static func load(offset: UInt32) -> Instruction { Instruction(code: loadWordAbsolute, value: offset) }

    static func jumpAlways(to target: Int, from index: Int) -> Instruction {
        Instruction(code: jumpAlwaysCode, value: UInt32(target - (index + 1)))
    }
}
