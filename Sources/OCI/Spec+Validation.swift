// Validation of a decoded config, before anything touches the system.
//
// Every problem is reported, each with the JSON path of the value at fault,
// so a user fixes a config in one pass instead of one error per attempt.
// Checks that need the host (does a namespace path exist) go through
// `ValidationEnvironment`, which keeps this target free of system calls and
// its tests free of root. Capabilities are not problems here: config.md
// asks for a warning, not a failure, for one that cannot be granted, and
// the launch plan leaves such names out and says so.

/// What the config is validated for.
public enum ValidationPurpose: Sendable {
    /// Creating a container: `process` (with `args`) and `root` are required.
    case create
    /// Any other use, e.g. checking a config written by `spec`.
    case generic
}

/// The facts about the host that validation needs, read by the caller.
public struct ValidationEnvironment: Sendable {
    /// Whether a path exists in the runtime's mount namespace.
    public var pathExists: @Sendable (String) -> Bool

    public init(pathExists: @escaping @Sendable (String) -> Bool) {
        self.pathExists = pathExists
    }

    /// Assumes every path exists.
    public static let permissive = ValidationEnvironment(pathExists: { _ in true })
}

extension Spec {
    /// All problems of this config, in document order; empty if it is valid.
    public func validate(for purpose: ValidationPurpose, environment: ValidationEnvironment) -> [ConfigProblem] {
        var validator = SpecValidator(spec: self, purpose: purpose, environment: environment)
        validator.validate()
        return validator.problems
    }
}

/// Walks a `Spec` and collects problems. The Linux section is checked in
/// SpecValidator+Linux.swift.
struct SpecValidator {
    let spec: Spec
    let purpose: ValidationPurpose
    let environment: ValidationEnvironment
    private(set) var problems: [ConfigProblem] = []

    init(spec: Spec, purpose: ValidationPurpose, environment: ValidationEnvironment) {
        self.spec = spec
        self.purpose = purpose
        self.environment = environment
    }

    mutating func validate() {
        validateVersion()
        validateRoot()
        validateProcess()
        validateHostnames()
        validateMounts()
        validateHooks()
        validateMapKeys(spec.annotations, at: "annotations")
        validateLinux()
    }

    // MARK: Reporting helpers shared by every check

    mutating func report(_ path: String, _ message: String) {
        problems.append(ConfigProblem(path: path, message: message))
    }

    mutating func check(_ condition: Bool, _ path: String, _ message: String) {
        if !condition { report(path, message) }
    }

    mutating func checkKnown<Vocabulary: SpecVocabulary>(_ value: String?, in vocabulary: Vocabulary.Type,
                                                         at path: String, what: String) {
        guard let value else { return }
        check(Vocabulary(rawValue: value) != nil, path, "unknown \(what) \"\(value)\"")
    }

    mutating func checkEachKnown<Vocabulary: SpecVocabulary>(_ values: [String]?, in vocabulary: Vocabulary.Type,
                                                             at path: String, what: String) {
        for (index, value) in (values ?? []).enumerated() {
            checkKnown(value, in: vocabulary, at: JSONPath.element(path, index), what: what)
        }
    }

    mutating func checkAbsolute(_ value: String?, at path: String) {
        guard let value else { return }
        check(value.hasPrefix("/"), path, "not an absolute path: \"\(value)\"")
    }

    mutating func checkEachAbsolute(_ values: [String]?, at path: String) {
        for (index, value) in (values ?? []).enumerated() {
            checkAbsolute(value, at: JSONPath.element(path, index))
        }
    }

    mutating func checkRange<T: BinaryInteger>(_ value: T?, _ range: ClosedRange<T>, at path: String) {
        guard let value else { return }
        check(range.contains(value), path, "must be between \(range.lowerBound) and \(range.upperBound), found \(value)")
    }

    /// Reports every repeated value after its first occurrence.
    mutating func checkUnique(_ values: [String], at path: (Int) -> String, what: String) {
        var seen = Set<String>()
        for (index, value) in values.enumerated() where !seen.insert(value).inserted {
            report(path(index), "duplicate \(what) \"\(value)\"")
        }
    }

    /// Maps such as annotations and sysctl need non-empty keys.
    mutating func validateMapKeys<Value>(_ map: [String: Value]?, at path: String) {
        if map?.keys.contains("") == true {
            report(JSONPath.member(path, ""), "keys must not be empty")
        }
    }

    // MARK: Top level

    private mutating func validateVersion() {
        guard let major = SemanticVersion.major(of: spec.ociVersion) else {
            report("ociVersion", "not a semantic version: \"\(spec.ociVersion)\"")
            return
        }
        // 0.x were the drafts of 1.0 (the spec's own example still says
        // 0.5.0-dev) and decode the same; a 2.x config would not.
        check(major <= 1, "ociVersion", "unsupported version \"\(spec.ociVersion)\": berth implements \(ociSpecVersion)")
    }

    private mutating func validateRoot() {
        guard let root = spec.root else {
            check(purpose != .create, "root", "required to create a container")
            return
        }
        check(!root.path.isEmpty, "root.path", "must not be empty")
    }

    private mutating func validateHostnames() {
        let hasUTSNamespace = spec.linux?.namespaces?.contains { $0.type == "uts" } ?? false
        // Without a UTS namespace of its own the container would rename the host.
        for (name, value) in [("hostname", spec.hostname), ("domainname", spec.domainname)] {
            if let value, !value.isEmpty {
                check(hasUTSNamespace, name, "setting the \(name) requires a uts namespace")
            }
        }
    }

    private mutating func validateProcess() {
        guard let process = spec.process else {
            check(purpose != .create, "process", "required to create a container")
            return
        }
        if purpose == .create {
            check(!(process.args ?? []).isEmpty, "process.args", "must contain at least one entry")
        }
        checkAbsolute(process.cwd, at: "process.cwd")
        validateEnvironment(process.env, at: "process.env")
        validateRlimits(process.rlimits ?? [])
        checkRange(process.oomScoreAdj, -1000...1000, at: "process.oomScoreAdj")
        if let scheduler = process.scheduler {
            checkKnown(scheduler.policy, in: SchedulerPolicy.self, at: "process.scheduler.policy", what: "scheduler policy")
            checkEachKnown(scheduler.flags, in: SchedulerFlag.self, at: "process.scheduler.flags", what: "scheduler flag")
        }
        if let ioPriority = process.ioPriority {
            checkKnown(ioPriority.class, in: IOPriorityClass.self, at: "process.ioPriority.class", what: "io priority class")
            checkRange(ioPriority.priority, 0...7, at: "process.ioPriority.priority")
        }
        checkCPUList(process.execCPUAffinity?.initial, at: "process.execCPUAffinity.initial")
        checkCPUList(process.execCPUAffinity?.final, at: "process.execCPUAffinity.final")
    }

    mutating func validateEnvironment(_ env: [String]?, at path: String) {
        for (index, variable) in (env ?? []).enumerated() {
            if let problem = Process.environmentProblem(variable) {
                report(JSONPath.element(path, index), problem)
            }
        }
    }

    private mutating func validateRlimits(_ rlimits: [POSIXRlimit]) {
        for (index, rlimit) in rlimits.enumerated() {
            let path = JSONPath.element("process.rlimits", index)
            check(Rlimit.resource(of: rlimit.type) != nil, path + ".type", "unknown rlimit \"\(rlimit.type)\"")
            check(rlimit.soft <= rlimit.hard, path, "soft limit \(rlimit.soft) exceeds hard limit \(rlimit.hard)")
        }
        checkUnique(rlimits.map(\.type), at: { JSONPath.element("process.rlimits", $0) + ".type" }, what: "rlimit")
    }

    /// A list of CPUs or memory nodes such as `0-3,7`.
    mutating func checkCPUList(_ list: String?, at path: String) {
        guard let list, !list.isEmpty else { return }
        check(BitList.parse(list) != nil, path, "invalid cpu list \"\(list)\"")
    }

    // MARK: Mounts and hooks

    private mutating func validateMounts() {
        for (index, mount) in (spec.mounts ?? []).enumerated() {
            let path = JSONPath.element("mounts", index)
            // config.md: a relative destination, deprecated but allowed for
            // compatibility, MUST be read as relative to "/" (LaunchPlan does).
            check(!mount.destination.isEmpty, path + ".destination", "must not be empty")
            validateIDMappings(mount.uidMappings, at: path + ".uidMappings")
            validateIDMappings(mount.gidMappings, at: path + ".gidMappings")
            let hasMappings = mount.uidMappings != nil && mount.gidMappings != nil
            check(
                (mount.uidMappings == nil) == (mount.gidMappings == nil), path,
                "uidMappings and gidMappings must be given together"
            )
            // Without mappings of its own the mount takes the container's
            // user namespace mappings (config.md allows it); without either,
            // the spec requires an error.
            let hasUserNamespace = (spec.linux?.namespaces ?? []).contains { $0.type == "user" }
            for (optionIndex, option) in (mount.options ?? []).enumerated() where option == "idmap" || option == "ridmap" {
                check(
                    hasMappings || hasUserNamespace, JSONPath.element(path + ".options", optionIndex),
                    "\"\(option)\" requires uidMappings and gidMappings on the mount, or a user namespace"
                )
            }
        }
    }

    mutating func validateIDMappings(_ mappings: [LinuxIDMapping]?, at path: String) {
        for (index, mapping) in (mappings ?? []).enumerated() {
            check(mapping.size > 0, JSONPath.element(path, index) + ".size", "must be greater than zero")
        }
    }

    private mutating func validateHooks() {
        for (name, hooks) in spec.hooks?.all ?? [] {
            for (index, hook) in hooks.enumerated() {
                let path = JSONPath.element("hooks.\(name)", index)
                checkAbsolute(hook.path, at: path + ".path")
                validateEnvironment(hook.env, at: path + ".env")
                if let timeout = hook.timeout {
                    check(timeout > 0, path + ".timeout", "must be greater than zero, found \(timeout)")
                }
            }
        }
    }
}

/// Semantic Versioning 2.0.0 (https://semver.org), as config.md requires.
enum SemanticVersion {
    /// The major version of a valid semantic version, or nil.
    static func major(of version: String) -> Int? {
        let withoutBuild = version.split(separator: "+", maxSplits: 1, omittingEmptySubsequences: false)
        if withoutBuild.count == 2, !areValidIdentifiers(withoutBuild[1], numeric: false) { return nil }
        let core = withoutBuild[0].split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        if core.count == 2, !areValidIdentifiers(core[1], numeric: true) { return nil }
        let numbers = core[0].split(separator: ".", omittingEmptySubsequences: false)
        guard numbers.count == 3, numbers.allSatisfy(isNumber) else { return nil }
        return Int(numbers[0])
    }

    private static func isNumber(_ text: Substring) -> Bool {
        !text.isEmpty && text.allSatisfy(\.isASCIIDigit) && (text == "0" || text.first != "0") && Int(text) != nil
    }

    /// Dot-separated identifiers; in a pre-release, numeric ones have no leading zero.
    private static func areValidIdentifiers(_ text: Substring, numeric: Bool) -> Bool {
        text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { identifier in
            guard !identifier.isEmpty, identifier.allSatisfy({ $0.isASCIIDigit || $0.isASCIILetter || $0 == "-" }) else {
                return false
            }
            return !numeric || !identifier.allSatisfy(\.isASCIIDigit) || isNumber(identifier)
        }
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
    var isASCIILetter: Bool { isASCII && isLetter }
}
