// A config that does not decode is reported with the path of the first bad
// value and what was expected there.

import Testing
@testable import OCI

@Suite struct DecodingErrorTests {
    static let wrongDocuments: [(json: String, path: String, message: String)] = [
        (#"{"ociVersion": 1}"#, "ociVersion", "expected a string, found a number"),
        (#"{"ociVersion": null}"#, "ociVersion", "expected a string, found null"),
        (#"{}"#, "(document)", #"missing required field "ociVersion""#),
        (#"[]"#, "(document)", "expected an object, found an array"),
        (#"{"ociVersion": "1.0.0", "root": {}}"#, "root", #"missing required field "path""#),
        (#"{"ociVersion": "1.0.0", "process": {"cwd": "/", "args": "sh"}}"#, "process.args", "expected an array, found a string"),
        (#"{"ociVersion": "1.0.0", "process": {"cwd": "/", "terminal": "yes"}}"#, "process.terminal", "expected a boolean, found a string"),
        (#"{"ociVersion": "1.0.0", "process": {"cwd": "/", "user": {"uid": -1}}}"#, "process.user.uid", "expected an unsigned 32-bit integer, found -1"),
        (
            #"{"ociVersion": "1.0.0", "linux": {"namespaces": [{"type": "pid"}, {"type": "ipc"}, {"type": 5}]}}"#,
            "linux.namespaces[2].type", "expected a string, found a number"
        ),
        (
            #"{"ociVersion": "1.0.0", "linux": {"sysctl": {"net.ipv4.ip_forward": 1}}}"#,
            #"linux.sysctl["net.ipv4.ip_forward"]"#, "expected a string, found a number"
        ),
        (
            #"{"ociVersion": "1.0.0", "linux": {"resources": {"memory": {"limit": 1.5}}}}"#,
            "linux.resources.memory.limit", "expected a 64-bit integer, found 1.5"
        ),
        (
            #"{"ociVersion": "1.0.0", "process": {"cwd": "/", "rlimits": [{"type": "RLIMIT_CORE", "soft": 1}]}}"#,
            "process.rlimits[0]", #"missing required field "hard""#
        ),
        (
            "{\n  \"ociVersion\": \"1.0.0\",\n  \"root\": {\"path\": tru}\n}",
            "(document)", "not valid JSON: unexpected character '}' at line 3, column 23"
        ),
        (#"{"ociVersion": "1.0.0"} x"#, "(document)", "not valid JSON: unexpected character 'x' after the document at line 1, column 25"),
        (#"{"ociVersion": "1.0.0""#, "(document)", "not valid JSON: expected ',' or '}' but found end of input at line 1, column 23"),
        ("", "(document)", "not valid JSON: unexpected end of input at line 1, column 1"),
    ]

    @Test(arguments: wrongDocuments)
    func aWrongDocumentIsReportedAtThePathOfItsFault(json: String, path: String, message: String) {
        let error = #expect(throws: ConfigError.self) { try SpecLoader.decode(SpecFixtures.bytes(json)) }
        #expect(error?.problems == [ConfigProblem(path: path, message: message)])
    }

    @Test func aDeeplyNestedDocumentIsRejectedWithoutExhaustingTheStack() {
        let json = #"{"ociVersion": "1.0.0", "x": "# + String(repeating: "[", count: 10_000)
        let error = #expect(throws: ConfigError.self) { try SpecLoader.decode(SpecFixtures.bytes(json)) }
        #expect(error?.problems == [ConfigProblem(path: "(document)", message: "not valid JSON: too deeply nested at line 1, column 541")])
    }

    @Test func aConfigErrorPrintsOneProblemPerLine() {
        let error = ConfigError(problems: [
            ConfigProblem(path: "process.cwd", message: "not an absolute path: \"tmp\""),
            ConfigProblem(path: "(document)", message: "not valid JSON"),
        ])
        #expect(error.description == "process.cwd: not an absolute path: \"tmp\"\n(document): not valid JSON")
    }

    @Test func integralNumbersWrittenWithAFractionStillDecode() throws {
        let spec = try SpecLoader.decode(SpecFixtures.bytes(#"{"ociVersion": "1.0.0", "process": {"cwd": "/", "user": {"uid": 1000.0}}}"#))
        #expect(spec.process?.user?.uid == 1000)
    }

    @Test func anEmptyUserMeansRoot() throws {
        let spec = try SpecLoader.decode(SpecFixtures.bytes(#"{"ociVersion": "1.0.0", "process": {"cwd": "/", "user": {}}}"#))
        #expect(spec.process?.user == User(uid: 0, gid: 0))
    }

    @Test(arguments: [
        (#""a\u00e9\ud83d\ude00\n""#, "a\u{e9}\u{1F600}\n"),
        (#""tab\there""#, "tab\there"),
        (#""slash\/""#, "slash/"),
    ])
    func theDiagnosingParserDecodesStringEscapes(json: String, expected: String) throws {
        guard case .string(let text) = try JSONParser.parse(SpecFixtures.bytes(json)) else {
            Issue.record("not parsed as a string")
            return
        }
        #expect(text == expected)
    }
}
