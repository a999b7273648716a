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

/// Validates JSON against a schema of the spec with Debian's python3-jsonschema
/// (`Tests/validate-schema.py`, shared with the integration tests), so that
/// what berth writes is checked by an implementation other than its own.
enum SchemaValidator {
    static let python = "/usr/bin/python3"

    /// `Tests/validate-schema.py`, found from this file as the spec is.
    static func script(filePath: String = #filePath) -> URL {
        URL(fileURLWithPath: filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("validate-schema.py")
    }

    /// The schema violations of `document` (empty if valid); throws if the
    /// validator cannot run, so that a missing tool fails the test.
    static func violations(of document: [UInt8], schema: String) throws -> [String] {
        let schemaDirectory = try SpecFixtures.directory().appendingPathComponent("schema")
        let documentURL = FileManager.default.temporaryDirectory
            .appendingPathComponent("berth-schema-\(UUID().uuidString).json")
        try Data(document).write(to: documentURL)
        defer { try? FileManager.default.removeItem(at: documentURL) }

        let process = Foundation.Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script().path, schemaDirectory.path, schema, documentURL.path]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw FixtureError(description: "cannot run \(python) (\(error)): apt-get install python3 python3-jsonschema")
        }
        // The problems are a few lines: reading stdout to its end before
        // stderr cannot fill the stderr pipe and block the script.
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let reason = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        switch process.terminationStatus {
        case 0: return []
        case 1 where !text.isEmpty: return text.split(separator: "\n").map(String.init)
        default:
            throw FixtureError(description: "schema validation could not run (status \(process.terminationStatus)): \(reason)\(text)")
        }
    }
}

extension ValidationEnvironment {
    /// Every path exists.
    static let everything = ValidationEnvironment(pathExists: { _ in true })
}
