import Glibc
import LinuxSystem
import OCI
import Testing
@testable import Cgroups

@Suite struct DeviceFilterTests {
    // MARK: Rules from the config

    @Test func badFieldsAreProblemsNamedByTheirJSONPath() {
        let devices = [
            LinuxDeviceCgroup(allow: false, access: "rwm"),
            LinuxDeviceCgroup(allow: true, type: "u", major: 1, minor: 3),
            LinuxDeviceCgroup(allow: true, type: "c", access: "rwx"),
            LinuxDeviceCgroup(allow: true, type: "c", major: -2, minor: 4_294_967_296, access: "read"),
            LinuxDeviceCgroup(allow: true, type: "b", major: 8, minor: 0, access: "mwrw"),
            LinuxDeviceCgroup(allow: true, type: "c", major: 1, minor: 3, access: "RW"),
            LinuxDeviceCgroup(allow: true, type: "c", major: 1, minor: 5, access: "r w"),
        ]
        let (rules, problems) = DeviceFilter.rules(from: devices)
        #expect(problems.map(\.description) == [
            "linux.resources.devices[1].type: unknown device type \"u\" (want a, c or b)",
            "linux.resources.devices[2].access: \"rwx\" has an unknown letter \"x\" \(Self.accessWanted)",
            "linux.resources.devices[3].access: \"read\" has unknown letters \"ead\" \(Self.accessWanted)",
            "linux.resources.devices[3].major: -2 is neither -1 (any) nor between 0 and 4294967295",
            "linux.resources.devices[3].minor: 4294967296 is neither -1 (any) nor between 0 and 4294967295",
            "linux.resources.devices[4].access: \"mwrw\" repeats \"w\" \(Self.accessWanted)",
            "linux.resources.devices[5].access: \"RW\" has unknown letters \"RW\" \(Self.accessWanted)",
            "linux.resources.devices[6].access: \"r w\" has an unknown letter \" \" \(Self.accessWanted)",
        ])
        #expect(rules == [DeviceRule(allow: false, type: "a")], "only the valid entry is kept")
    }

    @Test func absentFieldsMeanAnyDeviceAndFullAccess() {
        let devices = [
            LinuxDeviceCgroup(allow: false),
            LinuxDeviceCgroup(allow: true, type: "c", major: 136, minor: -1, access: ""),
            LinuxDeviceCgroup(allow: true, type: "b", major: 8, minor: 0, access: "mwr"),
        ]
        let (rules, problems) = DeviceFilter.rules(from: devices)
        #expect(problems.isEmpty)
        #expect(rules.map(\.description) == ["deny a *:* rwm", "allow c 136:* rwm", "allow b 8:0 rwm"])
    }

    static let accessWanted = "(want r, w and m, each at most once, in any order)"

    /// Every non-empty subset of r, w and m, in every order, is accepted and
    /// means those bits; the same letters with one repeated are refused.
    @Test(arguments: ["r", "w", "m", "rw", "wr", "rm", "mr", "wm", "mw", "rwm", "rmw", "wrm", "wmr", "mrw", "mwr"])
    func anySubsetOfTheAccessLettersInAnyOrderIsAcceptedButNotARepeat(_ access: String) {
        let (rules, problems) = DeviceFilter.rules(from: [LinuxDeviceCgroup(allow: true, type: "c", access: access)])
        #expect(problems.isEmpty)
        #expect(rules.map(\.access) == ["rwm".filter { access.contains($0) }])
        let repeated = access + String(access.first!)
        let refused = DeviceFilter.rules(from: [LinuxDeviceCgroup(allow: true, type: "c", access: repeated)])
        #expect(refused.rules.isEmpty)
        #expect(refused.problems.map(\.description)
            == ["linux.resources.devices[0].access: \"\(repeated)\" repeats \"\(access.first!)\" \(Self.accessWanted)"])
    }

    @Test func theDefaultDevicesAreRuncsListWithoutTunTap() {
        #expect(DeviceFilter.defaultAllowed.map(\.description) == [
            "allow c *:* m", "allow b *:* m",
            "allow c 1:3 rwm", "allow c 1:5 rwm", "allow c 1:7 rwm", "allow c 1:8 rwm", "allow c 1:9 rwm",
            "allow c 5:0 rwm", "allow c 5:1 rwm", "allow c 5:2 rwm", "allow c 136:* rwm",
        ])
    }

    // MARK: The program

    @Test func anEmptyRuleListReadsTheContextAndDeniesEverything() {
        let program = DeviceFilter.program(for: [])
        #expect(program.count == 8)
        #expect(program.suffix(2) == [0x0000_0000_0000_00b7, 0x0000_0000_0000_0095], "r0 = 0; exit")
        #expect(Verdicts(program).open(.char, 1, 3, .read) == false)
    }

    @Test func eachRuleIsOneBlockThatFallsThroughToTheRulesBeforeIt() {
        let rules = [DeviceRule(allow: false, type: "a"), DeviceRule(allow: true, type: "c", major: 1, minor: 3, access: "rw")]
        let program = DeviceFilter.program(for: rules)
        // 6 to read the context; allow c 1:3: 3 tests, and + jne, r0 = 1, exit;
        // deny a: mov, and, jeq, r0 = 0, exit; 2 to deny what is left.
        #expect(program.count == 6 + 7 + 5 + 2)
        #expect(program[6] == 0x0000_0002_0006_0256, "first the last rule: if w2 != 2 (char) goto +6")
        #expect(program.last == 0x95)
    }

    @Test(arguments: [
        // The rules the root test attaches.
        FilterCase("deny a, allow c 1:3 rw", [.deny("a"), .allow("c", 1, 3, "rw")], [
            (.char, 1, 3, .read, true), (.char, 1, 3, [.read, .write], true),
            (.char, 1, 3, .mknod, false), (.char, 1, 5, .read, false), (.block, 1, 3, .read, false),
        ]),
        // A later deny of one bit wins over an earlier allow of all, also
        // when the open asks for more bits than the deny names.
        FilterCase("allow c 1:3, deny c 1:3 w", [.allow("c", 1, 3, "rwm"), .deny("c", 1, 3, "w")], [
            (.char, 1, 3, .read, true), (.char, 1, 3, .write, false), (.char, 1, 3, [.read, .write], false),
        ]),
        FilterCase("deny c 1:3 w, allow c 1:3", [.deny("c", 1, 3, "w"), .allow("c", 1, 3, "rwm")], [
            (.char, 1, 3, [.read, .write], true),
        ]),
        // Bits decided by different rules: read by one, write by another.
        FilterCase("allow c 1:* r, allow c *:3 w", [.allow("c", 1, nil, "r"), .allow("c", nil, 3, "w")], [
            (.char, 1, 3, [.read, .write], true), (.char, 1, 4, [.read, .write], false), (.char, 2, 3, .write, true),
        ]),
        FilterCase("allow a 1:*", [.allow("a", 1, nil, "rwm")], [
            (.char, 1, 3, .read, true), (.block, 1, 0, .write, true), (.char, 2, 0, .read, false),
        ]),
        // The defaults go last, so a config cannot take /dev/null away.
        FilterCase("deny c 1:3 + defaults", [.deny("c", 1, 3, "rwm")] + DeviceFilter.defaultAllowed, [
            (.char, 1, 3, [.read, .write], true), (.char, 136, 7, [.read, .write], true),
            (.block, 8, 0, .mknod, true), (.block, 8, 0, .read, false), (.char, 10, 200, .read, false),
        ]),
    ])
    func rulesDecideLastMatchWinsForEachAccessBit(_ test: FilterCase) {
        let verdicts = Verdicts(DeviceFilter.program(for: test.rules))
        for (type, major, minor, access, allowed) in test.expectations {
            #expect(verdicts.open(type, major, minor, access) == allowed,
                    "\(test.name): \(type) \(major):\(minor) access \(access.rawValue)")
        }
    }

    // MARK: The kernel

    @Test(.enabled(if: getuid() == 0, "needs root to load eBPF programs and create cgroups"),
          arguments: [
        Probe.Case(name: "deny a, allow c 1:3 rw", rules: [.deny("a"), .allow("c", 1, 3, "rw")], probes: [
            Probe(path: "/dev/null", flags: O_RDWR, expected: 0),
            Probe(path: "/dev/zero", flags: O_RDONLY, expected: EPERM),
        ]),
        // The control: the probes do see a device that is allowed.
        Probe.Case(name: "allow a", rules: [.allow("a", nil, nil, "rwm")], probes: [
            Probe(path: "/dev/zero", flags: O_RDONLY, expected: 0),
        ]),
        Probe.Case(name: "allow c 1:3, deny c 1:3 w", rules: [.allow("c", 1, 3, "rwm"), .deny("c", 1, 3, "w")], probes: [
            Probe(path: "/dev/null", flags: O_RDONLY, expected: 0),
            Probe(path: "/dev/null", flags: O_RDWR, expected: EPERM),
        ]),
        // What a container gets from a config that denies everything.
        Probe.Case(name: "deny a + defaults", rules: [.deny("a")] + DeviceFilter.defaultAllowed, probes: [
            Probe(path: "/dev/full", flags: O_RDWR, expected: 0),
            Probe(path: "/dev/kmsg", flags: O_RDONLY, expected: EPERM),
        ]),
    ])
    func theKernelEnforcesTheAttachedProgramOnAProcessInTheCgroup(_ test: Probe.Case) async throws {
        let mount = try #require(CgroupMount.find(), "this host has no cgroup2 mount")
        let cgroup = Cgroup(path: mount.path + "/berth-devtest-" + String(UInt32.random(in: 0...UInt32.max), radix: 16))
        try #require(mkdir(cgroup.path, 0o755) == 0, "mkdir \(cgroup.path): \(Errno.current)")
        defer { #expect(throws: Never.self) { try cgroup.remove() } }

        try DeviceFilter.attach(test.rules, to: cgroup)
        // The probes run in a new process (an exit test), not a fork of this
        // one: a fork of a process with other threads can deadlock on a lock
        // of the Swift runtime as soon as it runs Swift code. The process
        // moves itself into the cgroup (cgroup.procs takes 0 for the writer)
        // and reports each errno on stdout.
        let result = await #expect(processExitsWith: .success, observing: [\.standardOutputContent]) {
            [path = cgroup.path as String, probes = test.probes as [Probe]] in
            try Cgroup(path: path).write("0", to: "cgroup.procs")
            print(Probe.marker + probes.map { String($0.run()) }.joined(separator: " "))
        }
        let report = String(decoding: result?.standardOutputContent ?? [], as: UTF8.self)
            .split(separator: "\n").last { $0.hasPrefix(Probe.marker) }?.dropFirst(Probe.marker.count)
        let observed = report?.split(separator: " ").compactMap { Int32($0) }.map(Errno.init)
        #expect(observed == test.probes.map { Errno($0.expected) }, "\(test.name): \(test.probes)")
    }

    @Test(.enabled(if: getuid() == 0, "needs root to load eBPF programs"))
    func aRefusedProgramIsExplainedByTheVerifier() {
        #expect {
            try DeviceFilter.load([0x95]).close()  // exit, with r0 never set
        } throws: { error in
            let error = error as? CgroupError
            return error?.message.hasPrefix("load the device filter (verifier: ") == true
                && error?.message.contains("R0 !read_ok") == true && error?.errno != nil
        }
    }
}

// MARK: - Helpers

extension DeviceRule {
    static func allow(_ type: Character, _ major: Int64?, _ minor: Int64?, _ access: String) -> DeviceRule {
        DeviceRule(allow: true, type: type, major: major, minor: minor, access: access)
    }
    static func deny(_ type: Character, _ major: Int64? = nil, _ minor: Int64? = nil, _ access: String = "rwm") -> DeviceRule {
        DeviceRule(allow: false, type: type, major: major, minor: minor, access: access)
    }
}

struct FilterCase: Sendable, CustomTestStringConvertible {
    typealias Expectation = (type: Verdicts.DeviceType, major: UInt32, minor: UInt32, access: Verdicts.Access, allowed: Bool)
    let name: String
    let rules: [DeviceRule]
    let expectations: [Expectation]
    init(_ name: String, _ rules: [DeviceRule], _ expectations: [Expectation]) {
        self.name = name
        self.rules = rules
        self.expectations = expectations
    }
    var testDescription: String { name }
}

/// Runs a device filter the way the kernel would, for the few instructions
/// DeviceFilter emits; anything else fails the test, so a new kind of
/// instruction has to be taught here first.
struct Verdicts {
    enum DeviceType: UInt32, Sendable { case block = 1, char = 2 }
    struct Access: OptionSet, Sendable {
        let rawValue: UInt32
        static let mknod = Access(rawValue: 1), read = Access(rawValue: 2), write = Access(rawValue: 4)
    }

    let program: [UInt64]
    init(_ program: [UInt64]) { self.program = program }

    func open(_ type: DeviceType, _ major: UInt32, _ minor: UInt32, _ access: Access) -> Bool? {
        let context = [access.rawValue << 16 | type.rawValue, major, minor]
        var registers = [UInt64](repeating: 0, count: 11)
        var pc = 0
        while pc < program.count {
            let instruction = program[pc]
            let code = UInt8(truncatingIfNeeded: instruction)
            let destination = Int(UInt8(truncatingIfNeeded: instruction >> 8) & 0xF)
            let source = Int(UInt8(truncatingIfNeeded: instruction >> 8) >> 4)
            let offset = Int(Int16(truncatingIfNeeded: instruction >> 16))
            let immediate = UInt32(truncatingIfNeeded: instruction >> 32)
            let low = UInt32(truncatingIfNeeded: registers[destination])
            pc += 1
            switch code {
            case 0x61 where source == 1 && offset % 4 == 0 && (0..<12).contains(offset):  // ldxw from the context in r1
                registers[destination] = UInt64(context[offset / 4])
            case 0xbc: registers[destination] = UInt64(UInt32(truncatingIfNeeded: registers[source]))
            case 0x74: registers[destination] = UInt64(low >> immediate)
            case 0x54: registers[destination] = UInt64(low & immediate)
            case 0x56: if low != immediate { pc += offset }
            case 0x16: if low == immediate { pc += offset }
            case 0xb7: registers[destination] = UInt64(bitPattern: Int64(Int32(bitPattern: immediate)))
            case 0x95: return registers[0] != 0
            default:
                Issue.record("instruction \(pc - 1) \(String(instruction, radix: 16)) is not one the filter should emit")
                return nil
            }
        }
        Issue.record("the program ran past its end")
        return nil
    }
}

/// One open(2) by a process inside the test's cgroup, and the errno it
/// should fail with (0: it should succeed).
struct Probe: Codable, Sendable, CustomStringConvertible {
    let path: String
    let flags: Int32
    let expected: Int32

    static let marker = "errnos: "

    var description: String { "open \(path) \(flags == O_RDONLY ? "r" : "rw") -> \(Errno(expected))" }

    /// The errno of the open, 0 when it succeeded.
    func run() -> Int32 {
        let fd = open(path, flags | O_CLOEXEC)
        guard fd >= 0 else { return errno }
        close(fd)
        return 0
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let rules: [DeviceRule]
        let probes: [Probe]
        var testDescription: String { name }
    }
}
