import Glibc
import LinuxSystem
import Testing
@testable import Cgroups
@testable import OCI
@testable import Runtime

/// A seeded mutator over the whole config path — decode, validate, plan —
/// that must never trap: a runtime reports a bad value by its JSON path and
/// exits 1. The seeds are the spec's good examples and `berth spec`'s
/// config; each mutation replaces a few values with ones at the edges of
/// what the schema allows (huge, negative, empty, NUL, control characters,
/// another JSON type). It runs in a child process, so a trap fails the test
/// with the input that caused it instead of ending the test run.
@Suite struct ConfigFuzzTests {
    static let mutationsPerSeed = 1200
    static let lastInputPath = "/tmp/berth-fuzz-last-input.json"

    static var seeds: [[UInt8]] {
        // The checkout's ../shared, as the other tests find the spec.
        let checkout = String(#filePath.prefix { _ in true }).split(separator: "/").dropLast(3).joined(separator: "/")
        let directory = "/" + checkout + "/../shared/oci-runtime-spec/schema/test/config/good"
        var seeds = ((try? FileSystem.listDirectory(directory)) ?? []).compactMap { name in
            try? FileSystem.readFile(directory + "/" + name)
        }
        if let spec = try? JSONText.encode(Spec.defaultSpec(rootless: false, uid: 0, gid: 0)) { seeds.append(spec) }
        return seeds
    }

    @Test func mutatedConfigsNeverTrapOnTheWayToAPlan() async throws {
        let seeds = Self.seeds
        try #require(seeds.count >= 5, "the spec's examples were not found")
        let result = await #expect(processExitsWith: .success, observing: [\.standardOutputContent]) {
            var random = SplitMix64(seed: 0xB0A7)
            var tried = 0
            for seed in Self.seeds {
                guard let tree = try? JSONParser.parse(seed) else { continue }
                for _ in 0..<Self.mutationsPerSeed {
                    var mutated = tree
                    for _ in 0...random.next(below: 2) { mutated = Mutator.mutate(mutated, &random) }
                    let text = Mutator.render(mutated)
                    // Written first, so a trap leaves the input behind.
                    try? FileSystem.writeFileAtomically(Self.lastInputPath, Array(text.utf8))
                    Self.plan(Array(text.utf8))
                    tried += 1
                }
            }
            print("tried \(tried)")
        }
        if result?.exitStatus != .exitCode(0) {
            let input = FileSystem.readText(Self.lastInputPath) ?? "?"
            Issue.record("the config path trapped on: \(input)")
        }
    }

    /// decode → validate → plan, as `create` does, with no system touched.
    static func plan(_ bytes: [UInt8]) {
        guard let spec = try? SpecLoader.decode(bytes) else { return }
        let problems = spec.validate(for: .create, environment: .permissive)
        guard problems.isEmpty else { return }
        let host = HostFacts(cgroupMount: { CgroupMount(path: "/sys/fs/cgroup", controllers: ["cpu", "memory", "pids", "io", "cpuset", "hugetlb", "rdma"]) },
                             callerCgroup: { "/" }, lastCapability: 40, grantableCapabilities: ~0,
                             appArmorEnabled: { true }, seLinuxEnabled: { true }, resctrlRoot: { "/sys/fs/resctrl" })
        _ = try? LaunchPlan.build(id: "fuzz", spec: spec, options: CreateOptions(bundle: "/bundle"), host: host)
    }
}

/// A small deterministic random source (SplitMix64), so a failure repeats.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func next(below bound: Int) -> Int { Int(next() % UInt64(max(bound, 1))) }
}

/// Mutations of a JSON tree, and its rendering back to text.
enum Mutator {
    static let numbers = ["0", "-1", "1", "-2147483649", "2147483648", "4294967295", "4294967296", "65536",
                          "9223372036854775807", "-9223372036854775808", "18446744073709551615",
                          "18446744073709551616", "20000000000", "1e20", "-1e20", "1.5", "255", "256", "4096", "8192"]
    static let strings = ["", "/", "//", "..", "/..", "a\u{0}b", "\u{0}", "line\nbreak", "\u{1b}[31m", "relative",
                          "/proc/self/fd/0", "0-3,7", "0-99999999999", "-1", "a:b:c", ":", String(repeating: "x", count: 5000),
                          "SCMP_ACT_ERRNO", "c", "b", "p", "u", "rw", "ro"]

    enum Step { case key(String), index(Int) }

    /// Every value's path, containers included, so that any one of them can
    /// be picked with the same chance wherever it sits.
    static func paths(_ value: JSONValue, _ prefix: [Step] = []) -> [[Step]] {
        switch value {
        case .object(let members):
            return [prefix] + members.keys.sorted().flatMap { paths(members[$0]!, prefix + [.key($0)]) }
        case .array(let elements):
            return [prefix] + elements.indices.flatMap { paths(elements[$0], prefix + [.index($0)]) }
        default:
            return [prefix]
        }
    }

    /// Replaces one value, picked among all of them: a leaf by another leaf,
    /// a member or element now and then removed or repeated.
    static func mutate(_ value: JSONValue, _ random: inout SplitMix64) -> JSONValue {
        let all = paths(value)
        let path = all[random.next(below: all.count)]
        return replacing(value, at: path[...], &random)
    }

    static func replacing(_ value: JSONValue, at path: ArraySlice<Step>, _ random: inout SplitMix64) -> JSONValue {
        guard let step = path.first else {
            switch value {
            case .object, .array where random.next(below: 2) == 0: return value
            default: return leaf(like: value, &random)
            }
        }
        switch (value, step) {
        case (.object(var members), .key(let key)):
            if path.count == 1 && random.next(below: 8) == 0 {
                members[key] = nil
            } else {
                members[key] = replacing(members[key]!, at: path.dropFirst(), &random)
            }
            return .object(members)
        case (.array(var elements), .index(let index)):
            if path.count == 1 && random.next(below: 8) == 0 {
                elements.append(elements[index])
            } else {
                elements[index] = replacing(elements[index], at: path.dropFirst(), &random)
            }
            return .array(elements)
        default:
            return value
        }
    }

    /// A new leaf, usually of the same JSON type.
    static func leaf(like value: JSONValue, _ random: inout SplitMix64) -> JSONValue {
        let sameType = random.next(below: 5) != 0
        switch (value, sameType) {
        case (.number, true): return .number(numbers[random.next(below: numbers.count)])
        case (.string, true): return .string(strings[random.next(below: strings.count)])
        case (.bool(let flag), true): return .bool(!flag)
        default:
            switch random.next(below: 5) {
            case 0: return .null
            case 1: return .number(numbers[random.next(below: numbers.count)])
            case 2: return .string(strings[random.next(below: strings.count)])
            case 3: return .array([])
            default: return .object([:])
            }
        }
    }

    static func render(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let text): return text
        case .string(let text): return Log.jsonString(text)
        case .array(let elements): return "[" + elements.map(render).joined(separator: ",") + "]"
        case .object(let members):
            return "{" + members.keys.sorted().map { Log.jsonString($0) + ":" + render(members[$0]!) }.joined(separator: ",") + "}"
        }
    }
}
