import Glibc
import LinuxSystem
import OCI

/// `linux.intelRdt`: the container's class of service in the resctrl file
/// system, as config-linux.md's rules give it.
public struct PlannedIntelRdt: Sendable, Equatable {
    /// nil: a group named after the container, made and removed by berth.
    /// "/": the default class (resctrl's root).
    public var closID: String?
    /// l3CacheSchema, then memBwSchema, then schemata: the spec's order.
    public var schemata: [String]
    public var enableMonitoring: Bool
}

/// What berth made in resctrl, removed when the container is deleted.
public struct IntelRdtPlacement: Codable, Sendable, Equatable {
    /// The group berth created (closID not set), else nil.
    public var createdGroup: String?
    /// The monitoring group berth created (enableMonitoring), else nil.
    public var createdMonitoringGroup: String?
}

enum IntelRdt {
    /// The resctrl mount point of berth's mount namespace, from mountinfo.
    static func mountPoint(mountinfo: String) -> String? {
        MountTable.mountPoints(ofType: "resctrl", in: mountinfo).first
    }

    static func plan(_ rdt: LinuxIntelRdt, problems: inout [ConfigProblem]) -> PlannedIntelRdt {
        var lines: [String] = []
        if let l3 = rdt.l3CacheSchema { lines.append(l3) }
        if let memoryBandwidth = rdt.memBwSchema { lines.append(memoryBandwidth) }
        lines += rdt.schemata ?? []
        if let closID = rdt.closID, closID != "/",
           closID.isEmpty || closID.contains("/") || closID == "." || closID == ".." {
            problems.append(ConfigProblem(path: "linux.intelRdt.closID", message: "\"\(closID)\" is not a resctrl group name"))
        }
        if rdt.closID == "/" && !lines.isEmpty {
            problems.append(ConfigProblem(path: "linux.intelRdt.closID",
                message: "\"/\" is the host's default class: berth does not write its schemata"))
        }
        return PlannedIntelRdt(closID: rdt.closID, schemata: lines, enableMonitoring: rdt.enableMonitoring ?? false)
    }

    /// Puts `pid` in the container's class of service under `root` (the
    /// resctrl mount), creating or checking the group as the spec says.
    static func apply(_ rdt: PlannedIntelRdt, id: String, pid: pid_t, root: String) throws(RuntimeError) -> IntelRdtPlacement {
        var placement = IntelRdtPlacement()
        let group = rdt.closID == "/" ? root : root + "/" + (rdt.closID ?? id)
        if rdt.closID == nil {
            try make(group)
            placement.createdGroup = group
        } else if !FileSystem.isDirectory(group) {
            guard !rdt.schemata.isEmpty else {
                throw RuntimeError(.invalidConfig, "linux.intelRdt.closID: no resctrl group \(group)")
            }
            try make(group)
        } else if !rdt.schemata.isEmpty {
            let current = FileSystem.readText(group + "/schemata") ?? ""
            let present = Set(current.split(separator: "\n").map(normalized))
            for line in rdt.schemata where !present.contains(normalized(Substring(line))) {
                throw RuntimeError(.invalidConfig,
                    "linux.intelRdt: resctrl group \(group) exists with other schemata (\"\(line)\" is not in it)")
            }
        }
        if !rdt.schemata.isEmpty {
            try write(rdt.schemata.joined(separator: "\n") + "\n", to: group + "/schemata")
        }
        var tasks = group + "/tasks"
        if rdt.enableMonitoring {
            let monitoring = group + "/mon_groups/" + id
            try make(monitoring)
            placement.createdMonitoringGroup = monitoring
            tasks = monitoring + "/tasks"
        }
        try write(String(pid), to: tasks)
        return placement
    }

    /// Removes what `apply` made; the monitoring group first.
    static func remove(_ placement: IntelRdtPlacement) {
        for group in [placement.createdMonitoringGroup, placement.createdGroup].compactMap({ $0 }) {
            rmdir(group)
        }
    }

    /// Schemata lines compare without spaces, case or leading zeros of the
    /// masks, as the kernel prints them its own way.
    static func normalized(_ line: Substring) -> String {
        line.filter { $0 != " " && $0 != "\t" }.lowercased()
            .split(separator: ";").map { domain in
                let parts = domain.split(separator: "=", maxSplits: 1)
                guard parts.count == 2 else { return String(domain) }
                let value = parts[1].drop { $0 == "0" }
                return parts[0] + "=" + (value.isEmpty ? "0" : value)
            }.joined(separator: ";")
    }

    private static func make(_ path: String) throws(RuntimeError) {
        try attempt("create resctrl group \(path)") { () throws(Errno) in try FileSystem.makeDirectory(path, mode: 0o755) }
    }

    private static func write(_ value: String, to path: String) throws(RuntimeError) {
        try attempt("write \(path)") { () throws(Errno) in
            let fd = try FileDescriptor.open(path, O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644)
            defer { fd.close() }
            try fd.writeAll(Array(value.utf8))
        }
    }
}
