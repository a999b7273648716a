import Glibc
import OCI
import Testing
@testable import LinuxSystem
@testable import Runtime

/// Records what the init asks of the kernel instead of doing it, with every
/// /proc/self/fd magic link resolved to the real path it names, and can fail
/// a chosen call.
final class RecordingSystemCalls: SystemCalls, @unchecked Sendable {
    var calls: [String] = []
    var failOnCall: Int?

    func record(_ call: String) throws(Errno) {
        calls.append(call)
        if calls.count == failOnCall { throw Errno(ENODEV) }
    }

    func resolved(_ path: String) -> String {
        guard path.hasPrefix("/proc/self/fd/") else { return path }
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink(path, &buffer, buffer.count - 1)
        return count > 0 ? String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self) : path
    }

    func mount(source: String?, target: String, type: String?, flags: UInt, data: String?) throws(Errno) {
        try record("mount \(type ?? "-") \(resolved(source ?? "-")) \(resolved(target))")
    }
    func unmount(_ target: String, flags: Int32) throws(Errno) { try record("umount \(target)") }
    func pivotRoot(newRoot: String, putOld: String) throws(Errno) { try record("pivot_root \(newRoot)") }
    func changeDirectory(_ path: String) throws(Errno) { try record("chdir \(path)") }
    func changeRoot(_ path: String) throws(Errno) { try record("chroot \(path)") }
    func joinNamespace(path: String, kind: NamespaceKind) throws(Errno) { try record("setns \(kind) \(path)") }
    func setHostname(_ name: String) throws(Errno) { try record("hostname \(name)") }
    func setDomainname(_ name: String) throws(Errno) { try record("domainname \(name)") }
    func setMountAttributes(fd: Int32, set: UInt64, clear: UInt64, propagation: UInt64, recursive: Bool,
                            userNamespace: UInt64) throws(Errno) {
        try record("mount_setattr \(resolved("/proc/self/fd/\(fd)")) set=\(set)")
    }
    func moveMount(_ fd: Int32, to target: Int32) throws(Errno) {
        try record("move_mount \(resolved("/proc/self/fd/\(fd)")) \(resolved("/proc/self/fd/\(target)"))")
    }
}

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
            "mount_setattr \(rootfs)/srv/data set=1",
        ])
        // In a new user namespace devices are bind-mounted from the host.
        #expect(system.calls.dropFirst(6).first == "mount - /dev/null \(rootfs)/dev/null")
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
