import Glibc
import LinuxSystem

/// The container's root file system: mounts, devices, pivot_root, masked
/// and read-only paths. Every destination is opened inside the rootfs
/// (RootedPath) and mounted through its /proc/self/fd magic link, so a
/// symlink in the image can never put a mount on the host.
extension ContainerInit {
    func prepareRootfs() throws(RuntimeError) -> FileDescriptor {
        // In the host's own mount namespace neither step is berth's to take:
        // they would change the host's mounts, and chroot needs neither.
        if !plan.sharesMountNamespace {
            // Nothing mounted from now on may propagate back to the host, and
            // pivot_root refuses shared mounts: start from slave (or private),
            // and apply a shared rootfsPropagation only after pivot_root.
            let initial: MountFlags = plan.rootPropagation.contains(.private) ? [.private, .recursive] : [.slave, .recursive]
            try attempt("make / a slave mount") { () throws(Errno) in
                try system.mount(source: nil, target: "/", type: nil, flags: initial, data: nil)
            }
            // pivot_root needs the new root to be a mount point.
            try attempt("bind mount rootfs \(plan.rootfs)") { () throws(Errno) in
                try system.mount(source: plan.rootfs, target: plan.rootfs, type: nil,
                                 flags: [.bind, .recursive], data: nil)
            }
        }
        let root = try attempt("open rootfs \(plan.rootfs)") { () throws(Errno) in
            try FileDescriptor.open(plan.rootfs, O_PATH | O_DIRECTORY)
        }
        for (index, mount) in plan.mounts.enumerated() {
            // Made by berth when the mounts before it are in place.
            let idmapped = mount.idMappings != nil ? try askBerthForSource(of: mount, at: index) : nil
            defer { idmapped?.close() }
            let source = mount.options.isBind && idmapped == nil ? try openBindSource(of: mount, at: index) : nil
            defer { source?.close() }
            try mountInRootfs(mount, root: root, source: source, idmapped: idmapped)
        }
        try createDevices(root: root)
        return root
    }

    /// `source`: a bind mount's source, opened by openBindSource; whether
    /// it is a file decides what mount point is made.
    func mountInRootfs(_ mount: PlannedMount, root: FileDescriptor, source: FileDescriptor? = nil,
                       idmapped: FileDescriptor? = nil) throws(RuntimeError) {
        let what = "mount \(mount.type.isEmpty ? mount.source : mount.type) on \(mount.destination)"
        try refuseMisleadingDestination(of: mount, in: root, source: source, what: what)
        try attempt(what) { () throws(Errno) in
            let sourceIsFile = try source.map { (source) throws(Errno) in
                (try source.status().st_mode & S_IFMT) != S_IFDIR
            } ?? false
            let target = try RootedPath.open(mount.destination, in: root, create: sourceIsFile ? .file : .directory)
            defer { target.close() }
            let options = mount.options
            let coveredMode = mount.takesCoveredMode ? try target.status().st_mode & 0o7777 : nil
            if let idmapped {
                // Made by berth for this mount (IDMappedMounts).
                try system.moveMount(idmapped, to: target)
            } else if options.isBind, let source {
                try system.mount(source: RootedPath.procPath(of: source), target: RootedPath.procPath(of: target), type: nil,
                                 flags: options.flags.intersection([.bind, .recursive]), data: nil)
            } else {
                // berth manages cgroup v2 only: a "cgroup" mount is the v2 hierarchy.
                let type = mount.type == "cgroup" ? "cgroup2" : mount.type
                let flags = mount.isReadOnlyLater ? options.flags.subtracting(.readOnly) : options.flags
                try system.mount(source: mount.source, target: RootedPath.procPath(of: target), type: type,
                                 flags: flags, data: options.data.joined(separator: ","))
            }
            // The fd opened before mounting names the directory under the
            // new mount; the remaining changes are for the mount itself.
            let mounted = try RootedPath.open(mount.destination, in: root)
            defer { mounted.close() }
            if let coveredMode {
                try system.changeMode(".", in: mounted, mode: coveredMode)
            }
            let mountedPath = RootedPath.procPath(of: mounted)
            let extraFlags = options.flags.subtracting([.bind, .recursive])
            if options.isBind && !(extraFlags.isEmpty && options.clearedFlags.isEmpty) {
                try remountBind(mountedPath, flags: extraFlags, clearing: options.clearedFlags)
            }
            for propagation in options.propagation {
                try system.mount(source: nil, target: mountedPath, type: nil, flags: propagation, data: nil)
            }
            if !options.recursiveSet.isEmpty || !options.recursiveClear.isEmpty {
                try system.setMountAttributes(fd: mounted, set: options.recursiveSet, clear: options.recursiveClear,
                                              recursive: true, userNamespace: nil)
            }
        }
    }

    /// The plan refused destinations inside /proc by name; the image's
    /// symlinks are seen only here, where they may lead a destination into
    /// procfs, or put proc or sysfs somewhere other than where it is named.
    private func refuseMisleadingDestination(of mount: PlannedMount, in root: FileDescriptor, source: FileDescriptor?,
                                             what: String) throws(RuntimeError) {
        if mount.needsOrdinaryDirectory, let link = try attempt(what, { () throws(Errno) in
            try RootedPath.symbolicLinkTarget(of: mount.destination, in: root)
        }) {
            throw RuntimeError(.invalidConfig, "\(what): \(mount.destination) in the rootfs is a symbolic link "
                                   + "(to \(link)); \(mount.type) is mounted only on an ordinary directory")
        }
        let landsInProcfs = try attempt(what) { () throws(Errno) -> Bool in
            guard let target = try? RootedPath.open(mount.destination, in: root) else { return false }
            defer { target.close() }
            return target.fileSystemType == FileDescriptor.procSuperMagic
        }
        let sourceIsProcfs = source?.fileSystemType == FileDescriptor.procSuperMagic
        if landsInProcfs && !mount.mayCoverProcfs(sourceIsProcfs: sourceIsProcfs) {
            throw RuntimeError(.invalidConfig, "\(what): the destination resolves to a file of procfs "
                                   + "(through a symbolic link in the rootfs), where berth does not mount")
        }
    }

    /// A bind mount's source, opened now, once the mounts before it are in
    /// place (as runc resolves it): a source under the rootfs may lie in
    /// one of them, and only the file found there says whether the mount
    /// point is a file or a directory. In a user namespace the container's
    /// root may not reach a source the host's root can (a directory of
    /// mode 0700 on the way): then berth opens it, with its own
    /// credentials, in this init's mount namespace.
    func openBindSource(of mount: PlannedMount, at index: Int) throws(RuntimeError) -> FileDescriptor {
        let what = "open bind mount source \(mount.source) for \(mount.destination)"
        do {
            return try FileDescriptor.open(mount.source, O_PATH)
        } catch where plan.has(.user) && (error.rawValue == EACCES || error.rawValue == EPERM) {
            return try askBerthForSource(of: mount, at: index)
        } catch {
            throw .system(what, error)
        }
    }

    /// The source of `plan.mounts[index]` as berth opens it (InitMessage
    /// openMountSource): a descriptor that names it, or an idmapped copy.
    func askBerthForSource(of mount: PlannedMount, at index: Int) throws(RuntimeError) -> FileDescriptor {
        let what = "get bind mount source \(mount.source) for \(mount.destination) from berth"
        let reply = try attempt(what) { () throws(Errno) -> InitMessage? in
            try socket.send(.openMountSource(index: index))
            return try socket.receiveMessage()
        }
        switch reply {
        case .mountSourceOpened?:
            return try attempt(what) { () throws(Errno) in try socket.descriptor.receiveDescriptor() }
        case .failed(let reason)?:
            throw reason
        default:
            throw RuntimeError(.system, "\(what): berth did not answer")
        }
    }

    /// A bind mount takes its flags only on a remount, which replaces them
    /// all: the mount keeps the read-only, nosuid, nodev, noexec and
    /// nosymfollow it got from its source unless an option clears them
    /// (`rw`, `suid`, `dev`, `exec`, `symfollow`). When the kernel refuses
    /// (EPERM: flags it locked because the mount came from a more privileged
    /// user namespace), the remount is tried again keeping every flag the
    /// mount has, so that a locked flag stays rather than fail the
    /// container (runc does the same).
    func remountBind(_ path: String, flags: MountFlags, clearing cleared: MountFlags = []) throws(Errno) {
        let current = FileSystem.mountFlags(of: path)
        let keptUnlessCleared: MountFlags = [.readOnly, .noSuid, .noDev, .noExec, .noSymlinkFollow]
        let wanted = flags.union([.bind, .remount]).union(current.intersection(keptUnlessCleared).subtracting(cleared))
        do {
            try system.mount(source: nil, target: path, type: nil, flags: wanted, data: nil)
        } catch where error.rawValue == EPERM {
            let accessTime: MountFlags = [.noAccessTime, .relativeAccessTime, .strictAccessTime]
            var locked = current.intersection(keptUnlessCleared.union(.noDirectoryAccessTime))
            if wanted.isDisjoint(with: accessTime) { locked.formUnion(current.intersection(accessTime)) }
            let retry = wanted.union(locked)
            guard retry != wanted else { throw error }
            try system.mount(source: nil, target: path, type: nil, flags: retry, data: nil)
        }
    }

    /// Default and configured devices: made with mknod, or bind-mounted from
    /// the host inside a new user namespace, where mknod is not allowed.
    func createDevices(root: FileDescriptor) throws(RuntimeError) {
        let inUserNamespace = plan.has(.user)
        for device in plan.devices {
            let matchesExisting = try attempt("create device \(device.path)") { () throws(Errno) -> Bool? in
                let (parent, name) = try RootedPath.openParent(of: device.path, in: root)
                defer { parent.close() }
                let number = Self.deviceNumber(major: device.major, minor: device.minor)
                var existing = stat()
                if fstatat(parent.rawValue, name, &existing, AT_SYMLINK_NOFOLLOW) == 0 {
                    // Never replaced: it may be a file of the image, or of the
                    // host through a bind mount (config-linux.md: an error).
                    guard (existing.st_mode & S_IFMT) == (device.mode & S_IFMT), existing.st_rdev == number else {
                        return false
                    }
                } else if errno != ENOENT {
                    throw Errno.current
                } else if inUserNamespace {
                    // mknod is not allowed there: the host's node is bound.
                    let target = try RootedPath.open(device.path, in: root, create: .file)
                    defer { target.close() }
                    try system.mount(source: device.path, target: RootedPath.procPath(of: target), type: nil,
                                     flags: .bind, data: nil)
                    return true
                } else {
                    try system.makeNode(name, in: parent, mode: device.mode, device: number)
                }
                try system.changeOwner(name, in: parent, uid: device.uid, gid: device.gid)
                try system.changeMode(name, in: parent, mode: device.mode & 0o7777)
                return true
            }
            if matchesExisting == false {
                throw RuntimeError(.invalidConfig, "create device \(device.path): a different file is already there")
            }
        }
        guard !plan.devices.isEmpty else { return }
        // The links every Linux container has (runtime-linux.md).
        let hasDevpts = plan.mounts.contains { $0.destination == "/dev/pts" }
        var links = [("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                     ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")]
        if hasDevpts { links.append(("ptmx", "pts/ptmx")) }
        try attempt("create /dev links") { () throws(Errno) in
            let dev = try RootedPath.open("/dev", in: root, create: .directory, flags: O_PATH | O_DIRECTORY)
            defer { dev.close() }
            for (name, target) in links {
                if name == "ptmx" { try system.removeFile(name, in: dev) }
                try system.makeSymbolicLink(name, in: dev, to: target)
            }
        }
    }

    /// /dev/console is the container's pty, bound over it, as runc does:
    /// programs that write to the console reach the container's terminal.
    /// Nothing the image put at /dev/console is followed (the class of
    /// CVE-2025-52565): a symlink there is refused, and the mount goes onto
    /// the file opened with O_NOFOLLOW, through its descriptor.
    func bindConsole(_ terminal: FileDescriptor, root: FileDescriptor) throws(RuntimeError) {
        let what = "bind the pty onto /dev/console"
        let (dev, _) = try attempt(what) { () throws(Errno) in try RootedPath.openParent(of: "/dev/console", in: root) }
        defer { dev.close() }
        let console = try attempt(what) { () throws(Errno) in try Self.openConsoleTarget(in: dev) }
        defer { console.close() }
        let info = try attempt(what) { () throws(Errno) in try console.status() }
        let type = info.st_mode & S_IFMT
        guard type == S_IFREG || type == S_IFCHR else {
            let found = type == S_IFLNK ? "a symbolic link" : "neither a file nor a character device"
            throw RuntimeError(.invalidConfig, "\(what): the rootfs has \(found) at /dev/console")
        }
        try attempt(what) { () throws(Errno) in
            try system.mount(source: RootedPath.procPath(of: terminal), target: RootedPath.procPath(of: console),
                             type: nil, flags: .bind, data: nil)
        }
    }

    /// /dev/console itself, never what it may point to: an empty file made
    /// when missing, else whatever is there (a link opened as a link).
    static func openConsoleTarget(in dev: FileDescriptor) throws(Errno) -> FileDescriptor {
        let made = openat(dev.rawValue, "console", O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, 0o666)
        if made >= 0 {
            Glibc.close(made)
        } else if errno != EEXIST {
            throw Errno.current
        }
        return FileDescriptor(rawValue: try retryingInterrupts {
            openat(dev.rawValue, "console", O_PATH | O_NOFOLLOW | O_CLOEXEC)
        })
    }

    /// glibc's makedev.
    static func deviceNumber(major: UInt32, minor: UInt32) -> dev_t {
        let major = dev_t(major), minor = dev_t(minor)
        return ((major & 0xfff) << 8) | (minor & 0xff) | ((minor & ~0xff) << 12) | ((major & ~0xfff) << 32)
    }

    /// Makes the rootfs "/" and detaches the host's root from the container.
    func enterRootfs() throws(RuntimeError) {
        try attempt("change directory to rootfs \(plan.rootfs)") { () throws(Errno) in
            try system.changeDirectory(plan.rootfs)
        }
        if plan.sharesMountNamespace {
            // pivot_root would swap the host's own root. The host's mounts
            // stay reachable for a process that can escape a chroot, as
            // with runc; the man page says so.
            try attempt("chroot into \(plan.rootfs)") { () throws(Errno) in try system.changeRoot(".") }
        } else if plan.options.noPivot {
            try detachFullProcAndSysfs()
            try attempt("move rootfs to / (--no-pivot)") { () throws(Errno) in
                try system.mount(source: plan.rootfs, target: "/", type: nil, flags: .move, data: nil)
                try system.changeRoot(".")
            }
        } else {
            // pivot_root(".", ".") stacks the old root on top of the new one,
            // and umount2 of "." detaches the topmost mount there: the old
            // root. Its unmount cannot reach the host: the whole tree was made
            // a slave (or private) in prepareRootfs. (A mount(2) on "." here
            // would instead reach the new root, and an MS_REC|MS_SLAVE would
            // undo the container's own shared mounts.)
            try attempt("pivot_root into \(plan.rootfs)") { () throws(Errno) in
                try system.pivotRoot(newRoot: ".", putOld: ".")
                try system.unmount(".", detach: true)
            }
        }
        try attempt("change directory to /") { () throws(Errno) in try system.changeDirectory("/") }
    }

    /// With --no-pivot the old root stays in the mount namespace under the
    /// chroot, and with it the host's /proc and /sys. The kernel lets a
    /// user namespace mount a fresh procfs or sysfs only where one is
    /// already fully visible in its mount namespace (mount_too_revealing):
    /// those would count, so a container able to make a user namespace
    /// could mount a procfs without the masks and read-only paths. As runc
    /// does, every full proc and sysfs mount outside the rootfs is detached
    /// first, or, where it cannot be (locked by a user namespace: EINVAL,
    /// EPERM), covered by an empty tmpfs, which then is the locked child
    /// that stops it counting. The whole tree is a slave or private mount
    /// since prepareRootfs: nothing reaches the host.
    func detachFullProcAndSysfs() throws(RuntimeError) {
        // mountinfo shows the rootfs's real path, whatever links led to it.
        var rootfs = plan.rootfs
        if let resolved = realpath(plan.rootfs, nil) {
            rootfs = String(cString: resolved)
            free(resolved)
        }
        let mountPoints = MountTable.fullMountPoints(ofTypes: ["proc", "sysfs"], in: MountTable.current())
        for path in mountPoints where path != rootfs && !path.hasPrefix(rootfs == "/" ? "/" : rootfs + "/") {
            try attempt("detach \(path) outside the rootfs (--no-pivot)") { () throws(Errno) in
                do throws(Errno) {
                    try system.unmount(path, detach: true)
                } catch where error.rawValue == ENOENT {
                    // Under one detached or covered before it.
                } catch where error.rawValue == EINVAL || error.rawValue == EPERM {
                    try system.mount(source: "tmpfs", target: path, type: "tmpfs", flags: [], data: "size=0k")
                }
            }
        }
    }

    /// What is done inside the new root: propagation, masked and read-only
    /// paths, read-only tmpfs mounts now that they are filled, and a
    /// read-only root last (it does not affect submounts).
    func finishRootfs() throws(RuntimeError) {
        if !plan.rootPropagation.isDisjoint(with: [.shared, .unbindable]) {
            try attempt("set rootfs propagation") { () throws(Errno) in
                try system.mount(source: nil, target: "/", type: nil, flags: plan.rootPropagation, data: nil)
            }
        }
        let root = try attempt("open /") { () throws(Errno) in try FileDescriptor.open("/", O_PATH | O_DIRECTORY) }
        defer { root.close() }
        var masks = Masks()
        defer { masks.sharedDirectory?.close() }
        for path in plan.maskedPaths {
            try attempt("mask \(path)") { () throws(Errno) in try mask(path, root: root, masks: &masks) }
        }
        for path in plan.readonlyPaths {
            try attempt("make \(path) read-only") { () throws(Errno) in
                guard let target = try openIfPresent(path, root: root) else { return }
                defer { target.close() }
                let targetPath = RootedPath.procPath(of: target)
                try system.mount(source: targetPath, target: targetPath, type: nil, flags: [.bind, .recursive], data: nil)
                let mounted = try RootedPath.open(path, in: root)
                defer { mounted.close() }
                try remountBind(RootedPath.procPath(of: mounted),
                                flags: [.readOnly, .noSuid, .noDev, .noExec])
            }
        }
        for mount in plan.mounts where mount.isReadOnlyLater {
            try attempt("make \(mount.destination) read-only") { () throws(Errno) in
                let mounted = try RootedPath.open(mount.destination, in: root)
                defer { mounted.close() }
                try remountBind(RootedPath.procPath(of: mounted),
                                flags: mount.options.flags.subtracting([.bind, .recursive, .remount]))
            }
        }
        if plan.rootReadonly {
            try attempt("make the rootfs read-only") { () throws(Errno) in
                try remountBind("/", flags: .readOnly)
            }
        }
    }

    /// What masking has made so far: the first masked directory's tmpfs,
    /// which the others share, and the files (device and inode) that now
    /// hide something.
    struct Masks {
        var sharedDirectory: FileDescriptor?
        var hiding: Set<FileIdentity> = []
    }

    /// Files are hidden under /dev/null, directories under an empty
    /// read-only tmpfs: one for all of them, bound over the others (as runc
    /// and crun do), since every tmpfs is a superblock of its own and
    /// Kubernetes masks one directory per CPU. A path that already leads to
    /// a mask (the same path twice, or another name for it) is left alone,
    /// so each masked path is one mount. The /dev/null used must be the real
    /// null device, not something the image put there (the class of
    /// CVE-2025-31133).
    func mask(_ path: String, root: FileDescriptor, masks: inout Masks) throws(Errno) {
        guard let target = try openIfPresent(path, root: root) else { return }
        defer { target.close() }
        let info = try target.status()
        guard !masks.hiding.contains(FileIdentity(info)) else { return }
        let targetPath = RootedPath.procPath(of: target)
        if (info.st_mode & S_IFMT) == S_IFDIR {
            if let shared = masks.sharedDirectory {
                // A bind keeps the source mount's read-only flag.
                try system.mount(source: RootedPath.procPath(of: shared), target: targetPath, type: nil,
                                 flags: .bind, data: nil)
                return
            }
            try system.mount(source: "tmpfs", target: targetPath, type: "tmpfs", flags: .readOnly, data: "size=0k")
            let mounted = try RootedPath.open(path, in: root)
            masks.sharedDirectory = mounted
            masks.hiding.insert(FileIdentity(try mounted.status()))
            return
        }
        let null = try RootedPath.open("/dev/null", in: root)
        defer { null.close() }
        let nullInfo = try null.status()
        guard (nullInfo.st_mode & S_IFMT) == S_IFCHR, nullInfo.st_rdev == Self.deviceNumber(major: 1, minor: 3) else {
            throw Errno(EPERM)
        }
        try system.mount(source: RootedPath.procPath(of: null), target: targetPath, type: nil, flags: .bind, data: nil)
        masks.hiding.insert(FileIdentity(nullInfo))
    }

    func openIfPresent(_ path: String, root: FileDescriptor) throws(Errno) -> FileDescriptor? {
        do {
            return try RootedPath.open(path, in: root)
        } catch .notFound {
            return nil
        }
    }
}

/// A file as the kernel identifies it: device and inode.
struct FileIdentity: Hashable {
    var device: dev_t
    var inode: ino_t

    init(_ info: stat) {
        device = info.st_dev
        inode = info.st_ino
    }
}
