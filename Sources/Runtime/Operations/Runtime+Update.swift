import Cgroups
import LinuxSystem
import OCI

extension Runtime {
    /// Writes new limits into a live container's cgroup through its manager
    /// (see `CgroupManager.update`): completed from the current values,
    /// translated as at create (every problem named by its JSON path), and
    /// written, enabling the controllers it needs. Devices cannot change.
    /// memory.checkBeforeUpdate, from the update or the container's
    /// config.json, refuses a memory limit not above the current usage.
    public func update(id: String, resources requested: LinuxResources) throws(RuntimeError) {
        let lock = try store.lock(id)
        defer { lock.unlock() }
        let record = try record(id, allowing: .update).record
        let cgroup = try requireCgroup(of: record, for: "update")
        if let devices = requested.devices, !devices.isEmpty {
            throw RuntimeError(.invalidConfig, "update container \(id): linux.resources.devices cannot be updated")
        }
        var resources = requested
        resources.devices = nil
        if resources.memory != nil, resources.memory?.checkBeforeUpdate == nil, try configuredCheckBeforeUpdate(record) {
            resources.memory?.checkBeforeUpdate = true
        }
        let written: [CgroupSetting]
        do throws(CgroupUpdateError) {
            written = try cgroup.update(resources)
        } catch {
            switch error {
            case .invalidResources(let problems):
                throw RuntimeError(.invalidConfig, "update container \(id): invalid resources",
                                   details: problems.map { $0.description.replacingPrefix("linux.resources.") })
            case .refused(let reason):
                throw RuntimeError(.invalidState, "update container \(id): \(reason)")
            case .unavailable(let reason):
                throw RuntimeError(.invalidConfig, "update container \(id): \(reason)")
            case .misplaced(let reason):
                throw RuntimeError(.system, "update container \(id): \(reason)")
            case .failed(let failure):
                throw RuntimeError(.system, failure.message, errno: failure.errno)
            }
        }
        if !written.isEmpty {
            log.debug("container \(id): updated \(written.map { $0.description }.joined(separator: " "))")
        }
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
