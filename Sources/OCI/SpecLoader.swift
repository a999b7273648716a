// Decoding of config.json (and of the other runtime-spec documents) with
// errors a user can act on: a syntax error by line and column, a bad value
// by its path ("process.user.uid: expected an unsigned 32-bit integer").

public enum SpecLoader {
    /// Decodes `config.json`. Unknown properties are ignored, as the spec
    /// requires; nothing is validated beyond the JSON types (see `validate`).
    public static func decode(_ bytes: [UInt8]) throws(ConfigError) -> Spec {
        try decode(Spec.self, from: bytes)
    }

    /// Decodes any runtime-spec document (`State`, `Features`, berth's own
    /// records) the same way.
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws(ConfigError) -> T {
        let tree: JSONValue
        do {
            tree = try JSONParser.parse(bytes)
        } catch {
            throw ConfigError(problems: [ConfigProblem(path: JSONPath.document, message: "not valid JSON: \(error)")])
        }
        // No system call can take a string with a NUL byte: C would cut it
        // there, silently (a cgroupsPath of "\u0000" named the root cgroup).
        let nulProblems = nulBytes(in: tree, at: "")
        if !nulProblems.isEmpty { throw ConfigError(problems: nulProblems) }
        do {
            return try JSONValueDecoder.decode(type, from: tree)
        } catch let diagnosis as DecodeProblem {
            throw ConfigError(problems: [diagnosis.problem])
        } catch {
            // Not from JSONValueDecoder: a model's own init(from:) refused a value.
            throw ConfigError(problems: [problem(from: error)])
        }
    }

    /// Every string, key or value, that holds a NUL byte, by its path.
    static func nulBytes(in value: JSONValue, at path: String) -> [ConfigProblem] {
        let message = "contains a NUL byte, which no system call can take"
        switch value {
        case .string(let text):
            return text.utf8.contains(0) ? [ConfigProblem(path: path.isEmpty ? JSONPath.document : path, message: message)] : []
        case .array(let elements):
            return elements.indices.flatMap { nulBytes(in: elements[$0], at: JSONPath.element(path, $0)) }
        case .object(let members):
            return members.keys.sorted().flatMap { key in
                let memberPath = JSONPath.member(path, key)
                let keyProblem = key.utf8.contains(0) ? [ConfigProblem(path: memberPath, message: "its name " + message)] : []
                return keyProblem + nulBytes(in: members[key]!, at: memberPath)
            }
        default:
            return []
        }
    }

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
