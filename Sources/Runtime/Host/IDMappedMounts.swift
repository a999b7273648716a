import Glibc
import LinuxSystem
import OCI

/// Idmapped bind mounts (`idmap`, `ridmap`). Setting a mapping on a mount
/// needs privileges over the file system's own user namespace, which the
/// container's init in a new user namespace does not have. So berth makes
/// each one for the init, when the init reaches that mount (as runc's host
/// side does): a helper process joins the init's mount namespace, where
/// the mounts before it are in place, makes a detached copy of the source
/// (open_tree OPEN_TREE_CLONE), gives it the mapping of a user namespace
/// made for it before the clone (mount_setattr MOUNT_ATTR_IDMAP), and hands
/// it over; the init attaches it at its destination (move_mount).
enum IDMappedMounts {

    /// A user namespace for each distinct mapping of `mounts`, held by a
    /// descriptor until the init has its mounts.
    static func userNamespaces(for mounts: [PlannedMount],
                               system: any SystemCalls) throws(RuntimeError) -> [IDMappings: FileDescriptor] {
        var namespaces: [IDMappings: FileDescriptor] = [:]
        do throws(RuntimeError) {
            for mount in mounts where mount.options.idmap != nil {
                guard let mappings = mount.idMappings, namespaces[mappings] == nil else { continue }
                namespaces[mappings] = try userNamespace(with: mappings, system: system)
            }
        } catch {
            namespaces.values.forEach { $0.close() }
            throw error
        }
        return namespaces
    }

    /// The detached, idmapped copy of `mount`'s source, resolved in the
    /// mount namespace of `pid` (open_tree clones only mounts of the
    /// caller's own mount namespace, and berth must not leave its own: a
    /// child joins it, and sends the copy back).
    static func cloneTree(of mount: PlannedMount, userNamespace: FileDescriptor, inMountNamespaceOf pid: pid_t,
                          system: any SystemCalls) throws(RuntimeError) -> FileDescriptor {
        let what = "make an idmapped copy of \(mount.source) for \(mount.destination)"
        let (ours, helpers) = try attempt(what) { () throws(Errno) in try FileDescriptor.socketPair(.packets) }
        defer { ours.close() }
        let namespace = try attempt(what) { () throws(Errno) in
            try FileDescriptor.open("/proc/\(pid)/ns/mnt", O_RDONLY)
        }
        defer { namespace.close() }
        let helper: pid_t
        do throws(RuntimeError) {
            helper = try Runtime.cloneChild(what)
        } catch {
            helpers.close()
            throw error
        }
        if helper == 0 {
            // The errno of a failure is the helper's exit status.
            do throws(Errno) {
                try system.joinNamespace(namespace, kind: .mount)
                let tree = try system.cloneMountTree(mount.source, recursive: mount.options.flags.contains(.recursive))
                try system.setMountAttributes(fd: tree, set: .idmap, clear: [],
                                              recursive: mount.options.idmap == .recursive, userNamespace: userNamespace)
                try helpers.sendDescriptor(tree.rawValue)
                _exit(0)
            } catch {
                _exit(min(max(error.rawValue, 1), 255))
            }
        }
        helpers.close()
        let tree = Result { () throws(Errno) in try ours.receiveDescriptor() }
        let status = try? system.wait(for: helper, block: true)
        switch tree {
        case .success(let tree):
            return tree
        case .failure(let error):
            let code = status.map { ($0 >> 8) & 0xff } ?? 0
            throw .system(what, code > 0 ? Errno(code) : error)
        }
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
