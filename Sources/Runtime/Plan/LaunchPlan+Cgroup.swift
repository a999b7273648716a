import Cgroups
import LinuxSystem
import OCI

/// Where the container's cgroup goes and what is written into it.
public struct PlannedCgroup: Sendable {
    public var mount: CgroupMount
    public var relativePath: String
    /// True when berth chose the path (no cgroupsPath): a cgroup already
    /// there is then not one to join but another container's, or one a
    /// dead berth left.
    public var pathIsDefault: Bool = false
    public var settings: [CgroupSetting]
    public var controllers: Set<String>
    /// The device rules the eBPF filter enforces: the config's, then the
    /// devices every container may use.
    public var deviceRules: [DeviceRule]
}

extension LaunchPlan {
    /// nil when the host has no cgroup v2 hierarchy and the config asks for
    /// neither limits nor a cgroupsPath: the container then runs without a
    /// cgroup of its own.
    static func planCgroup(id: String, linux: Linux, mount: CgroupMount?, callerCgroup: () -> String,
                           problems: inout [ConfigProblem]) -> PlannedCgroup? {
        let (settings, translationProblems) = linux.resources.map(CgroupSettings.translate) ?? ([], [])
        problems += translationProblems
        let devices = linux.resources?.devices ?? []
        let (deviceRules, deviceProblems) = DeviceFilter.rules(from: devices)
        problems += deviceProblems
        guard let mount else {
            if !settings.isEmpty || !devices.isEmpty {
                problems.append(ConfigProblem(path: "linux.resources", message: "this host has no cgroup v2 hierarchy"))
            }
            if !(linux.cgroupsPath ?? "").isEmpty {
                problems.append(ConfigProblem(path: "linux.cgroupsPath",
                    message: "this host has no cgroup v2 hierarchy (berth manages cgroup v2 only)"))
            }
            return nil
        }
        let controllers = Set(settings.compactMap(\.controller))
        for controller in controllers.sorted() where !mount.controllers.contains(controller) {
            problems.append(ConfigProblem(path: "linux.resources." + configSection(of: controller),
                message: "\(controller) controller not available in cgroup v2 at \(mount.path)"))
        }
        switch Cgroup.relativePath(cgroupsPath: linux.cgroupsPath, id: id, callerCgroup: callerCgroup) {
        case .failure(let problem):
            problems.append(problem)
            return nil
        case .success(let relativePath):
            return PlannedCgroup(mount: mount, relativePath: relativePath, pathIsDefault: (linux.cgroupsPath ?? "").isEmpty,
                                 settings: settings, controllers: controllers,
                                 deviceRules: deviceRules + DeviceFilter.defaultAllowed)
        }
    }

    /// The part of linux.resources a controller serves, for messages.
    static func configSection(of controller: String) -> String {
        let sections = ["memory": "memory", "cpu": "cpu", "cpuset": "cpu", "pids": "pids", "io": "blockIO",
                        "hugetlb": "hugepageLimits", "rdma": "rdma"]
        return sections[controller] ?? "unified"
    }
}
