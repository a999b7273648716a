import Glibc
import LinuxSystem

/// A container without a mount namespace of its own mounts into berth's:
/// its mounts below the rootfs stay on the host after its init is gone
/// (runc leaves them there). berth notes which mounts were below the rootfs
/// before create, and `delete` (or a failed create) unmounts the others.
enum SharedMountNamespace {
    /// The ids of the mounts below `rootfs` now.
    static func mountIDs(below rootfs: String) -> [UInt64] {
        guard let root = try? FileDescriptor.open(rootfs, O_PATH | O_DIRECTORY) else { return [] }
        defer { root.close() }
        return mounts(below: root).map(\.id)
    }

    /// Unmounts every mount below `rootfs` whose id is not in `kept`,
    /// deepest (and latest) first. Each is reached through the rootfs with
    /// RESOLVE_IN_ROOT and unmounted only if the mount found there is the
    /// one named: a container that swapped a directory on the way for a
    /// symlink cannot make berth unmount a host mount.
    static func unmountAdded(below rootfs: String, keeping kept: [UInt64], system: any SystemCalls, log: Log) {
        guard let root = try? FileDescriptor.open(rootfs, O_PATH | O_DIRECTORY) else { return }
        defer { root.close() }
        let keep = Set(kept)
        for mount in mounts(below: root) where !keep.contains(mount.id) {
            do throws(Errno) {
                let point = try RootedPath.open(mount.inside, in: root)
                defer { point.close() }
                guard point.mountID == mount.id else {
                    log.warning("unmount \(mount.inside) in \(rootfs): another mount is there now; left alone")
                    continue
                }
                try system.unmount(RootedPath.procPath(of: point), detach: true)
            } catch .notFound {
                continue  // gone with a mount above it
            } catch {
                log.warning("unmount \(mount.inside) in \(rootfs): \(error)")
            }
        }
    }

    /// mountinfo names mount points by their resolved path, so the rootfs
    /// is named the same way (through its descriptor), whatever symlinks
    /// the configured path has.
    private static func mounts(below root: FileDescriptor) -> [(id: UInt64, inside: String)] {
        guard let resolved = FileSystem.readLink(RootedPath.procPath(of: root)), resolved.hasPrefix("/") else { return [] }
        return MountTable.mounts(below: resolved, in: MountTable.current()).map { mount in
            (mount.id, String(mount.path.dropFirst(resolved == "/" ? 0 : resolved.utf8.count)))
        }
    }
}
