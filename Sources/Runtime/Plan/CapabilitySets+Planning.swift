import OCI

// config.md: a capability that cannot be mapped to the kernel or cannot be
// granted is logged as a warning, and the runtime should not fail. runc
// leaves such names out with a warning, and leaves out an ambient
// capability that is not inheritable (PR_CAP_AMBIENT_RAISE would refuse
// it). berth does the same here, in the parent, before the init runs.

extension CapabilitySets {
    /// The masks of `process.capabilities`, without what this host cannot
    /// grant; each name left out is one warning naming it and its set.
    static func plan(_ sets: LinuxCapabilities, host: HostFacts, warnings: inout [String]) -> CapabilitySets {
        var refused = Set<String>()
        func mask(_ names: [String]?, _ setName: String) -> UInt64 {
            var bits: UInt64 = 0
            for (index, name) in (names ?? []).enumerated() {
                switch host.grantability(of: name) {
                case .granted(let number): bits |= 1 << UInt64(number)
                case .notHeld: refused.insert(name)
                case .unusable(let reason):
                    warnings.append("process.capabilities.\(setName)[\(index)]: \(reason); left out")
                }
            }
            return bits
        }
        var planned = CapabilitySets(
            bounding: mask(sets.bounding, "bounding"), effective: mask(sets.effective, "effective"),
            permitted: mask(sets.permitted, "permitted"), inheritable: mask(sets.inheritable, "inheritable"),
            ambient: mask(sets.ambient, "ambient"))
        warnings += refused.sorted().map { "capability \($0) cannot be granted: berth does not hold it; left out" }
        planned.leaveOutWhatTheKernelRefuses(warnings: &warnings)
        return planned
    }

    /// PR_CAP_AMBIENT_RAISE refuses a capability that is not both permitted
    /// and inheritable (capabilities(7)). Other sets the kernel refuses
    /// (effective outside permitted, inheritable outside bounding) still
    /// fail create, as with runc: those are contradictions in the config,
    /// not capabilities the host lacks.
    mutating func leaveOutWhatTheKernelRefuses(warnings: inout [String]) {
        ambient = Self.keep(ambient, within: inheritable, set: "ambient", other: "inheritable", &warnings)
        ambient = Self.keep(ambient, within: permitted, set: "ambient", other: "permitted", &warnings)
    }

    private static func keep(_ bits: UInt64, within allowed: UInt64, set: String, other: String,
                             _ warnings: inout [String]) -> UInt64 {
        for (name, number) in Capability.all where bits & ~allowed & (1 << UInt64(number)) != 0 {
            warnings.append("process.capabilities.\(set): \(name) is not in the \(other) set; left out of \(set)")
        }
        return bits & allowed
    }
}

extension HostFacts {
    enum Grantability: Equatable {
        case granted(Int)
        /// berth's own bounding set lacks it.
        case notHeld
        /// Unknown to berth or to this kernel, with the reason.
        case unusable(String)
    }

    func grantability(of name: String) -> Grantability {
        guard let number = Capability.number(of: name) else { return .unusable("unknown capability \"\(name)\"") }
        guard number <= lastCapability else {
            return .unusable("capability \"\(name)\" is not supported by the kernel (last capability is \(lastCapability))")
        }
        return grantableCapabilities & (1 << UInt64(number)) != 0 ? .granted(number) : .notHeld
    }
}
