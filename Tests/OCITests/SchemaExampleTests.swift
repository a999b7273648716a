// The example documents shipped with the runtime-spec (schema/test/…).

import Foundation
import Testing
@testable import OCI

@Suite struct SchemaExampleTests {
    static let goodConfigs = [
        "freebsd-example.json", "freebsd-minimal.json", "linux-netdevice.json", "linux-rdma.json",
        "minimal-for-start.json", "minimal.json", "spec-example.json", "zos-example.json", "zos-minimal.json",
    ]

    /// The Linux examples, with the purpose each is complete enough for.
    static let linuxConfigs: [(name: String, purpose: ValidationPurpose)] = [
        ("linux-netdevice.json", .generic), ("linux-rdma.json", .generic), ("minimal.json", .generic),
        ("minimal-for-start.json", .create), ("spec-example.json", .create),
    ]

    /// The Linux bad examples, with the problem berth must report for each.
    static let badConfigs: [(name: String, path: String, message: String)] = [
        ("invalid-json.json", "(document)", "not valid JSON: expected a member name but found character ']' at line 1, column 2"),
        (
            "linux-hugepage.json", "linux.resources.hugepageLimits[0].pageSize",
            "invalid page size \"64kB\": expected a number followed by KB, MB or GB"
        ),
        ("linux-netdevice.json", "linux.netDevices.eth0.name", "expected a string, found a number"),
        ("linux-rdma.json", "linux.resources.rdma.mlx5_1.hcaHandles", "expected an unsigned 32-bit integer, found a string"),
    ]

    @Test func everyExampleInTheSpecIsCovered() throws {
        #expect(try SpecFixtures.exampleNames("config/good") == Self.goodConfigs)
        let badNames = Self.badConfigs.map(\.name) + ["freebsd-vnet-disable.json"]
        #expect(try SpecFixtures.exampleNames("config/bad") == badNames.sorted())
        #expect(try SpecFixtures.exampleNames("state/good") == ["spec-example.json"])
        #expect(try SpecFixtures.exampleNames("state/bad") == ["invalid-json.json"])
        #expect(try SpecFixtures.exampleNames("features/good") == ["minimal.json", "runc.json"])
        #expect(try SpecFixtures.exampleNames("features/bad") == ["missing-ociVersionMax.json"])
    }

    @Test(arguments: goodConfigs)
    func everyGoodExampleDecodes(name: String) throws {
        let bytes = try SpecFixtures.example("config/good", name)
        #expect(throws: Never.self) { try SpecLoader.decode(bytes) }
    }

    @Test(arguments: linuxConfigs)
    func everyGoodLinuxExampleValidatesWithoutProblems(name: String, purpose: ValidationPurpose) throws {
        let spec = try SpecLoader.decode(try SpecFixtures.example("config/good", name))
        #expect(spec.validate(for: purpose, environment: .everything) == [])
    }

    // berth has its own JSON decoder (see JSONText.swift for why);
    // Foundation's, used only here, is the oracle.
    @Test(arguments: goodConfigs)
    func berthsDecoderAgreesWithFoundationsJSONDecoder(name: String) throws {
        let bytes = try SpecFixtures.example("config/good", name)
        #expect(try SpecLoader.decode(bytes) == JSONDecoder().decode(Spec.self, from: Data(bytes)))
    }

    @Test(arguments: badConfigs)
    func everyBadLinuxExampleIsRejectedAtItsPath(name: String, path: String, message: String) throws {
        let problems = SpecFixtures.problems(of: try SpecFixtures.example("config/bad", name))
        #expect(problems == [ConfigProblem(path: path, message: message)])
    }

    // The only fault of this example is in the `freebsd` section, which berth
    // (a Linux runtime) ignores like any property it does not know.
    @Test func theFreeBSDOnlyBadExampleDecodesBecauseOtherPlatformsAreIgnored() throws {
        let bytes = try SpecFixtures.example("config/bad", "freebsd-vnet-disable.json")
        let spec = try SpecLoader.decode(bytes)
        #expect(spec.root == Root(path: "rootfs"))
        #expect(spec.validate(for: .generic, environment: .everything) == [])
    }

    @Test func theGoodStateExampleDecodes() throws {
        let state = try SpecLoader.decode(State.self, from: try SpecFixtures.example("state/good", "spec-example.json"))
        #expect(
            state == State(
                ociVersion: "0.2.0", id: "oci-container1", status: "running", pid: 4422,
                bundle: "/containers/redis", annotations: ["myKey": "myValue"]
            )
        )
    }

    @Test func theBadStateExampleIsRejectedAsInvalidJSON() throws {
        let bytes = try SpecFixtures.example("state/bad", "invalid-json.json")
        let error = #expect(throws: ConfigError.self) { try SpecLoader.decode(State.self, from: bytes) }
        #expect(error?.problems.map(\.path) == ["(document)"])
        #expect(error?.problems.first?.message.hasPrefix("not valid JSON: ") == true)
    }

    @Test(arguments: ["minimal.json", "runc.json"])
    func everyGoodFeaturesExampleDecodes(name: String) throws {
        let features = try SpecLoader.decode(Features.self, from: try SpecFixtures.example("features/good", name))
        #expect(features.ociVersionMin == "1.0.0")
    }

    @Test func theRuncFeaturesExampleKeepsItsLinuxDetails() throws {
        let features = try SpecLoader.decode(Features.self, from: try SpecFixtures.example("features/good", "runc.json"))
        #expect(features.linux?.capabilities?.count == 41)
        #expect(features.linux?.cgroup?.systemdUser == true)
        #expect(features.linux?.seccomp?.supportedFlags == ["SECCOMP_FILTER_FLAG_LOG"])
        #expect(features.linux?.netDevices?.enabled == true)
        #expect(features.annotations?["org.opencontainers.runc.version"] == "1.1.0+dev")
    }

    @Test func theBadFeaturesExampleIsMissingItsMaximumVersion() throws {
        let bytes = try SpecFixtures.example("features/bad", "missing-ociVersionMax.json")
        let error = #expect(throws: ConfigError.self) { try SpecLoader.decode(Features.self, from: bytes) }
        #expect(error?.problems == [ConfigProblem(path: "(document)", message: "missing required field \"ociVersionMax\"")])
    }

    // Guards the schema oracle used elsewhere (Tests/validate-schema.py): it
    // must reject every example the spec calls bad, for each of the three
    // schemas, and accept the good ones; a validator that could not follow
    // the schemas' `$ref`s, or that accepted everything, fails here.
    @Test(arguments: ["config", "state", "features"])
    func theSchemaValidatorRejectsTheBadExamples(kind: String) throws {
        let names = try SpecFixtures.exampleNames("\(kind)/bad")
        #expect(!names.isEmpty)
        for name in names {
            let violations = try SchemaValidator.violations(
                of: try SpecFixtures.example("\(kind)/bad", name), schema: "\(kind)-schema.json")
            #expect(!violations.isEmpty, "\(kind)/bad/\(name) passed the schema")
        }
    }

    @Test(arguments: ["config", "state", "features"])
    func theSchemaValidatorAcceptsTheGoodExamples(kind: String) throws {
        for name in try SpecFixtures.exampleNames("\(kind)/good") {
            let violations = try SchemaValidator.violations(
                of: try SpecFixtures.example("\(kind)/good", name), schema: "\(kind)-schema.json")
            #expect(violations == [], "\(kind)/good/\(name)")
        }
    }

    // The bad rdma example breaks defs.json's uint32, which the config schema
    // reaches through config-linux.json and defs-linux.json: the problem is
    // reported at its path, so every reference on the way was followed.
    @Test func theSchemaValidatorFollowsReferencesAcrossFiles() throws {
        let violations = try SchemaValidator.violations(
            of: try SpecFixtures.example("config/bad", "linux-rdma.json"), schema: "config-schema.json")
        #expect(violations.count == 1)
        #expect(violations.first?.hasPrefix("linux/resources/rdma/mlx5_1/hcaHandles: ") == true)
    }
}
