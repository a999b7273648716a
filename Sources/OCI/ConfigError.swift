// Problems found in a configuration, each tied to the JSON path of the value
// at fault so that the user can find it: `linux.namespaces[2].type: …`.

/// One fault in a JSON document.
public struct ConfigProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// Dotted path with `[index]` for array elements, `["key"]` for map keys
    /// that are not plain names, or `(document)` for the document itself.
    public var path: String
    /// Lowercase, without the path.
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}

/// A configuration that cannot be used, with every problem found.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var problems: [ConfigProblem]

    public init(problems: [ConfigProblem]) {
        self.problems = problems
    }

    public var description: String {
        problems.map(\.description).joined(separator: "\n")
    }
}

/// Builds the paths used in `ConfigProblem`.
enum JSONPath {
    static let document = "(document)"

    static func member(_ base: String, _ key: String) -> String {
        guard isPlainName(key) else { return "\(base)[\"\(key)\"]" }
        return base.isEmpty ? key : "\(base).\(key)"
    }

    static func element(_ base: String, _ index: Int) -> String {
        "\(base)[\(index)]"
    }

    static func render(_ codingPath: [any CodingKey]) -> String {
        let path = codingPath.reduce("") { base, key in
            key.intValue.map { element(base, $0) } ?? member(base, key.stringValue)
        }
        return path.isEmpty ? document : path
    }

    // Keys such as sysctl's `net.ipv4.ip_forward` would read as nested
    // members if written with dots, so anything but a plain name is quoted.
    private static func isPlainName(_ key: String) -> Bool {
        guard let first = key.utf8.first, !isDigit(first) else { return false }
        return key.utf8.allSatisfy { isDigit($0) || isLetter($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
    private static func isLetter(_ c: UInt8) -> Bool {
        (c | 0x20) >= UInt8(ascii: "a") && (c | 0x20) <= UInt8(ascii: "z")
    }
}
