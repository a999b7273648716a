// Validation of the `linux` section (config-linux.md).

extension SpecValidator {
    mutating func validateLinux() {
        guard let linux = spec.linux else { return }
        validateNamespaces(linux)
        validateUserMappings(linux)
        validateTimeOffsets(linux)
        validateDevices(linux.devices ?? [])
        validateNetDevices(linux.netDevices ?? [:])
        validateCgroupsPath(linux.cgroupsPath)
        checkKnown(linux.rootfsPropagation, in: MountPropagation.self, at: "linux.rootfsPropagation", what: "rootfs propagation")
        if let resources = linux.resources { validateResources(resources) }
        if let seccomp = linux.seccomp { validateSeccomp(seccomp) }
        validateMapKeys(linux.sysctl, at: "linux.sysctl")
        checkEachAbsolute(linux.maskedPaths, at: "linux.maskedPaths")
        checkEachAbsolute(linux.readonlyPaths, at: "linux.readonlyPaths")
        if let intelRdt = linux.intelRdt { validateIntelRdt(intelRdt) }
        if let personality = linux.personality {
            checkKnown(personality.domain, in: PersonalityDomain.self, at: "linux.personality.domain", what: "personality domain")
            // config-linux.md: "Currently no flag values are supported."
            for (index, flag) in (personality.flags ?? []).enumerated() {
                report(JSONPath.element("linux.personality.flags", index), "unknown personality flag \"\(flag)\"")
            }
        }
        if let memoryPolicy = linux.memoryPolicy { validateMemoryPolicy(memoryPolicy) }
    }

    private mutating func validateNamespaces(_ linux: Linux) {
        let namespaces = linux.namespaces ?? []
        for (index, namespace) in namespaces.enumerated() {
            let path = JSONPath.element("linux.namespaces", index)
            checkKnown(namespace.type, in: NamespaceKind.self, at: path + ".type", what: "namespace type")
            guard let nsPath = namespace.joinPath else { continue }
            if nsPath.hasPrefix("/") {
                check(environment.pathExists(nsPath), path + ".path", "does not exist: \"\(nsPath)\"")
            } else {
                checkAbsolute(nsPath, at: path + ".path")
            }
        }
        checkUnique(namespaces.map(\.type), at: { JSONPath.element("linux.namespaces", $0) + ".type" }, what: "namespace type")
    }

    private mutating func validateUserMappings(_ linux: Linux) {
        let hasUserNamespace = linux.namespaces?.contains { $0.type == "user" } ?? false
        let mappings = [("uidMappings", linux.uidMappings), ("gidMappings", linux.gidMappings)]
        for (name, list) in mappings {
            validateIDMappings(list, at: "linux.\(name)")
        }
        guard hasUserNamespace else {
            for (name, list) in mappings where !(list ?? []).isEmpty {
                report("linux.\(name)", "requires a user namespace")
            }
            return
        }
        // A user namespace with only one kind of mapping cannot work: writing
        // uid_map alone leaves every group unmapped, so setgroups would fail.
        let uidMapped = !(linux.uidMappings ?? []).isEmpty
        let gidMapped = !(linux.gidMappings ?? []).isEmpty
        check(uidMapped || !gidMapped, "linux.uidMappings", "required together with linux.gidMappings")
        check(gidMapped || !uidMapped, "linux.gidMappings", "required together with linux.uidMappings")
    }

    private mutating func validateTimeOffsets(_ linux: Linux) {
        guard let offsets = linux.timeOffsets else { return }
        if let timeNamespace = linux.namespaces?.first(where: { $0.type == "time" }) {
            // Offsets can only be written before the first process enters a
            // time namespace, so an existing one cannot take them.
            check(timeNamespace.joinPath == nil, "linux.timeOffsets", "cannot be set when joining an existing time namespace")
        } else {
            report("linux.timeOffsets", "requires a time namespace")
        }
        for clock in offsets.keys.sorted() {
            let path = JSONPath.member("linux.timeOffsets", clock)
            checkKnown(clock, in: TimeNamespaceClock.self, at: path, what: "clock")
            checkRange(offsets[clock]?.nanosecs, 0...999_999_999, at: path + ".nanosecs")
        }
    }

    private mutating func validateDevices(_ devices: [LinuxDevice]) {
        for (index, device) in devices.enumerated() {
            let path = JSONPath.element("linux.devices", index)
            checkKnown(device.type, in: DeviceType.self, at: path + ".type", what: "device type")
            checkAbsolute(device.path, at: path + ".path")
            check(!device.path.split(separator: "/").isEmpty, path + ".path", "must name a file below /, not \"\(device.path)\"")
            // makedev(3) takes 32-bit numbers; anything else is not a device.
            checkRange(device.major, 0...Int64(UInt32.max), at: path + ".major")
            checkRange(device.minor, 0...Int64(UInt32.max), at: path + ".minor")
            guard device.type != "p" else { continue }
            for (name, number) in [("major", device.major), ("minor", device.minor)] where number == nil {
                report(path, "missing required field \"\(name)\"")
            }
        }
    }

    private mutating func validateNetDevices(_ netDevices: [String: LinuxNetDevice]) {
        for hostName in netDevices.keys.sorted() {
            let path = JSONPath.member("linux.netDevices", hostName)
            checkInterfaceName(hostName, at: path)
            if let name = netDevices[hostName]?.name {
                checkInterfaceName(name, at: path + ".name")
            }
        }
    }

    /// The kernel's rules (dev_valid_name): 1 to 15 bytes, not `.` or `..`,
    /// no `/`, `:` or whitespace. A `%d` template is valid as well.
    private mutating func checkInterfaceName(_ name: String, at path: String) {
        let isValid = (1...15).contains(name.utf8.count) && name != "." && name != ".."
            && !name.contains { $0 == "/" || $0 == ":" || $0.isWhitespace }
        check(isValid, path, "invalid network interface name \"\(name)\"")
    }

    private mutating func validateCgroupsPath(_ cgroupsPath: String?) {
        guard let cgroupsPath, !cgroupsPath.isEmpty else { return }
        let parts = cgroupsPath.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count > 1 {
            // systemd's "slice:prefix:name"; the slice may be empty (the default).
            check(
                parts.count == 3 && !parts[2].isEmpty, "linux.cgroupsPath",
                "invalid systemd cgroupsPath \"\(cgroupsPath)\": expected \"slice:prefix:name\""
            )
        } else {
            check(
                !cgroupsPath.split(separator: "/").contains(".."), "linux.cgroupsPath",
                "must not contain \"..\": \"\(cgroupsPath)\""
            )
        }
    }

    private mutating func validateResources(_ resources: LinuxResources) {
        let base = "linux.resources"
        for (index, rule) in (resources.devices ?? []).enumerated() {
            let path = JSONPath.element(base + ".devices", index)
            checkKnown(rule.type, in: DeviceRuleType.self, at: path + ".type", what: "device type")
            if let access = rule.access, let problem = LinuxDeviceCgroup.accessProblem(access) {
                check(false, path + ".access", problem)
            }
        }
        checkRange(resources.memory?.swappiness, 0...100, at: base + ".memory.swappiness")
        checkCPUList(resources.cpu?.cpus, at: base + ".cpu.cpus")
        checkCPUList(resources.cpu?.mems, at: base + ".cpu.mems")
        for (index, limit) in (resources.hugepageLimits ?? []).enumerated() {
            check(
                isHugepageSize(limit.pageSize), JSONPath.element(base + ".hugepageLimits", index) + ".pageSize",
                "invalid page size \"\(limit.pageSize)\": expected a number followed by KB, MB or GB"
            )
        }
        for device in (resources.rdma ?? [:]).keys.sorted() where resources.rdma?[device] == LinuxRdma() {
            report(JSONPath.member(base + ".rdma", device), "at least one of hcaHandles and hcaObjects must be set")
        }
        validateMapKeys(resources.unified, at: base + ".unified")
        for file in (resources.unified ?? [:]).keys.sorted() where file.contains("/") {
            report(JSONPath.member(base + ".unified", file), "must be a file name, without \"/\"")
        }
    }

    /// The schema's `^[1-9][0-9]*[KMG]B$`, the form of hugetlb.<size>.max.
    private func isHugepageSize(_ size: String) -> Bool {
        let digits = size.dropLast(2)
        return size.hasSuffix("B") && ["K", "M", "G"].contains(size.dropLast().last)
            && digits.first != "0" && !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }

    private mutating func validateSeccomp(_ seccomp: LinuxSeccomp) {
        let base = "linux.seccomp"
        checkSeccompAction(seccomp.defaultAction, errnoRet: seccomp.defaultErrnoRet, at: base, actionKey: "defaultAction", errnoKey: "defaultErrnoRet")
        checkEachKnown(seccomp.architectures, in: SeccompArchitecture.self, at: base + ".architectures", what: "seccomp architecture")
        checkEachKnown(seccomp.flags, in: SeccompFlagName.self, at: base + ".flags", what: "seccomp flag")
        if seccomp.listenerMetadata != nil {
            check(seccomp.listenerPath != nil, base + ".listenerMetadata", "requires linux.seccomp.listenerPath")
        }
        for (index, rule) in (seccomp.syscalls ?? []).enumerated() {
            let path = JSONPath.element(base + ".syscalls", index)
            check(!rule.names.isEmpty, path + ".names", "must contain at least one entry")
            for (nameIndex, name) in rule.names.enumerated() {
                check(!name.isEmpty, JSONPath.element(path + ".names", nameIndex), "must not be empty")
            }
            checkSeccompAction(rule.action, errnoRet: rule.errnoRet, at: path, actionKey: "action", errnoKey: "errnoRet")
            if rule.action == "SCMP_ACT_NOTIFY" {
                check(seccomp.listenerPath != nil, path + ".action", "SCMP_ACT_NOTIFY requires linux.seccomp.listenerPath")
            }
            for (argIndex, argument) in (rule.args ?? []).enumerated() {
                let argPath = JSONPath.element(path + ".args", argIndex)
                checkRange(argument.index, 0...5, at: argPath + ".index")
                checkKnown(argument.op, in: SeccompOperatorName.self, at: argPath + ".op", what: "seccomp operator")
            }
        }
    }

    /// An action must be known, and only the errno-returning ones take an errno.
    private mutating func checkSeccompAction(_ action: String, errnoRet: UInt32?, at path: String, actionKey: String, errnoKey: String) {
        checkKnown(action, in: SeccompActionName.self, at: "\(path).\(actionKey)", what: "seccomp action")
        if errnoRet != nil, let known = SeccompActionName(rawValue: action) {
            check(known.takesErrnoRet, "\(path).\(errnoKey)", "only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not \(action)")
        }
    }

    private mutating func validateIntelRdt(_ intelRdt: LinuxIntelRdt) {
        let base = "linux.intelRdt"
        if let memBwSchema = intelRdt.memBwSchema {
            check(memBwSchema.hasPrefix("MB:"), base + ".memBwSchema", "must start with \"MB:\"")
        }
        // Each value becomes one line of the resctrl schemata file.
        let lines = [("l3CacheSchema", intelRdt.l3CacheSchema), ("memBwSchema", intelRdt.memBwSchema)]
            + (intelRdt.schemata ?? []).enumerated().map { (JSONPath.element("schemata", $0.offset), $0.element) }
        for (name, value) in lines where value?.contains("\n") == true {
            report("\(base).\(name)", "must not contain a newline")
        }
    }

    private mutating func validateMemoryPolicy(_ policy: LinuxMemoryPolicy) {
        let base = "linux.memoryPolicy"
        checkKnown(policy.mode, in: MemoryPolicyMode.self, at: base + ".mode", what: "memory policy mode")
        checkEachKnown(policy.flags, in: MemoryPolicyFlag.self, at: base + ".flags", what: "memory policy flag")
        checkCPUList(policy.nodes, at: base + ".nodes")
        let hasNodes = !(policy.nodes ?? "").isEmpty
        // set_mempolicy(2) rejects nodes for these modes and requires them for the next.
        if ["MPOL_DEFAULT", "MPOL_LOCAL"].contains(policy.mode) {
            check(!hasNodes, base + ".nodes", "must be empty with \(policy.mode)")
        } else if ["MPOL_BIND", "MPOL_INTERLEAVE", "MPOL_WEIGHTED_INTERLEAVE", "MPOL_PREFERRED_MANY"].contains(policy.mode) {
            check(hasNodes, base + ".nodes", "required with \(policy.mode)")
        }
    }
}
