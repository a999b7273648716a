import Glibc
import LinuxSystem
import OCI
import Testing
@testable import Runtime

/// What create records for later commands: the config as it read it, in the
/// state directory, so that exec and update never read the bundle again.
@Suite struct RecordedConfigTests {
    static func configBytes(env: [String], checkBeforeUpdate: Bool) throws -> [UInt8] {
        var spec = LaunchPlanTests.spec()
        spec.process?.env = env
        spec.linux?.resources = LinuxResources(memory: LinuxMemory(checkBeforeUpdate: checkBeforeUpdate))
        return try JSONText.encode(spec)
    }

    /// A container "c" whose recorded config has `FROM=create` and
    /// checkBeforeUpdate, and whose bundle's config.json says otherwise.
    static func container(in temporary: TemporaryDirectory) throws -> (Runtime, ContainerRecord) {
        let runtime = Runtime(root: temporary.path + "/state", log: .standardError)
        let bundle = temporary.path + "/bundle"
        try FileSystem.makeDirectories(bundle + "/rootfs", mode: 0o755)
        try FileSystem.writeNewFile(bundle + "/config.json", try configBytes(env: ["FROM=bundle"], checkBeforeUpdate: false))
        let record = ContainerRecord(ociVersion: "1.3.0", id: "c", pid: 0, initStartTime: 0, bundle: bundle,
                                     rootfs: bundle + "/rootfs", created: "2026-12-02T00:00:00Z", owner: "root")
        let lock = try runtime.store.claim(record, config: try configBytes(env: ["FROM=create"], checkBeforeUpdate: true))
        defer { lock.unlock() }
        return (runtime, record)
    }

    @Test func theStoreKeepsTheConfigByteForByteBesideTheRecordAndRemovesItWithTheContainer() throws {
        let temporary = TemporaryDirectory()
        let store = StateStore(root: temporary.path)
        let bytes = Array("{\"ociVersion\": \"1.3.0\"}\n".utf8)
        let lock = try store.claim(.claimed("c"), config: bytes)
        #expect(try store.loadConfig("c") == bytes)
        #expect(store.configPath(of: "c") == store.directory(of: "c") + "/config.json")
        try store.remove(holding: lock)
        lock.unlock()
        #expect(!FileSystem.exists(store.configPath(of: "c")))
    }

    @Test func execTakesTheProcessCreateRecordedNotTheBundles() throws {
        let temporary = TemporaryDirectory()
        let (runtime, record) = try Self.container(in: temporary)
        var options = ExecOptions()
        options.command = ["env"]
        let process = try runtime.execProcess(options, base: try runtime.recordedSpec(of: record).process)
        #expect(process.env?.contains("FROM=create") == true, "\(process.env ?? [])")
        #expect(process.args == ["env"])
    }

    @Test func execWorksWithTheBundleGone() throws {
        let temporary = TemporaryDirectory()
        let (runtime, record) = try Self.container(in: temporary)
        try FileSystem.removeTree(record.bundle)
        #expect(try runtime.recordedSpec(of: record).process?.env?.contains("FROM=create") == true)
    }

    @Test func checkBeforeUpdateComesFromTheRecordedConfig() throws {
        let temporary = TemporaryDirectory()
        let (runtime, record) = try Self.container(in: temporary)
        #expect(try runtime.configuredCheckBeforeUpdate(record))
        try FileSystem.removeTree(record.bundle)
        #expect(try runtime.configuredCheckBeforeUpdate(record))
    }

    @Test func aContainerWithoutItsRecordedConfigIsAnErrorNotTheBundlesConfig() throws {
        let temporary = TemporaryDirectory()
        let (runtime, record) = try Self.container(in: temporary)
        unlink(runtime.store.configPath(of: "c"))
        #expect(throws: RuntimeError.self) { try runtime.recordedSpec(of: record) }
        #expect(throws: RuntimeError.self) { try runtime.configuredCheckBeforeUpdate(record) }
    }
}
