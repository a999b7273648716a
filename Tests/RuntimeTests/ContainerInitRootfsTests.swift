import Glibc
import OCI
import Testing
@testable import LinuxSystem
@testable import Runtime

@Suite struct ContainerInitRootfsTests {
    let temporary = TemporaryDirectory()
    var rootfs: String { temporary.path + "/rootfs" }

    func initWith(mounts: [Mount], system: RecordingSystemCalls) throws -> ContainerInit {
        mkdir(rootfs, 0o755)
        let spec = Spec(ociVersion: "1.3.0", process: Process(args: ["true"], cwd: "/"), root: Root(path: rootfs),
                        mounts: mounts,
                        linux: Linux(namespaces: ["user", "mount"].map { LinuxNamespace(type: $0) }))
        let plan = try LaunchPlan.build(id: "c", spec: spec, options: CreateOptions(bundle: temporary.path))
        let none = FileDescriptor(rawValue: -1)
        return ContainerInit(plan: plan, socket: SyncSocket(descriptor: none), execFifo: none, system: system)
    }

    /// The init dies with berth until berth has recorded the container;
    /// then it turns that off and closes the socket, which is what `create`
    /// waits for before it exits.
    @Test func theParentDeathSignalIsTurnedOffOnlyOnceBerthHasRecordedTheContainer() throws {
        let system = RecordingSystemCalls()
        let sockets = try SyncSocket.pair()
        defer { sockets.parent.close() }
        let plan = try initWith(mounts: [], system: system).plan
        let containerInit = ContainerInit(plan: plan, socket: sockets.child, execFifo: FileDescriptor(rawValue: -1),
                                          system: system)
        try sockets.parent.send(.recorded)
        containerInit.waitUntilRecorded()
        #expect(system.calls == ["pdeathsig 0"])
        #expect(try sockets.parent.receiveMessage() == nil, "the init closed its end")
    }

    @Test func mountsHappenInConfigOrderInsideTheRootfs() throws {
        let system = RecordingSystemCalls()
        mkdir(temporary.path + "/data", 0o755)
        let containerInit = try initWith(mounts: [
            Mount(destination: "/proc", type: "proc", source: "proc"),
            Mount(destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "mode=755"]),
            Mount(destination: "/srv/data", type: "bind", source: "data", options: ["rbind", "rro"]),
        ], system: system)
        try containerInit.prepareRootfs().close()
        #expect(Array(system.calls.prefix(6)) == [
            "mount - - /",
            "mount - \(rootfs) \(rootfs)",
            "mount proc proc \(rootfs)/proc",
            "mount tmpfs tmpfs \(rootfs)/dev",
            "mount - \(temporary.path)/data \(rootfs)/srv/data",
            "mount_setattr \(rootfs)/srv/data set=1 recursive",
        ])
        // In a new user namespace devices are bind-mounted from the host.
        #expect(system.calls.dropFirst(6).first == "mount - /dev/null \(rootfs)/dev/null")
    }

    /// The source is opened at its mount, and what is found there then
    /// decides the mount point: a file for a file, a directory otherwise;
    /// the mount binds the opened source itself.
    @Test func aBindSourceOpenedAtItsMountDecidesTheMountPoint() throws {
        let system = RecordingSystemCalls()
        mkdir(temporary.path + "/dir", 0o755)
        let file = temporary.path + "/file"
        close(creat(file, 0o644))
        let containerInit = try initWith(mounts: [
            Mount(destination: "/etc/hosts", type: "bind", source: file, options: ["bind"]),
            Mount(destination: "/srv", type: "bind", source: temporary.path + "/dir", options: ["bind"]),
        ], system: system)
        try containerInit.prepareRootfs().close()
        #expect(system.calls.contains("mount - \(file) \(rootfs)/etc/hosts"))
        #expect(system.calls.contains("mount - \(temporary.path)/dir \(rootfs)/srv"))
        var info = stat()
        #expect(lstat(rootfs + "/etc/hosts", &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG)
        #expect(lstat(rootfs + "/srv", &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR)
    }

    /// berth's side of InitMessage.openMountSource: the source is opened
    /// from the init's root (here this process's) and handed over after
    /// mountSourceOpened; a source that cannot be opened is a failure sent
    /// back, with the step named.
    @Test func berthOpensAMountSourceForTheInitOrSaysWhyNot() throws {
        mkdir(temporary.path + "/volume", 0o755)
        let plan = try initWith(mounts: [
            Mount(destination: "/volume", type: "bind", source: temporary.path + "/volume", options: ["bind"]),
            Mount(destination: "/gone", type: "bind", source: temporary.path + "/gone", options: ["bind"]),
        ], system: RecordingSystemCalls()).plan
        let runtime = Runtime(root: temporary.path + "/state", log: .standardError)
        let sockets = try SyncSocket.pair()
        defer { sockets.parent.close(); sockets.child.close() }

        try runtime.openMountSource(0, of: plan, forInit: getpid(), idmapNamespaces: [:], over: sockets.parent)
        #expect(try sockets.child.receiveMessage() == .mountSourceOpened)
        let source = try sockets.child.descriptor.receiveDescriptor()
        defer { source.close() }
        #expect(FileSystem.readLink(RootedPath.procPath(of: source)) == temporary.path + "/volume")

        try runtime.openMountSource(1, of: plan, forInit: getpid(), idmapNamespaces: [:], over: sockets.parent)
        guard case .failed(let error)? = try sockets.child.receiveMessage() else {
            Issue.record("a missing source was not reported")
            return
        }
        #expect(error.summary.hasPrefix("open bind mount source \(temporary.path)/gone for /gone"), "\(error.summary)")
        #expect(error.errno == Errno(ENOENT))
    }

    @Test func aSymlinkInTheImageCannotPlaceAMountOnTheHost() throws {
        let system = RecordingSystemCalls()
        let hostDirectory = temporary.path + "/host-side"
        mkdir(hostDirectory, 0o755)
        mkdir(rootfs, 0o755)
        symlink(hostDirectory, rootfs + "/evil")
        let containerInit = try initWith(mounts: [Mount(destination: "/evil/x", type: "tmpfs", source: "tmpfs")],
                                         system: system)
        try containerInit.prepareRootfs().close()
        // The absolute link target is resolved inside the rootfs.
        #expect(system.calls.contains("mount tmpfs tmpfs \(rootfs)\(hostDirectory)/x"))
        #expect(try FileSystem.listDirectory(hostDirectory).isEmpty)
    }

    @Test func aFailingMountNamesItsStepAndStopsTheSetUp() throws {
        let system = RecordingSystemCalls()
        system.failOnCall = 4
        let containerInit = try initWith(mounts: [
            Mount(destination: "/proc", type: "proc", source: "proc"),
            Mount(destination: "/dev", type: "tmpfs", source: "tmpfs"),
            Mount(destination: "/sys", type: "sysfs", source: "sysfs"),
        ], system: system)
        do {
            try containerInit.prepareRootfs().close()
            Issue.record("the failing mount was not reported")
        } catch {
            #expect(error.summary == "mount tmpfs on /dev: no such device")
            #expect(system.calls.count == 4)
        }
    }
}
