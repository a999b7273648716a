import CBerth
import Glibc
import LinuxSystem

/// Idmapped bind mounts (`idmap`, `ridmap`). Setting a mapping on a mount
/// needs privileges over the file system's own user namespace, which the
/// container's init in a new user namespace does not have. So berth makes
/// each one before the clone: a detached copy of the source
/// (open_tree OPEN_TREE_CLONE) given the mapping of a user namespace made
/// for it (mount_setattr MOUNT_ATTR_IDMAP); the init inherits the
/// descriptor and attaches it at its destination (move_mount).
enum IDMappedMounts {
    static let attrIDMap: UInt64 = 0x0010_0000  // MOUNT_ATTR_IDMAP

    /// The detached, idmapped mounts by their index in `plan.mounts`.
    static func prepare(_ plan: LaunchPlan) throws(RuntimeError) -> [Int: FileDescriptor] {
        var prepared: [Int: FileDescriptor] = [:]
        var namespaces: [IDMappings: FileDescriptor] = [:]
        defer { namespaces.values.forEach { $0.close() } }
        do throws(RuntimeError) {
            for (index, mount) in plan.mounts.enumerated() {
                guard let mappings = mount.idMappings, let idmap = mount.options.idmap else { continue }
                if namespaces[mappings] == nil {
                    namespaces[mappings] = try userNamespace(with: mappings)
                }
                let userns = namespaces[mappings]!
                prepared[index] = try attempt("make an idmapped copy of \(mount.source) for \(mount.destination)") {
                    () throws(Errno) -> FileDescriptor in
                    let recursiveTree = mount.options.flags & UInt(MS_REC) != 0
                    let tree = FileDescriptor(rawValue: try retryingInterrupts {
                        berth_open_tree_clone(mount.source, recursiveTree ? 1 : 0)
                    })
                    do throws(Errno) {
                        try LiveSystemCalls().setMountAttributes(fd: tree.rawValue, set: attrIDMap, clear: 0, propagation: 0,
                                                                 recursive: idmap == .recursive,
                                                                 userNamespace: UInt64(userns.rawValue))
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
    static func userNamespace(with mappings: IDMappings) throws(RuntimeError) -> FileDescriptor {
        let pid = berth_clone(UInt64(NamespaceKind.user.cloneFlag), -1)
        if pid == 0 {
            while true { pause() }
        }
        if pid < 0 { throw .system("create a user namespace for an idmapped mount", .current) }
        defer {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            _ = waitpid(pid, &status, 0)
        }
        try Runtime.writeIdMappings(mappings, pid: pid)
        return try attempt("open the idmapped mount's user namespace") { () throws(Errno) in
            try FileDescriptor.open("/proc/\(pid)/ns/user", O_RDONLY)
        }
    }
}
