// What a config carries beyond berth's needs must survive: annotations
// exactly, unknown properties ignored (config.md "Extensibility").

import Testing
@testable import OCI

@Suite struct RoundTripTests {
    @Test func annotationsRoundTripExactly() throws {
        let annotations = [
            "com.example.key": "value", "empty": "", "org.opencontainers.image.stopSignal": "SIGQUIT",
            "unicode.ключ": "значение \u{1F433}", "quotes\"and\\slashes/": "line\nbreak\ttab",
        ]
        let spec = Spec(root: Root(path: "rootfs"), annotations: annotations)
        let decoded = try SpecLoader.decode(spec.encodedJSON())
        #expect(decoded.annotations == annotations)
        #expect(decoded == spec)
    }

    @Test func unknownPropertiesAreIgnored() throws {
        let json = #"""
            {
              "ociVersion": "1.3.0",
              "futureFeature": {"deeply": [1, 2, {"nested": null}]},
              "windows": {"layerFolders": ["C:\\layers"]},
              "root": {"path": "rootfs", "mode": "fast"},
              "process": {"cwd": "/", "args": ["sh"], "someNewThing": 1},
              "linux": {"namespaces": [{"type": "pid", "flags": 7}], "newSection": {}}
            }
            """#
        let spec = try SpecLoader.decode(SpecFixtures.bytes(json))
        let expected = Spec(
            ociVersion: "1.3.0", process: Process(args: ["sh"], cwd: "/"), root: Root(path: "rootfs"),
            linux: Linux(namespaces: [LinuxNamespace(type: "pid")])
        )
        #expect(spec == expected)
    }

    @Test func everyGoodExampleSurvivesEncodingAndDecoding() throws {
        for name in SchemaExampleTests.goodConfigs {
            let spec = try SpecLoader.decode(try SpecFixtures.example("config/good", name))
            #expect(try SpecLoader.decode(spec.encodedJSON()) == spec, "\(name)")
        }
    }

    @Test func theSpecExampleKeepsItsLargestAndNegativeNumbers() throws {
        let spec = try SpecLoader.decode(try SpecFixtures.example("config/good", "spec-example.json"))
        #expect(spec.linux?.resources?.hugepageLimits?.first?.limit == 9_223_372_036_854_772_000)
        #expect(spec.linux?.resources?.memory?.kernel == -1)
        #expect(spec.linux?.timeOffsets?["monotonic"] == LinuxTimeOffset(secs: 172_800, nanosecs: 0))
        #expect(spec.hooks?.all.map(\.name) == ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"])
    }
}
