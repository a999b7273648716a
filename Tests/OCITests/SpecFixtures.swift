// Access to the runtime-spec checkout (its schemas and example documents)
// and to the JSON Schema validator (python3 + jsonschema) used as an oracle.

import Foundation
import Testing
@testable import OCI

struct FixtureError: Error, CustomStringConvertible {
    var description: String
}

enum SpecFixtures {
    /// The oci-runtime-spec directory: $BERTH_OCI_SPEC_DIR, or `shared/oci-runtime-spec`
    /// next to or inside an ancestor of this file (CI clones the repository
    /// at X with the spec at X/../shared/oci-runtime-spec).
    static func directory(filePath: String = #filePath) throws -> URL {
        if let configured = ProcessInfo.processInfo.environment["BERTH_OCI_SPEC_DIR"], !configured.isEmpty {
            let url = URL(fileURLWithPath: configured)
            guard isSpecDirectory(url) else {
                throw FixtureError(description: "BERTH_OCI_SPEC_DIR=\(configured) holds no schema/config-schema.json")
            }
            return url
        }
        // Resolving symlinks matters when this target is built from a
        // private package that links to the sources.
        var ancestor = URL(fileURLWithPath: filePath).resolvingSymlinksInPath().deletingLastPathComponent()
        while ancestor.path != "/" {
            for candidate in ["../shared/oci-runtime-spec", "shared/oci-runtime-spec"] {
                let url = ancestor.appendingPathComponent(candidate).standardizedFileURL
                if isSpecDirectory(url) { return url }
            }
            ancestor.deleteLastPathComponent()
        }
        throw FixtureError(description: """
            cannot find the OCI runtime-spec checkout (schema/config-schema.json): set BERTH_OCI_SPEC_DIR \
            or put it at <repository>/../shared/oci-runtime-spec
            """)
    }

    private static func isSpecDirectory(_ url: URL) -> Bool {
        FileManager.default.fileExists(atPath: url.appendingPathComponent("schema/config-schema.json").path)
    }

    /// The bytes of `schema/test/<kind>/<name>`, e.g. ("config/good", "minimal.json").
    static func example(_ kind: String, _ name: String) throws -> [UInt8] {
        let url = try directory().appendingPathComponent("schema/test/\(kind)/\(name)")
        return Array(try Data(contentsOf: url))
    }

    static func exampleNames(_ kind: String) throws -> [String] {
        let url = try directory().appendingPathComponent("schema/test/\(kind)")
        return try FileManager.default.contentsOfDirectory(atPath: url.path).filter { $0.hasSuffix(".json") }.sorted()
    }

    /// The problems of a document: its decoding error, or else its validation problems.
    static func problems(
        of bytes: [UInt8], for purpose: ValidationPurpose = .generic,
        environment: ValidationEnvironment = .permissive
    ) -> [ConfigProblem] {
        do {
            return try SpecLoader.decode(bytes).validate(for: purpose, environment: environment)
        } catch {
            return error.problems
        }
    }

    static func bytes(_ json: String) -> [UInt8] { Array(json.utf8) }
}

/// Validates JSON against a schema of the spec with python3's jsonschema, so
/// that what berth writes is checked by an implementation other than its own.
enum SchemaValidator {
    private static let script = #"""
        import json, pathlib, sys
        try:
            import jsonschema, referencing
            from referencing.jsonschema import DRAFT4
        except ImportError as error:
            print(f"{error}: run `pip install jsonschema`")
            sys.exit(3)
        schema_dir = pathlib.Path(sys.argv[1]).resolve()
        resources = [
            (path.as_uri(), referencing.Resource.from_contents(json.loads(path.read_text()), default_specification=DRAFT4))
            for path in schema_dir.glob("*.json")
        ]
        registry = referencing.Registry().with_resources(resources)
        schema = json.loads((schema_dir / sys.argv[2]).read_text())
        schema["id"] = (schema_dir / sys.argv[2]).as_uri()  # base for "defs.json#/..." references
        document = json.loads(pathlib.Path(sys.argv[3]).read_text())
        errors = list(jsonschema.Draft4Validator(schema, registry=registry).iter_errors(document))
        for error in errors:
            print("/".join(str(part) for part in error.absolute_path) or "(document)", ":", error.message)
        sys.exit(1 if errors else 0)
        """#

    /// The schema violations of `document` (empty if valid); throws if the
    /// validator cannot run, so that a missing tool fails the test.
    static func violations(of document: [UInt8], schema: String) throws -> [String] {
        let schemaDirectory = try SpecFixtures.directory().appendingPathComponent("schema")
        let documentURL = FileManager.default.temporaryDirectory
            .appendingPathComponent("berth-schema-\(UUID().uuidString).json")
        try Data(document).write(to: documentURL)
        defer { try? FileManager.default.removeItem(at: documentURL) }

        let python = Foundation.Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", "-c", script, schemaDirectory.path, schema, documentURL.path]
        let output = Pipe()
        python.standardOutput = output
        python.standardError = output
        do {
            try python.run()
        } catch {
            throw FixtureError(description: "cannot run python3 (\(error)): install python3, then `pip install jsonschema`")
        }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        python.waitUntilExit()
        switch python.terminationStatus {
        case 0: return []
        case 1: return text.split(separator: "\n").map(String.init)
        case 3: throw FixtureError(description: "python3 lacks jsonschema: \(text)")
        default: throw FixtureError(description: "schema validation failed to run (status \(python.terminationStatus)): \(text)")
        }
    }
}

extension ValidationEnvironment {
    /// Every path exists and the kernel knows every capability up to CAP_CHECKPOINT_RESTORE.
    static let everything = ValidationEnvironment(lastCapability: 40, pathExists: { _ in true })
}
