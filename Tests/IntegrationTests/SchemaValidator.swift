import Foundation

/// Validates JSON documents against the runtime-spec's JSON schemas with
/// Debian's python3-jsonschema (the schemas `$ref` each other by file name).
enum SchemaValidator {
    static let python = "/usr/bin/python3"

    private static let script = """
        import json, pathlib, sys
        import jsonschema
        directory, schema_name, document = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3]
        schema = json.loads((directory / schema_name).read_text())
        instance = json.loads(pathlib.Path(document).read_text())
        try:
            from referencing import Registry, Resource
            from referencing.jsonschema import DRAFT4
            registry = Registry().with_resources(
                (path.name, Resource.from_contents(json.loads(path.read_text()), default_specification=DRAFT4))
                for path in directory.glob("*.json"))
            validator = jsonschema.Draft4Validator(schema, registry=registry)
        except ImportError:  # jsonschema before 4.18
            resolver = jsonschema.RefResolver(base_uri=directory.as_uri() + "/", referrer=schema)
            validator = jsonschema.Draft4Validator(schema, resolver=resolver)
        errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
        for error in errors:
            print("/".join(map(str, error.absolute_path)) + ": " + error.message)
        sys.exit(1 if errors else 0)
        """

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
        let result = try Subprocess.run(python, ["-c", script, spec + "/schema", schema, document])
        switch result.status {
        case 0: return []
        case 1 where !result.stdout.isEmpty: return result.stdout.split(separator: "\n").map(String.init)
        default: throw IntegrationSetupError(message: "schema validation could not run: \(result)")
        }
    }
}
