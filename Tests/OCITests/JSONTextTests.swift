// berth writes its JSON itself (JSONText.swift); Foundation's
// JSONEncoder, used only here, is the oracle for what the bytes must be.

import Foundation
import Testing
@testable import OCI

@Suite struct JSONTextTests {
    private static func foundationJSON(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    @Test(arguments: SchemaExampleTests.goodConfigs)
    func everyGoodExampleIsWrittenByteForByteAsJSONEncoderWritesIt(name: String) throws {
        let spec = try SpecLoader.decode(try SpecFixtures.example("config/good", name))
        #expect(String(decoding: try JSONText.encode(spec), as: UTF8.self)
            == String(decoding: try Self.foundationJSON(spec), as: UTF8.self))
    }

    @Test func stringsAreEscapedOnlyWhereJSONRequires() throws {
        let text = "quote\" backslash\\ slash/ newline\n tab\t bell\u{07} del\u{7F} é \u{1F433}"
        let written = String(decoding: try JSONText.encode([text]), as: UTF8.self)
        #expect(written == #"["quote\" backslash\\ slash/ newline\n tab\t bell\u0007 del"# + "\u{7F} é \u{1F433}\"]")
        #expect(try JSONText.encode([text]) == Self.foundationJSON([text]))
    }

    @Test func keysAreSortedAndNilsOmitted() throws {
        let state = State(ociVersion: "1.3.0", id: "c1", status: "running", pid: nil, bundle: "/b",
                          annotations: ["z": "1", "a": "2", "M": "3"])
        #expect(String(decoding: try JSONText.encode(state), as: UTF8.self)
            == #"{"annotations":{"M":"3","a":"2","z":"1"},"bundle":"/b","id":"c1","ociVersion":"1.3.0","status":"running"}"#)
    }

    @Test func prettyOutputIndentsByTwoSpacesAndWritesEmptyContainersShut() throws {
        struct Sample: Encodable {
            var name = "x"
            var list = [1, 2]
            var empty: [String] = []
            var nothing: [String: Int] = [:]
        }
        let expected = """
            {
              "empty" : [],
              "list" : [
                1,
                2
              ],
              "name" : "x",
              "nothing" : {}
            }
            """
        #expect(String(decoding: try JSONText.encode(Sample(), pretty: true), as: UTF8.self) == expected)
    }

    @Test func numbersKeepTheirFullRange() throws {
        let values: [UInt64] = [0, 1, UInt64.max]
        #expect(String(decoding: try JSONText.encode(values), as: UTF8.self) == "[0,1,18446744073709551615]")
        #expect(String(decoding: try JSONText.encode([Int64.min, -1]), as: UTF8.self) == "[-9223372036854775808,-1]")
        #expect(String(decoding: try JSONText.encode([2.0, 0.5, -1e300]), as: UTF8.self)
            == String(decoding: try Self.foundationJSON([2.0, 0.5, -1e300]), as: UTF8.self))
    }

    @Test func aNumberThatIsNotFiniteIsRefusedWithItsPath() throws {
        struct Sample: Encodable { var ratio = Double.nan }
        #expect(throws: JSONEncodingFailure.self) { try JSONText.encode(Sample()) }
        do {
            _ = try JSONText.encode(Sample())
        } catch {
            #expect(error.reason == "ratio: nan cannot be written as JSON")
        }
    }

    @Test func whatIsWrittenIsReadBackUnchanged() throws {
        for name in SchemaExampleTests.goodConfigs {
            let spec = try SpecLoader.decode(try SpecFixtures.example("config/good", name))
            #expect(try SpecLoader.decode(JSONText.encode(spec, pretty: true)) == spec)
        }
    }
}
