import Glibc
import LinuxSystem
import OCI

/// One entry of the allow list, validated: `type` is a, c or b; nil
/// numbers match any; `access` is a non-empty subset of "rwm" in that
/// order.
public struct DeviceRule: Sendable, Equatable, CustomStringConvertible {
    public var allow: Bool
    public var type: Character
    public var major: Int64?
    public var minor: Int64?
    public var access: String

    public init(allow: Bool, type: Character, major: Int64? = nil, minor: Int64? = nil, access: String = "rwm") {
        self.allow = allow
        self.type = type
        self.major = major
        self.minor = minor
        self.access = access
    }

    /// cgroup v1's notation, e.g. "allow c 136:* rwm".
    public var description: String {
        "\(allow ? "allow" : "deny") \(type) \(major.map(String.init) ?? "*"):\(minor.map(String.init) ?? "*") \(access)"
    }
}

/// The cgroup v2 device controller: `linux.resources.devices` compiled into
/// an eBPF program of type BPF_PROG_TYPE_CGROUP_DEVICE and attached to the
/// container's cgroup. The kernel runs it on every open and mknod of a
/// device node by a process in the cgroup; returning 0 fails that call with
/// EPERM.
///
/// Rules are evaluated last-match-wins, as cgroup v1's devices.allow and
/// devices.deny behave when written in order, and *per access bit*: an
/// open(O_RDWR) asks for read and write at once, and is allowed only when,
/// for each of the two, the last rule that matches the device and names that
/// bit allows it. (Matching a rule only when it covers every requested bit
/// would let `allow c 1:3 rwm, deny c 1:3 w` open /dev/null read-write: the
/// deny covers "w" but not "rw", so the allow behind it would decide.)
/// Anything no rule decides is denied.
public enum DeviceFilter {
    /// The config's rules in order, or a problem for each bad field. An
    /// absent type means "a", an absent or empty access "rwm", and an absent
    /// or -1 number any device.
    public static func rules(from devices: [LinuxDeviceCgroup]) -> (rules: [DeviceRule], problems: [ConfigProblem]) {
        var rules: [DeviceRule] = []
        var problems: [ConfigProblem] = []
        for (index, device) in devices.enumerated() {
            let path = "linux.resources.devices[\(index)]."
            let count = problems.count
            let type = device.type ?? "a"
            if !["a", "c", "b"].contains(type) {
                problems.append(ConfigProblem(path: path + "type", message: "unknown device type \"\(type)\" (want a, c or b)"))
            }
            let access = device.access ?? ""
            if let problem = LinuxDeviceCgroup.accessProblem(access) {
                problems.append(ConfigProblem(path: path + "access", message: problem))
            }
            let major = number(device.major, path: path + "major", problems: &problems)
            let minor = number(device.minor, path: path + "minor", problems: &problems)
            guard problems.count == count else { continue }
            rules.append(DeviceRule(allow: device.allow, type: Character(type), major: major, minor: minor,
                                    access: access.isEmpty ? "rwm" : "rwm".filter { access.contains($0) }))
        }
        return (rules, problems)
    }

    /// The kernel hands the program 32-bit numbers, so larger ones could
    /// never match.
    private static func number(_ value: Int64?, path: String, problems: inout [ConfigProblem]) -> Int64? {
        guard let value, value != -1 else { return nil }
        if !(0...Int64(UInt32.max)).contains(value) {
            problems.append(ConfigProblem(path: path, message: "\(value) is neither -1 (any) nor between 0 and \(UInt32.max)"))
        }
        return value
    }

    /// The devices every container may use whatever its config says,
    /// appended after the config's rules so that they win. This is runc's
    /// `AllowedDevices` (libcontainer/specconv/spec_linux.go): mknod of any
    /// node (creating one grants no access to it), the spec's default devices
    /// (config-linux.md "Default Devices") and the pseudo-terminals.
    /// runc 1.2.0 dropped tun/tap (c 10:200), an accident of Docker's early
    /// days, and 1.2.4 put it back because users relied on it; berth leaves
    /// it out, so a container that needs /dev/net/tun must ask for it.
    public static let defaultAllowed: [DeviceRule] = [
        DeviceRule(allow: true, type: "c", access: "m"),
        DeviceRule(allow: true, type: "b", access: "m"),
        DeviceRule(allow: true, type: "c", major: 1, minor: 3),  // /dev/null
        DeviceRule(allow: true, type: "c", major: 1, minor: 5),  // /dev/zero
        DeviceRule(allow: true, type: "c", major: 1, minor: 7),  // /dev/full
        DeviceRule(allow: true, type: "c", major: 1, minor: 8),  // /dev/random
        DeviceRule(allow: true, type: "c", major: 1, minor: 9),  // /dev/urandom
        DeviceRule(allow: true, type: "c", major: 5, minor: 0),  // /dev/tty
        DeviceRule(allow: true, type: "c", major: 5, minor: 1),  // /dev/console
        DeviceRule(allow: true, type: "c", major: 5, minor: 2),  // /dev/ptmx
        DeviceRule(allow: true, type: "c", major: 136),          // /dev/pts/*
    ]

    /// Loads the program for `rules` and attaches it to `cgroup`, next to
    /// any program already there (BPF_F_ALLOW_MULTI), so a process in the
    /// cgroup gets a device only when every attached program allows it.
    /// Attach before the container's init enters the cgroup: it must never
    /// run unfiltered.
    public static func attach(_ rules: [DeviceRule], to cgroup: Cgroup) throws(CgroupError) {
        let program = try load(program(for: rules))
        defer { program.close() }
        let directory = try cgroup.openDirectory()
        defer { directory.close() }
        do {
            try CgroupDeviceProgram.attach(program, to: directory)
        } catch {
            throw CgroupError("attach the device filter to \(cgroup.path)", errno: error)
        }
    }

    /// The loaded program's fd. A refusal is explained by the verifier's
    /// log, from a second load: asking for the log on every load would slow
    /// it down, and fail it with ENOSPC whenever the log outgrew the buffer.
    static func load(_ instructions: [UInt64]) throws(CgroupError) -> FileDescriptor {
        let failure: Errno
        do {
            var noLog: [CChar] = []
            return try CgroupDeviceProgram.load(instructions, log: &noLog)
        } catch {
            failure = error
        }
        var log = [CChar](repeating: 0, count: 64 * 1024)
        (try? CgroupDeviceProgram.load(instructions, log: &log))?.close()
        // The verdict is at the end, after a line per instruction checked.
        let lines = String(decoding: log.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            .split(separator: "\n").suffix(3)
        throw CgroupError("load the device filter" + (lines.isEmpty ? "" : " (verifier: \(lines.joined(separator: " | ")))"),
                          errno: failure)
    }
}

// MARK: - The program

#if !_endian(little)
#error("DeviceFilter encodes eBPF instructions in little-endian byte order")
#endif

extension DeviceFilter {
    /// The eBPF program for `rules`, one `struct bpf_insn` per element in
    /// its little-endian memory image. Pure, so its shape is unit-tested.
    ///
    /// The rules are emitted last first, each as a block whose failed tests
    /// jump to the next block. w3 holds the requested access bits no later
    /// rule has decided yet: a matching allow clears its bits from w3 and
    /// returns 1 once none is left; a matching deny returns 0 if it names
    /// one of them. What is still undecided after the first rule is denied.
    public static func program(for rules: [DeviceRule]) -> [UInt64] {
        var program: [BPFInstruction] = [
            // struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; },
            // access_type = (BPF_DEVCG_ACC_* << 16) | BPF_DEVCG_DEV_*.
            .loadWord(.r2, from: .r1, offset: 0),
            .loadWord(.r4, from: .r1, offset: 4),
            .loadWord(.r5, from: .r1, offset: 8),
            .move(.r3, .r2),
            .shiftRight(.r3, 16),
            .and(.r2, 0xFFFF),
        ]
        for rule in rules.reversed() {
            program += block(for: rule)
        }
        program += BPFInstruction.return(0)
        return program.map(\.encoded)
    }

    /// BPF_DEVCG_DEV_BLOCK and BPF_DEVCG_DEV_CHAR (<linux/bpf.h>).
    private static func deviceType(_ type: Character) -> Int32? {
        switch type {
        case "b": 1
        case "c": 2
        default: nil
        }
    }

    /// BPF_DEVCG_ACC_MKNOD, _READ and _WRITE (<linux/bpf.h>).
    private static func accessBits(_ access: String) -> Int32 {
        (access.contains("m") ? 1 : 0) | (access.contains("r") ? 2 : 0) | (access.contains("w") ? 4 : 0)
    }

    private static func block(for rule: DeviceRule) -> [BPFInstruction] {
        var block: [BPFInstruction] = []
        if let type = deviceType(rule.type) { block.append(.skipBlockUnlessEqual(.r2, type)) }
        // Validated to 0...UInt32.max. JMP32 (Linux 5.1; berth needs 5.7 for
        // CLONE_INTO_CGROUP anyway) compares 32 bits, where a 64-bit jump
        // would sign-extend the immediate and miss numbers above Int32.max.
        if let major = rule.major { block.append(.skipBlockUnlessEqual(.r4, Int32(truncatingIfNeeded: major))) }
        if let minor = rule.minor { block.append(.skipBlockUnlessEqual(.r5, Int32(truncatingIfNeeded: minor))) }
        let bits = accessBits(rule.access)
        if rule.allow {
            block += [.and(.r3, ~bits), .skipBlockUnlessEqual(.r3, 0)] + BPFInstruction.return(1)
        } else {
            block += [.move(.r1, .r3), .and(.r1, bits), .skipBlockIfEqual(.r1, 0)] + BPFInstruction.return(0)
        }
        // A jump's offset counts from the instruction after it.
        return block.enumerated().map { index, instruction in
            instruction.resolvingBlockEnd(at: block.count - index - 1)
        }
    }
}

/// One eBPF instruction (struct bpf_insn: u8 code; u8 dst_reg:4, src_reg:4;
/// s16 off; s32 imm), and the few kinds the device filter needs. 32-bit ALU
/// results are zero-extended into the 64-bit register.
private struct BPFInstruction {
    enum Register: UInt8 { case r0, r1, r2, r3, r4, r5 }

    var code: UInt8
    var destination: Register
    var source: Register = .r0
    var offset: Int16 = 0
    var immediate: Int32 = 0
    /// A jump to the end of the rule's block, whose offset is not known yet.
    var jumpsToBlockEnd = false

    // BPFInstruction classes, operations and operand sources (<linux/bpf_common.h>, <linux/bpf.h>).
    static let classLoadX: UInt8 = 0x01, classALU32: UInt8 = 0x04, classJump: UInt8 = 0x05
    static let classJump32: UInt8 = 0x06, classALU64: UInt8 = 0x07
    static let sizeWord: UInt8 = 0x00, modeMemory: UInt8 = 0x60
    static let opAnd: UInt8 = 0x50, opShiftRight: UInt8 = 0x70, opMove: UInt8 = 0xb0
    static let opJumpIfEqual: UInt8 = 0x10, opJumpIfNotEqual: UInt8 = 0x50, opExit: UInt8 = 0x90
    static let sourceImmediate: UInt8 = 0x00, sourceRegister: UInt8 = 0x08

    /// dst = *(u32 *)(src + offset)
    static func loadWord(_ destination: Register, from source: Register, offset: Int16) -> BPFInstruction {
        BPFInstruction(code: classLoadX | modeMemory | sizeWord, destination: destination, source: source, offset: offset)
    }
    /// w(dst) = w(src)
    static func move(_ destination: Register, _ source: Register) -> BPFInstruction {
        BPFInstruction(code: classALU32 | opMove | sourceRegister, destination: destination, source: source)
    }
    /// w(dst) >>= bits
    static func shiftRight(_ destination: Register, _ bits: Int32) -> BPFInstruction {
        BPFInstruction(code: classALU32 | opShiftRight | sourceImmediate, destination: destination, immediate: bits)
    }
    /// w(dst) &= mask
    static func and(_ destination: Register, _ mask: Int32) -> BPFInstruction {
        BPFInstruction(code: classALU32 | opAnd | sourceImmediate, destination: destination, immediate: mask)
    }
    /// if w(dst) != value goto end of block
    static func skipBlockUnlessEqual(_ register: Register, _ value: Int32) -> BPFInstruction {
        BPFInstruction(code: classJump32 | opJumpIfNotEqual | sourceImmediate, destination: register,
                    immediate: value, jumpsToBlockEnd: true)
    }
    /// if w(dst) == value goto end of block
    static func skipBlockIfEqual(_ register: Register, _ value: Int32) -> BPFInstruction {
        BPFInstruction(code: classJump32 | opJumpIfEqual | sourceImmediate, destination: register,
                    immediate: value, jumpsToBlockEnd: true)
    }
    /// r0 = value; exit
    static func `return`(_ value: Int32) -> [BPFInstruction] {
        [BPFInstruction(code: classALU64 | opMove | sourceImmediate, destination: .r0, immediate: value),
         BPFInstruction(code: classJump | opExit, destination: .r0)]
    }

    func resolvingBlockEnd(at distance: Int) -> BPFInstruction {
        guard jumpsToBlockEnd else { return self }
        var resolved = self
        resolved.offset = Int16(distance)
        resolved.jumpsToBlockEnd = false
        return resolved
    }

    var encoded: UInt64 {
        UInt64(code)
            | UInt64(source.rawValue << 4 | destination.rawValue) << 8
            | UInt64(UInt16(bitPattern: offset)) << 16
            | UInt64(UInt32(bitPattern: immediate)) << 32
    }
}
