// The config written by `berth spec`, and the JSON berth writes, checked
// against the spec's JSON Schemas.

import Testing
@testable import OCI

@Suite struct DefaultSpecTests {
    @Test(arguments: [false, true])
    func theDefaultSpecValidatesWithoutProblems(rootless: Bool) {
        let spec = Spec.defaultSpec(rootless: rootless, uid: 1000, gid: 1000)
        #expect(spec.validate(for: .create, environment: .everything) == [])
    }

    @Test(arguments: [false, true])
    func theDefaultSpecMatchesTheConfigSchema(rootless: Bool) throws {
        let json = Spec.defaultSpec(rootless: rootless, uid: 1000, gid: 1000).encodedJSON()
        #expect(try SchemaValidator.violations(of: json, schema: "config-schema.json") == [])
    }

    @Test(arguments: [false, true])
    func theDefaultSpecSurvivesEncodingAndDecoding(rootless: Bool) throws {
        let spec = Spec.defaultSpec(rootless: rootless, uid: 1000, gid: 1000)
        #expect(try SpecLoader.decode(spec.encodedJSON()) == spec)
    }

    @Test func theDefaultSpecIsRuncs() throws {
        let spec = Spec.defaultSpec(rootless: false, uid: 1000, gid: 1000)
        #expect(spec.ociVersion == "1.3.0")
        #expect(spec.process?.args == ["sh"])
        #expect(spec.process?.terminal == true)
        #expect(spec.process?.cwd == "/")
        #expect(spec.process?.capabilities?.effective == ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"])
        #expect(spec.process?.rlimits == [POSIXRlimit(type: "RLIMIT_NOFILE", hard: 1024, soft: 1024)])
        #expect(spec.root == Root(path: "rootfs", readonly: true))
        #expect(spec.hostname == "berth")
        #expect(spec.mounts?.map(\.destination) == ["/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/sys/fs/cgroup"])
        #expect(spec.mounts?[2].options?.contains("gid=5") == true)
        #expect(spec.linux?.namespaces?.map(\.type) == ["pid", "network", "ipc", "uts", "mount", "cgroup"])
        #expect(spec.linux?.resources?.devices == [LinuxDeviceCgroup(allow: false, access: "rwm")])
        #expect(spec.linux?.uidMappings == nil)
    }

    @Test func theRootlessSpecMapsTheUserToRootInAUserNamespace() throws {
        let spec = Spec.defaultSpec(rootless: true, uid: 1000, gid: 1001)
        #expect(spec.linux?.namespaces?.map(\.type) == ["pid", "ipc", "uts", "mount", "cgroup", "user"])
        #expect(spec.linux?.uidMappings == [LinuxIDMapping(containerID: 0, hostID: 1000, size: 1)])
        #expect(spec.linux?.gidMappings == [LinuxIDMapping(containerID: 0, hostID: 1001, size: 1)])
        #expect(spec.linux?.resources == nil)
        let sys = try #require(spec.mounts?.first { $0.destination == "/sys" })
        #expect(sys == Mount(destination: "/sys", type: "none", source: "/sys", options: ["rbind", "nosuid", "noexec", "nodev", "ro"]))
        let options = spec.mounts?.flatMap { $0.options ?? [] } ?? []
        #expect(!options.contains { $0.hasPrefix("gid=") || $0.hasPrefix("uid=") })
    }

    @Test func encodedJSONIsPrettyWithSortedKeysAndNoNulls() throws {
        let text = String(decoding: Spec.defaultSpec(rootless: false, uid: 0, gid: 0).encodedJSON(), as: UTF8.self)
        #expect(text.hasPrefix("{\n  \"hostname\" : \"berth\",\n  \"linux\" : {"))
        #expect(!text.contains("null"))
        #expect(!text.contains("domainname"))
        #expect(text.contains("\"/dev/pts\""))  // slashes are not escaped
    }

    @Test func anEncodedStateMatchesTheStateSchema() throws {
        let state = State(id: "c1", status: "created", pid: 4242, bundle: "/srv/bundles/c1", annotations: ["key": "value"])
        #expect(try SchemaValidator.violations(of: state.encodedJSON(), schema: "state-schema.json") == [])
        #expect(try SpecLoader.decode(State.self, from: state.encodedJSON()) == state)
    }

    @Test func anEncodedFeaturesDocumentMatchesTheFeaturesSchema() throws {
        let features = Features(
            ociVersionMin: "1.0.0", ociVersionMax: "1.3.0",
            hooks: ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"],
            mountOptions: ["bind", "rbind", "ro"],
            linux: LinuxFeatures(
                namespaces: ["pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time"],
                capabilities: Capability.all.map(\.name),
                cgroup: .init(v1: false, v2: true, systemd: false, systemdUser: false, rdma: false),
                seccomp: .init(
                    enabled: true, actions: ["SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO"], operators: ["SCMP_CMP_EQ"],
                    archs: ["SCMP_ARCH_X86_64"], knownFlags: ["SECCOMP_FILTER_FLAG_LOG"], supportedFlags: []
                ),
                apparmor: .init(enabled: false), selinux: .init(enabled: false),
                intelRdt: .init(enabled: false, schemata: false, monitoring: false),
                memoryPolicy: .init(modes: ["MPOL_DEFAULT"], flags: []),
                mountExtensions: .init(idmap: .init(enabled: true)), netDevices: .init(enabled: false)
            ),
            annotations: ["org.berth.version": "0.1.0"],
            potentiallyUnsafeConfigAnnotations: ["org.berth."]
        )
        #expect(try SchemaValidator.violations(of: features.encodedJSON(), schema: "features-schema.json") == [])
        #expect(try SpecLoader.decode(Features.self, from: features.encodedJSON()) == features)
    }
}
