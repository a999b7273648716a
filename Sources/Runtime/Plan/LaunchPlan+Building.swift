import Cgroups
import Glibc
import LinuxSystem
import OCI

extension LaunchPlan {
    /// Builds the plan of a validated spec, step by step (namespaces,
    /// seccomp, network devices, cgroup, tuning, mounts, devices, process),
    /// from the spec and what `host` says of this machine. Every part of
    /// the config berth cannot apply yet is reported with its path — all of
    /// them at once — rather than ignored.
    public static func build(id: String, spec: Spec, options: CreateOptions,
                             host: HostFacts = .current()) throws(RuntimeError) -> LaunchPlan {
        var problems: [ConfigProblem] = []
        let linux = spec.linux ?? Linux()
        let process = spec.process!  // validated for .create

        let seccompStart = Clock.monotonicNanoseconds()
        let seccomp = planSeccomp(linux, cache: host.seccompCache, problems: &problems)
        let seccompCompileTime = Clock.monotonicNanoseconds() - seccompStart
        let (newNamespaces, joins) = planNamespaces(linux, problems: &problems)
        let networkDevices = NetworkDevices.plan(linux.netDevices, hasNewNetworkNamespace: newNamespaces.contains(.network))
        problems += networkDevices.problems
        let hostCgroupMount = host.cgroupMount()
        let cgroup = planCgroup(id: id, linux: linux, mount: hostCgroupMount, callerCgroup: host.callerCgroup,
                                problems: &problems)
        let tuning = planTuning(spec, namespaces: Set(newNamespaces + joins.map(\.kind)), host: host, problems: &problems)
        let rootfs = spec.root!.path.hasPrefix("/") ? spec.root!.path : options.bundle + "/" + spec.root!.path
        let containerMappings = newNamespaces.contains(.user)
            ? IDMappings(uid: linux.uidMappings ?? [], gid: linux.gidMappings ?? []) : nil
        var mounts = planMounts(spec.mounts ?? [], bundle: options.bundle, containerMappings: containerMappings,
                                problems: &problems)
        if let label = linux.mountLabel, !label.isEmpty, host.seLinuxEnabled() {
            labelMounts(&mounts, with: label)
        }
        if let hostCgroupMount, !(newNamespaces.contains(.cgroup) || joins.contains { $0.kind == .cgroup }) {
            bindCgroupMounts(&mounts, from: hostCgroupMount.path)
        }
        let devices = planDevices(linux.devices ?? [], mounts: mounts)
        if !(newNamespaces.contains(.mount) || joins.contains { $0.kind == .mount }) {
            problems += sharedMountNamespaceProblems(spec, options: options)
        }

        var warnings: [String] = []
        let plannedProcess = planProcess(process, tuning: tuning, consoleSocket: options.consoleSocket,
                                         relaysTerminal: options.relaysTerminal, host: host,
                                         problems: &problems, warnings: &warnings)
        if !problems.isEmpty {
            throw RuntimeError(.invalidConfig, "\(options.bundle)/config.json: \(problems.count) setting(s) cannot be applied",
                               details: problems.map(\.description))
        }

        var plan = LaunchPlan(
            id: id, bundle: options.bundle, rootfs: FileSystem.normalized(rootfs),
            rootReadonly: spec.root?.readonly ?? false, ociVersion: BerthVersion.ociVersion, annotations: spec.annotations,
            newNamespaces: newNamespaces, joinedNamespaces: joins, timeOffsets: linux.timeOffsets ?? [:],
            uidMappings: linux.uidMappings ?? [], gidMappings: linux.gidMappings ?? [],
            hostname: spec.hostname, domainname: spec.domainname,
            rootPropagation: linux.rootfsPropagation.flatMap { MountPropagation(rawValue: $0)?.flags } ?? [.slave, .recursive],
            mounts: mounts, devices: devices,
            maskedPaths: linux.maskedPaths ?? [], readonlyPaths: linux.readonlyPaths ?? [],
            process: plannedProcess,
            seccomp: seccomp, seccompListener: linux.seccomp?.listenerPath.map {
                SeccompListener(path: $0, metadata: linux.seccomp?.listenerMetadata)
            },
            networkDevices: networkDevices.devices, cgroup: cgroup, hooks: spec.hooks ?? Hooks(), options: options,
            warnings: warnings)
        plan.seccompCompileTime = seccompCompileTime
        return plan
    }

    /// The namespaces made new, and those joined by path in the order they
    /// must be entered (NamespaceKind.joinOrder).
    static func planNamespaces(_ linux: Linux, problems: inout [ConfigProblem])
        -> (new: [NamespaceKind], joined: [(kind: NamespaceKind, path: String)]) {
        var newNamespaces: [NamespaceKind] = []
        var joins: [(kind: NamespaceKind, path: String)] = []
        for namespace in linux.namespaces ?? [] {
            guard let kind = NamespaceKind(configName: namespace.type) else { continue } // validation reported it
            if let path = namespace.joinPath {
                joins.append((kind, path))
            } else {
                newNamespaces.append(kind)
            }
        }
        if joins.contains(where: { $0.kind == .user }) {
            // The init makes the other new namespaces after it joined the
            // user namespace, so that namespace owns them; a pid or time
            // namespace is made before the init exists, by berth, which
            // cannot be in that user namespace.
            for kind in newNamespaces where kind == .pid || kind == .time {
                problems.append(ConfigProblem(path: "linux.namespaces", message: "a new \(kind.rawValue) namespace "
                    + "cannot go with a joined user namespace: berth would make it outside that user namespace; "
                    + "join a \(kind.rawValue) namespace of the user namespace by path too"))
            }
        }
        joins.sort { a, b in
            NamespaceKind.joinOrder.firstIndex(of: a.kind)! < NamespaceKind.joinOrder.firstIndex(of: b.kind)!
        }
        return (newNamespaces, joins)
    }

    /// Without a mount namespace of its own the container's mounts are the
    /// host's: what would change a mount berth did not make (masking,
    /// read-only remounts, the root's propagation, --no-pivot's move onto
    /// "/") is refused rather than done to the host, as runc refuses masks.
    static func sharedMountNamespaceProblems(_ spec: Spec, options: CreateOptions) -> [ConfigProblem] {
        let linux = spec.linux ?? Linux()
        var problems: [ConfigProblem] = []
        let why = "needs a mount namespace of the container's own (linux.namespaces has none)"
        if !(linux.maskedPaths ?? []).isEmpty {
            problems.append(ConfigProblem(path: "linux.maskedPaths", message: "masking paths \(why)"))
        }
        if !(linux.readonlyPaths ?? []).isEmpty {
            problems.append(ConfigProblem(path: "linux.readonlyPaths", message: "making paths read-only \(why)"))
        }
        if spec.root?.readonly == true {
            problems.append(ConfigProblem(path: "root.readonly", message: "a read-only root \(why)"))
        }
        if linux.rootfsPropagation != nil {
            problems.append(ConfigProblem(path: "linux.rootfsPropagation", message: "the root's propagation \(why)"))
        }
        if options.noPivot {
            problems.append(ConfigProblem(path: "--no-pivot", message: "moving the rootfs onto / \(why)"))
        }
        return problems
    }

    /// The mounts in config order, each option parsed and each bind source
    /// made absolute against the bundle; idmapped mounts get their mappings.
    static func planMounts(_ configured: [Mount], bundle: String, containerMappings: IDMappings?,
                           problems: inout [ConfigProblem]) -> [PlannedMount] {
        var mounts: [PlannedMount] = []
        for (index, mount) in configured.enumerated() {
            switch MountOptions.parse(mount.options ?? []) {
            case .failure(let unsupported):
                problems.append(ConfigProblem(path: "mounts[\(index)].options",
                                              message: "mount option \"\(unsupported.option)\" is not supported by berth yet"))
            case .success(var parsed):
                var source = mount.source ?? ""
                if parsed.isBind, !source.hasPrefix("/") { source = bundle + "/" + source }
                let type = mount.type ?? (parsed.isBind ? "bind" : "")
                // The source is not looked at here: the init opens it when
                // the mounts before it are in place (openBindSource).
                var planned = PlannedMount(destination: FileSystem.normalized(mount.destination), source: source,
                                           type: type, options: parsed)
                // Mappings without idmap/ridmap still ask for one (config.md).
                if mount.uidMappings != nil || mount.gidMappings != nil, parsed.idmap == nil {
                    parsed.idmap = .single
                    planned.options = parsed
                }
                if parsed.idmap != nil {
                    let path = "mounts[\(index)]"
                    if !parsed.isBind {
                        problems.append(ConfigProblem(path: path + ".options", message: "berth supports idmap on bind mounts only"))
                    } else if let uid = mount.uidMappings, let gid = mount.gidMappings {
                        planned.idMappings = IDMappings(uid: uid, gid: gid)
                    } else if let containerMappings {
                        planned.idMappings = containerMappings
                    } else {
                        problems.append(ConfigProblem(path: path + ".options",
                            message: "idmap needs uidMappings and gidMappings, or a user namespace of the container"))
                    }
                }
                if let problem = procfsProblem(planned) {
                    problems.append(ConfigProblem(path: "mounts[\(index)].destination", message: problem))
                }
                mounts.append(planned)
            }
        }
        return mounts
    }

    /// Refuses, by name, a mount inside /proc that could redirect writes
    /// meant for procfs (the init checks again once symlinks are resolved).
    static func procfsProblem(_ mount: PlannedMount) -> String? {
        guard mount.destination == "/proc" || mount.destination.hasPrefix("/proc/") else { return nil }
        let sourceIsProcfs = mount.options.isBind
            && FileSystem.fileSystemType(of: mount.source) == FileDescriptor.procSuperMagic
        if mount.mayCoverProcfs(sourceIsProcfs: sourceIsProcfs) { return nil }
        if mount.destination == "/proc" { return "only procfs can be bind-mounted on /proc" }
        return "\(RuntimeError.quoted(mount.destination)) is inside /proc, where berth mounts only over the files "
            + "lxcfs emulates (" + PlannedMount.procfsFilesOthersMayCover.sorted().joined(separator: ", ") + ")"
    }

    /// Without a cgroup namespace a fresh cgroup2 mount shows the whole
    /// hierarchy, just as the host's own mount does, but it costs 10-20 ms
    /// and, made from the host's cgroup namespace, it resets the host's
    /// hierarchy-wide options (nsdelegate, memory_recursiveprot) to the
    /// mount's. A bind of the host's cgroup2 mount gives the same view,
    /// with the config's flags, for the price of a bind (runc binds too
    /// where a fresh mount is refused).
    static func bindCgroupMounts(_ mounts: inout [PlannedMount], from hostPath: String) {
        for index in mounts.indices where mounts[index].type == "cgroup" && !mounts[index].options.isBind {
            mounts[index].source = hostPath
            mounts[index].type = "bind"
            mounts[index].options.flags.insert(.bind)
            mounts[index].options.data = []
        }
    }

    /// runtime-linux.md's default devices (unless /dev is bound from the
    /// host), then the configured ones, a later one replacing an earlier
    /// one at the same path.
    static func planDevices(_ configured: [LinuxDevice], mounts: [PlannedMount]) -> [PlannedDevice] {
        let devNeedsDefaults = !mounts.contains { $0.destination == "/dev" && $0.options.isBind }
        var devices = devNeedsDefaults ? defaultDevices : []
        for device in configured {
            let type: mode_t
            switch DeviceType(rawValue: device.type) {
            case .character?, .unbufferedCharacter?: type = S_IFCHR
            case .block?: type = S_IFBLK
            case .fifo?, nil: type = S_IFIFO
            }
            let planned = PlannedDevice(path: FileSystem.normalized(device.path), mode: type | mode_t(device.fileMode ?? 0o666),
                                        major: UInt32(device.major ?? 0), minor: UInt32(device.minor ?? 0),
                                        uid: device.uid ?? 0, gid: device.gid ?? 0)
            devices.removeAll { $0.path == planned.path }
            devices.append(planned)
        }
        return devices
    }

    /// linux.mountLabel: the SELinux context of the file systems berth
    /// mounts itself (as runc: those that take a context= option), so the
    /// container can use them. Bind mounts keep their files' own labels.
    static func labelMounts(_ mounts: inout [PlannedMount], with label: String) {
        let labelled: Set<String> = ["tmpfs", "devpts", "mqueue", "shm"]
        for index in mounts.indices where !mounts[index].options.isBind && labelled.contains(mounts[index].type) {
            mounts[index].options.data.append("context=\"\(label)\"")
        }
    }

    /// The filter compiled in berth, where its problems get their paths.
    static func planSeccomp(_ linux: Linux, cache: SeccompCache? = nil,
                            problems: inout [ConfigProblem]) -> SeccompProgram? {
        guard let profile = linux.seccomp else { return nil }
        var found: [ConfigProblem] = []
        let compile = { SeccompProgram.compile(profile, at: "linux.seccomp", problems: &found) }
        let program = cache.map { $0.program(for: profile, compile: compile) } ?? compile()
        problems += found
        return program
    }

    /// The process part of a plan, for the container's init and for `exec`.
    static func planProcess(_ process: Process, tuning: ProcessTuning, consoleSocket: String?,
                            relaysTerminal: Bool, host: HostFacts, problems: inout [ConfigProblem],
                            warnings: inout [String]) -> PlannedProcess {
        let capabilities = process.capabilities.map { CapabilitySets.plan($0, host: host, warnings: &warnings) }
            ?? CapabilitySets()
        let rlimits = (process.rlimits ?? []).compactMap { limit in
            Rlimit.resource(of: limit.type).map { (resource: $0, soft: limit.soft, hard: limit.hard) }
        }
        if consoleSocket != nil && process.terminal != true {
            problems.append(ConfigProblem(path: "process.terminal",
                message: "--console-socket was given but the process does not ask for a terminal"))
        }
        if process.terminal == true && consoleSocket == nil && !relaysTerminal {
            problems.append(ConfigProblem(path: "process.terminal",
                message: "a terminal needs --console-socket to hand its master to"))
        }
        return PlannedProcess(
            args: process.args ?? [], env: process.env ?? [], cwd: process.cwd,
            uid: process.user?.uid ?? 0, gid: process.user?.gid ?? 0,
            additionalGids: process.user?.additionalGids ?? [],
            umask: process.user?.umask.map { mode_t($0) }, rlimits: rlimits,
            oomScoreAdj: process.oomScoreAdj, terminal: process.terminal ?? false,
            consoleSize: process.consoleSize.map { (UInt16(clamping: $0.height), UInt16(clamping: $0.width)) },
            noNewPrivileges: process.noNewPrivileges ?? false, capabilities: capabilities,
            lastCapability: host.lastCapability, tuning: tuning)
    }

    /// The devices every container gets (runtime-linux.md "Default Devices").
    static let defaultDevices: [PlannedDevice] = [
        ("/dev/null", 1, 3), ("/dev/zero", 1, 5), ("/dev/full", 1, 7),
        ("/dev/random", 1, 8), ("/dev/urandom", 1, 9), ("/dev/tty", 5, 0),
    ].map { path, major, minor in
        PlannedDevice(path: path, mode: S_IFCHR | 0o666, major: major, minor: minor, uid: 0, gid: 0)
    }
}
