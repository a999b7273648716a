// Decoding of config.json (and of the other runtime-spec documents) with
// errors a user can act on.

import FoundationEssentials

public enum SpecLoader {
    /// Decodes `config.json`. Unknown properties are ignored, as the spec
    /// requires; nothing is validated beyond the JSON types (see `validate`).
    public static func decode(_ bytes: [UInt8]) throws(ConfigError) -> Spec {
        try decode(Spec.self, from: bytes)
    }

    /// Decodes any runtime-spec document (`State`, `Features`, …) the same way.
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws(ConfigError) -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch {
            throw ConfigError(problems: [diagnose(type, bytes, failure: error)])
        }
    }

    // JSONDecoder's errors say little (see JSONValue.swift), so the document is
    // read again by a parser and decoder that can say where and why.
    private static func diagnose<T: Decodable>(_ type: T.Type, _ bytes: [UInt8], failure: any Error) -> ConfigProblem {
        let tree: JSONValue
        do {
            tree = try JSONParser.parse(bytes)
        } catch {
            return ConfigProblem(path: JSONPath.document, message: "not valid JSON: \(error)")
        }
        do {
            _ = try JSONValueDecoder.decode(type, from: tree)
        } catch let diagnosis as DecodeProblem {
            return diagnosis.problem
        } catch {
            // Only DecodeProblem is thrown by JSONValueDecoder; anything else
            // comes from a model's own init(from:) and says less than JSONDecoder.
        }
        return problem(from: failure)
    }

    // Only reached if the two decoders disagree; keep what JSONDecoder said.
    private static func problem(from error: any Error) -> ConfigProblem {
        switch error as? DecodingError {
        case .keyNotFound(let key, let context)?:
            ConfigProblem(path: JSONPath.render(context.codingPath), message: "missing required field \"\(key.stringValue)\"")
        case .typeMismatch(_, let context)?, .valueNotFound(_, let context)?, .dataCorrupted(let context)?:
            ConfigProblem(path: JSONPath.render(context.codingPath), message: lowercasingFirst(context.debugDescription))
        default:
            ConfigProblem(path: JSONPath.document, message: lowercasingFirst("\(error)"))
        }
    }

    private static func lowercasingFirst(_ text: String) -> String {
        text.prefix(1).lowercased() + text.dropFirst()
    }
}
