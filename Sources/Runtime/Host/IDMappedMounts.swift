import Glibc
import LinuxSystem
import OCI

/// Idmapped bind mounts (`idmap`, `ridmap`). Setting a mapping on a mount
/// needs privileges over the file system's own user namespace, which the
/// container's init in a new user namespace does not have. So berth makes
/// each one before the clone: a detached copy of the source
/// (open_tree OPEN_TREE_CLONE) given the mapping of a user namespace made
/// for it (mount_setattr MOUNT_ATTR_IDMAP); the init inherits the
/// descriptor and attaches it at its destination (move_mount).
enum IDMappedMounts {

    /// The detached, idmapped mounts by their index in `mounts`.
    static func prepare(_ mounts: [PlannedMount], system: any SystemCalls) throws(RuntimeError) -> [Int: FileDescriptor] {
        var prepared: [Int: FileDescriptor] = [:]
        var namespaces: [IDMappings: FileDescriptor] = [:]
        defer { namespaces.values.forEach { $0.close() } }
        do throws(RuntimeError) {
            for (index, mount) in mounts.enumerated() {
                guard let mappings = mount.idMappings, let idmap = mount.options.idmap else { continue }
                if namespaces[mappings] == nil {
                    namespaces[mappings] = try userNamespace(with: mappings, system: system)
                }
                let userns = namespaces[mappings]!
                prepared[index] = try attempt("make an idmapped copy of \(mount.source) for \(mount.destination)") {
                    () throws(Errno) -> FileDescriptor in
                    let tree = try system.cloneMountTree(mount.source, recursive: mount.options.flags.contains(.recursive))
                    do throws(Errno) {
                        try system.setMountAttributes(fd: tree, set: .idmap, clear: [], recursive: idmap == .recursive,
                                                      userNamespace: userns)
                    } catch {
                        tree.close()
                        throw error
                    }
                    return tree
                }
            }
        } catch {
            prepared.values.forEach { $0.close() }
            throw error
        }
        return prepared
    }

    /// A user namespace with `mappings`, held by a descriptor: a child is
    /// cloned into a new one, its maps written, its namespace opened, and
    /// the child killed.
    static func userNamespace(with mappings: IDMappings, system: any SystemCalls) throws(RuntimeError) -> FileDescriptor {
        let pid = try Runtime.cloneChild("create a user namespace for an idmapped mount",
                                         flags: UInt64(NamespaceKind.user.cloneFlag))
        if pid == 0 {
            while true { pause() }
        }
        defer { system.killAndReap(pid) }
        try Runtime.writeIdMappings(mappings, pid: pid)
        return try attempt("open the idmapped mount's user namespace") { () throws(Errno) in
            try FileDescriptor.open("/proc/\(pid)/ns/user", O_RDONLY)
        }
    }
}
