import Foundation

/// Validates JSON documents against the runtime-spec's JSON schemas with
/// Debian's python3-jsonschema, through `Tests/validate-schema.py` (shared
/// with the unit tests; the schemas `$ref` each other by file name).
enum SchemaValidator {
    static let python = "/usr/bin/python3"

    /// `Tests/validate-schema.py`, found from this file as the spec is.
    static func script(from file: String = #filePath) -> String {
        URL(fileURLWithPath: file).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("validate-schema.py").path
    }

    /// The schema errors of the JSON file at `document` (empty when valid).
    /// Throws when python3, jsonschema or the spec's schemas are missing: the
    /// test must fail then, not pass unchecked.
    static func errors(in document: String, schema: String) throws -> [String] {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw IntegrationSetupError(message: "\(python) is missing (apt-get install python3 python3-jsonschema)")
        }
        guard let spec = IntegrationEnvironment.specDirectory() else {
            throw IntegrationSetupError(message: "the OCI runtime-spec directory was not found; set BERTH_OCI_SPEC_DIR")
        }
        let result = try Subprocess.run(python, [script(), spec + "/schema", schema, document])
        switch result.status {
        case 0: return []
        case 1 where !result.stdout.isEmpty: return result.stdout.split(separator: "\n").map(String.init)
        default: throw IntegrationSetupError(message: "schema validation could not run: \(result)")
        }
    }
}
