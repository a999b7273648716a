// The Decoder over `JSONValue` that reads every document berth takes in. It
// fails with a `ConfigProblem` naming the exact path and what was expected
// there, and follows JSONDecoder's rules (missing optional keys and nulls
// are nil, unknown keys are ignored, integral numbers may be written 2.0) so
// that both accept the same documents; OCITests checks the two agree.
//
// Speed: scalars (most of a config) are read straight out of their
// container, and the coding path of a value is only built when a problem is
// reported or a nested container needs it.

/// Thrown by `JSONValueDecoder`: the first problem met.
struct DecodeProblem: Error {
    var problem: ConfigProblem
}

struct JSONValueDecoder: Decoder {
    let value: JSONValue
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try T(from: JSONValueDecoder(value: value, codingPath: []))
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else { throw Scalars.mismatch(value, expected: "an object", at: codingPath) }
        return KeyedDecodingContainer(KeyedContainer(members: members, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = value else { throw Scalars.mismatch(value, expected: "an array", at: codingPath) }
        return UnkeyedContainer(elements: elements, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleValueContainer(value: value, codingPath: codingPath)
    }
}

/// A key built from JSON text (dictionary keys) or an array position.
private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int?

    init(stringValue: String) {
        self.stringValue = stringValue
    }

    init(intValue: Int) {
        stringValue = String(intValue)
        self.intValue = intValue
    }
}

/// The JSON scalars as Swift values, for all three containers. `path` is
/// called only to report a problem.
private enum Scalars {
    static func problem(_ message: String, at path: [any CodingKey]) -> DecodeProblem {
        DecodeProblem(problem: ConfigProblem(path: JSONPath.render(path), message: message))
    }

    static func mismatch(_ value: JSONValue, expected: String, at path: [any CodingKey]) -> DecodeProblem {
        problem("expected \(expected), found \(value.kind)", at: path)
    }

    static func bool(_ value: JSONValue, _ path: () -> [any CodingKey]) throws -> Bool {
        guard case .bool(let flag) = value else { throw mismatch(value, expected: "a boolean", at: path()) }
        return flag
    }

    static func string(_ value: JSONValue, _ path: () -> [any CodingKey]) throws -> String {
        guard case .string(let text) = value else { throw mismatch(value, expected: "a string", at: path()) }
        return text
    }

    static func double(_ value: JSONValue, _ path: () -> [any CodingKey]) throws -> Double {
        guard case .number(let text) = value, let number = Double(text) else {
            throw mismatch(value, expected: "a number", at: path())
        }
        return number
    }

    static func integer<T: FixedWidthInteger>(_ value: JSONValue, _ path: () -> [any CodingKey]) throws -> T {
        guard case .number(let text) = value else { throw mismatch(value, expected: describe(T.self), at: path()) }
        if let exact = T(text) { return exact }
        // JSONDecoder also takes integral numbers written as 2.0 or 1e3.
        if let number = Double(text), number.rounded() == number, let exact = T(exactly: number) { return exact }
        throw problem("expected \(describe(T.self)), found \(text)", at: path())
    }

    private static func describe<T: FixedWidthInteger>(_ type: T.Type) -> String {
        let width = T.bitWidth == Int.bitWidth && (T.self == Int.self || T.self == UInt.self) ? "" : "\(T.bitWidth)-bit "
        return T.isSigned ? "a \(width)integer" : "an unsigned \(width)integer"
    }
}

private struct SingleValueContainer: SingleValueDecodingContainer {
    let value: JSONValue
    let codingPath: [any CodingKey]

    func decodeNil() -> Bool {
        if case .null = value { return true }
        return false
    }

    func decode(_ type: Bool.Type) throws -> Bool { try Scalars.bool(value) { codingPath } }
    func decode(_ type: String.Type) throws -> String { try Scalars.string(value) { codingPath } }
    func decode(_ type: Double.Type) throws -> Double { try Scalars.double(value) { codingPath } }
    func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }
    func decode(_ type: Int.Type) throws -> Int { try Scalars.integer(value) { codingPath } }
    func decode(_ type: Int8.Type) throws -> Int8 { try Scalars.integer(value) { codingPath } }
    func decode(_ type: Int16.Type) throws -> Int16 { try Scalars.integer(value) { codingPath } }
    func decode(_ type: Int32.Type) throws -> Int32 { try Scalars.integer(value) { codingPath } }
    func decode(_ type: Int64.Type) throws -> Int64 { try Scalars.integer(value) { codingPath } }
    func decode(_ type: UInt.Type) throws -> UInt { try Scalars.integer(value) { codingPath } }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try Scalars.integer(value) { codingPath } }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try Scalars.integer(value) { codingPath } }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try Scalars.integer(value) { codingPath } }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try Scalars.integer(value) { codingPath } }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try T(from: JSONValueDecoder(value: value, codingPath: codingPath))
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [String: JSONValue]
    let codingPath: [any CodingKey]

    // Sorted so that, of several bad map entries, the same one is reported each time.
    var allKeys: [Key] { members.keys.sorted().compactMap(Key.init(stringValue:)) }

    func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

    func decodeNil(forKey key: Key) throws -> Bool {
        if case .null = try value(forKey: key) { return true }
        return false
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try Scalars.bool(value(forKey: key)) { codingPath + [key] } }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try Scalars.string(value(forKey: key)) { codingPath + [key] } }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try Scalars.double(value(forKey: key)) { codingPath + [key] } }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { Float(try decode(Double.self, forKey: key)) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try integer(key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try integer(key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try integer(key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try integer(key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try integer(key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try integer(key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try integer(key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try integer(key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try integer(key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try integer(key) }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try T(from: decoder(forKey: key))
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try decoder(forKey: key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try decoder(forKey: key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        JSONValueDecoder(value: .object(members), codingPath: codingPath)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        try decoder(forKey: key)
    }

    private func integer<T: FixedWidthInteger>(_ key: Key) throws -> T {
        try Scalars.integer(value(forKey: key)) { codingPath + [key] }
    }

    private func decoder(forKey key: Key) throws -> JSONValueDecoder {
        JSONValueDecoder(value: try value(forKey: key), codingPath: codingPath + [key])
    }

    private func value(forKey key: Key) throws -> JSONValue {
        guard let value = members[key.stringValue] else {
            throw Scalars.problem("missing required field \"\(key.stringValue)\"", at: codingPath)
        }
        return value
    }
}

private struct UnkeyedContainer: UnkeyedDecodingContainer {
    let elements: [JSONValue]
    let codingPath: [any CodingKey]
    var currentIndex = 0

    init(elements: [JSONValue], codingPath: [any CodingKey]) {
        self.elements = elements
        self.codingPath = codingPath
    }

    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    mutating func decodeNil() throws -> Bool {
        guard case .null = try element() else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try next(Scalars.bool) }
    mutating func decode(_ type: String.Type) throws -> String { try next(Scalars.string) }
    mutating func decode(_ type: Double.Type) throws -> Double { try next(Scalars.double) }
    mutating func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }
    mutating func decode(_ type: Int.Type) throws -> Int { try next(Scalars.integer) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try next(Scalars.integer) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try next(Scalars.integer) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try next(Scalars.integer) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try next(Scalars.integer) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try next(Scalars.integer) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try next(Scalars.integer) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try next(Scalars.integer) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try next(Scalars.integer) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try next(Scalars.integer) }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try T(from: nextDecoder())
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try nextDecoder().container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try nextDecoder().unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        try nextDecoder()
    }

    private var elementPath: [any CodingKey] { codingPath + [AnyKey(intValue: currentIndex)] }

    private mutating func next<T>(_ convert: (JSONValue, () -> [any CodingKey]) throws -> T) throws -> T {
        let converted = try convert(try element()) { elementPath }
        currentIndex += 1
        return converted
    }

    private mutating func nextDecoder() throws -> JSONValueDecoder {
        let decoder = JSONValueDecoder(value: try element(), codingPath: elementPath)
        currentIndex += 1
        return decoder
    }

    private func element() throws -> JSONValue {
        guard !isAtEnd else { throw Scalars.problem("too few elements", at: codingPath) }
        return elements[currentIndex]
    }
}
