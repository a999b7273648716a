import Cgroups
import LinuxSystem
import OCI

extension Runtime {
    /// Writes new limits into a live container's cgroup: `resources` is
    /// completed from the cgroup's current values (see
    /// `ResourceUpdate.completing`), translated as at create (every problem
    /// named by its JSON path), the controllers it needs are enabled on the
    /// way down from the hierarchy's root, and the files are written.
    /// memory.checkBeforeUpdate, from the update or the container's
    /// config.json, refuses a memory limit not above the current usage.
    public func update(id: String, resources requested: LinuxResources) throws(RuntimeError) {
        let lock = try store.lock(id)
        defer { lock.unlock() }
        let record = try loadRecord(id)
        let status = status(of: record)
        guard status.canUpdate else { throw status.refusal(of: .update, id: id) }
        let cgroup = try requireCgroup(of: record, for: "update")
        var resources = ResourceUpdate.completing(requested, current: cgroup.read)
        if let devices = resources.devices, !devices.isEmpty {
            throw RuntimeError(.invalidConfig, "update container \(id): linux.resources.devices cannot be updated")
        }
        resources.devices = nil
        let (settings, problems) = CgroupSettings.translate(resources)
        guard problems.isEmpty else {
            throw RuntimeError(.invalidConfig, "update container \(id): invalid resources",
                               details: problems.map { $0.description.replacingPrefix("linux.resources.") })
        }
        if resources.memory != nil, resources.memory?.checkBeforeUpdate == nil, try configuredCheckBeforeUpdate(record) {
            resources.memory?.checkBeforeUpdate = true
        }
        if let refusal = ResourceUpdate.checkMemory(resources, usage: cgroup.read("memory.current").flatMap { UInt64($0) }) {
            throw RuntimeError(.invalidState, "update container \(id): \(refusal)")
        }
        guard !settings.isEmpty else { return }
        guard let mount = CgroupMount.find(), cgroup.path.hasPrefix(mount.path + "/") else {
            throw RuntimeError(.system, "update container \(id): its cgroup \(cgroup.path) is not in the cgroup v2 hierarchy")
        }
        let controllers = Set(settings.compactMap { $0.controller })
        for controller in controllers.sorted() where !mount.controllers.contains(controller) {
            throw RuntimeError(.invalidConfig,
                "update container \(id): \(controller) controller not available in cgroup v2 at \(mount.path)")
        }
        try cgroupAttempt { () throws(CgroupError) in
            _ = try Cgroup.create(String(cgroup.path.dropFirst(mount.path.count)), in: mount, controllers: controllers)
            try cgroup.apply(settings)
        }
        log.debug("container \(id): updated \(settings.map { $0.description }.joined(separator: " "))")
    }

    /// linux.resources.memory.checkBeforeUpdate of the config create kept,
    /// not of the bundle's config.json, which may have changed since.
    func configuredCheckBeforeUpdate(_ record: ContainerRecord) throws(RuntimeError) -> Bool {
        let bytes = try store.loadConfig(record.id)
        do {
            return try SpecLoader.decode(bytes).linux?.resources?.memory?.checkBeforeUpdate == true
        } catch {
            throw RuntimeError(.system, "read \(store.configPath(of: record.id)): \(error)")
        }
    }

    /// An OCI LinuxResources document, with errors naming JSON paths.
    public static func decodeResources(_ bytes: [UInt8], source: String) throws(RuntimeError) -> LinuxResources {
        do {
            return try SpecLoader.decode(LinuxResources.self, from: bytes)
        } catch {
            throw RuntimeError(.invalidConfig, "read resources from \(source)",
                               details: error.problems.map(\.description))
        }
    }
}

private extension String {
    func replacingPrefix(_ prefix: String) -> String {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : self
    }
}
