// An Encoder into `JSONValue`, and the writer that turns a `JSONValue` into
// text. With the parser and `JSONValueDecoder` this is all the JSON berth
// needs, so it does not link FoundationEssentials: its JSONEncoder and
// JSONDecoder are large, and a runtime started several times per container
// pays for every page of code it touches (see build-support/order-file.sh).

/// How berth writes JSON: object keys sorted (stable, diffable files), `/`
/// never escaped, and optionally indented by two spaces per level.
public enum JSONText {
    public static func encode<T: Encodable>(_ value: T, pretty: Bool = false) throws(JSONEncodingFailure) -> [UInt8] {
        let root = EncodingNode()
        do {
            try value.encode(to: NodeEncoder(node: root, codingPath: []))
        } catch let failure as JSONEncodingFailure {
            throw failure
        } catch {
            throw JSONEncodingFailure(reason: "\(error)")
        }
        var writer = JSONWriter(pretty: pretty)
        writer.write(root.value)
        return writer.bytes
    }
}

/// The only thing that cannot be written: a number that is not finite.
public struct JSONEncodingFailure: Error, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
}

/// A value being encoded. Containers hand out references to their children
/// before the children are filled in, so the tree is built from objects and
/// turned into a `JSONValue` at the end. One of the three is set, or none
/// when the type encoded nothing (written `{}`, as JSONEncoder does).
private final class EncodingNode {
    var scalar: JSONValue?
    var members: [String: EncodingNode]?
    var elements: [EncodingNode]?

    var value: JSONValue {
        if let scalar { return scalar }
        if let elements { return .array(elements.map(\.value)) }
        return .object((members ?? [:]).mapValues(\.value))
    }

    /// A new member; encoding into a node twice (`super.encode(to:)`) adds
    /// to the same object.
    func objectChild(_ key: String) -> EncodingNode {
        let child = EncodingNode()
        if members == nil { members = [:] }
        members![key] = child
        return child
    }

    func appendChild() -> EncodingNode {
        let child = EncodingNode()
        if elements == nil { elements = [] }
        elements!.append(child)
        return child
    }
}

private struct NodeEncoder: Encoder {
    let node: EncodingNode
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if node.members == nil { node.members = [:] }
        return KeyedEncodingContainer(KeyedContainer<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if node.elements == nil { node.elements = [] }
        return UnkeyedContainer(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleValueContainer(node: node, codingPath: codingPath)
    }
}

/// Numbers as JSON text: integers exactly, floating point without a
/// fraction when it is integral (as JSONEncoder writes them).
private enum Scalar {
    static func number<T: FixedWidthInteger>(_ value: T) -> JSONValue { .number(String(value)) }

    static func number(_ value: Double, codingPath: [any CodingKey]) throws(JSONEncodingFailure) -> JSONValue {
        guard value.isFinite else {
            throw JSONEncodingFailure(reason: "\(JSONPath.render(codingPath)): \(value) cannot be written as JSON")
        }
        if value == value.rounded(), abs(value) < 1e15 { return .number(String(Int64(value))) }
        return .number(String(value))
    }

    static func encode<T: Encodable>(_ value: T, into node: EncodingNode, codingPath: [any CodingKey]) throws {
        try value.encode(to: NodeEncoder(node: node, codingPath: codingPath))
    }
}

private struct SingleValueContainer: SingleValueEncodingContainer {
    let node: EncodingNode
    let codingPath: [any CodingKey]

    func encodeNil() { node.scalar = .null }
    func encode(_ value: Bool) { node.scalar = .bool(value) }
    func encode(_ value: String) { node.scalar = .string(value) }
    func encode(_ value: Double) throws { node.scalar = try Scalar.number(value, codingPath: codingPath) }
    func encode(_ value: Float) throws { try encode(Double(value)) }
    func encode(_ value: Int) { node.scalar = Scalar.number(value) }
    func encode(_ value: Int8) { node.scalar = Scalar.number(value) }
    func encode(_ value: Int16) { node.scalar = Scalar.number(value) }
    func encode(_ value: Int32) { node.scalar = Scalar.number(value) }
    func encode(_ value: Int64) { node.scalar = Scalar.number(value) }
    func encode(_ value: UInt) { node.scalar = Scalar.number(value) }
    func encode(_ value: UInt8) { node.scalar = Scalar.number(value) }
    func encode(_ value: UInt16) { node.scalar = Scalar.number(value) }
    func encode(_ value: UInt32) { node.scalar = Scalar.number(value) }
    func encode(_ value: UInt64) { node.scalar = Scalar.number(value) }
    func encode<T: Encodable>(_ value: T) throws { try Scalar.encode(value, into: node, codingPath: codingPath) }
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: EncodingNode
    let codingPath: [any CodingKey]

    func encodeNil(forKey key: Key) { set(.null, key) }
    func encode(_ value: Bool, forKey key: Key) { set(.bool(value), key) }
    func encode(_ value: String, forKey key: Key) { set(.string(value), key) }
    func encode(_ value: Double, forKey key: Key) throws { set(try Scalar.number(value, codingPath: codingPath + [key]), key) }
    func encode(_ value: Float, forKey key: Key) throws { try encode(Double(value), forKey: key) }
    func encode(_ value: Int, forKey key: Key) { set(Scalar.number(value), key) }
    func encode(_ value: Int8, forKey key: Key) { set(Scalar.number(value), key) }
    func encode(_ value: Int16, forKey key: Key) { set(Scalar.number(value), key) }
    func encode(_ value: Int32, forKey key: Key) { set(Scalar.number(value), key) }
    func encode(_ value: Int64, forKey key: Key) { set(Scalar.number(value), key) }
    func encode(_ value: UInt, forKey key: Key) { set(Scalar.number(value), key) }
    func encode(_ value: UInt8, forKey key: Key) { set(Scalar.number(value), key) }
    func encode(_ value: UInt16, forKey key: Key) { set(Scalar.number(value), key) }
    func encode(_ value: UInt32, forKey key: Key) { set(Scalar.number(value), key) }
    func encode(_ value: UInt64, forKey key: Key) { set(Scalar.number(value), key) }

    func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try Scalar.encode(value, into: node.objectChild(key.stringValue), codingPath: codingPath + [key])
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        encoder(forKey: key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        encoder(forKey: key).unkeyedContainer()
    }

    func superEncoder() -> any Encoder {
        NodeEncoder(node: node.objectChild("super"), codingPath: codingPath)
    }

    func superEncoder(forKey key: Key) -> any Encoder {
        encoder(forKey: key)
    }

    private func set(_ value: JSONValue, _ key: Key) {
        node.objectChild(key.stringValue).scalar = value
    }

    private func encoder(forKey key: Key) -> NodeEncoder {
        NodeEncoder(node: node.objectChild(key.stringValue), codingPath: codingPath + [key])
    }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
    let node: EncodingNode
    let codingPath: [any CodingKey]

    var count: Int { node.elements?.count ?? 0 }

    func encodeNil() { append(.null) }
    func encode(_ value: Bool) { append(.bool(value)) }
    func encode(_ value: String) { append(.string(value)) }
    func encode(_ value: Double) throws { append(try Scalar.number(value, codingPath: codingPath)) }
    func encode(_ value: Float) throws { try encode(Double(value)) }
    func encode(_ value: Int) { append(Scalar.number(value)) }
    func encode(_ value: Int8) { append(Scalar.number(value)) }
    func encode(_ value: Int16) { append(Scalar.number(value)) }
    func encode(_ value: Int32) { append(Scalar.number(value)) }
    func encode(_ value: Int64) { append(Scalar.number(value)) }
    func encode(_ value: UInt) { append(Scalar.number(value)) }
    func encode(_ value: UInt8) { append(Scalar.number(value)) }
    func encode(_ value: UInt16) { append(Scalar.number(value)) }
    func encode(_ value: UInt32) { append(Scalar.number(value)) }
    func encode(_ value: UInt64) { append(Scalar.number(value)) }

    func encode<T: Encodable>(_ value: T) throws {
        try Scalar.encode(value, into: node.appendChild(), codingPath: codingPath)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        NodeEncoder(node: node.appendChild(), codingPath: codingPath).container(keyedBy: type)
    }

    func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        NodeEncoder(node: node.appendChild(), codingPath: codingPath).unkeyedContainer()
    }

    func superEncoder() -> any Encoder {
        NodeEncoder(node: node.appendChild(), codingPath: codingPath)
    }

    private func append(_ value: JSONValue) {
        node.appendChild().scalar = value
    }
}

/// JSON text of a `JSONValue`: keys in byte order, strings escaped only
/// where JSON requires it (quote, backslash, control characters).
private struct JSONWriter {
    let pretty: Bool
    var bytes: [UInt8] = []
    private var depth = 0

    init(pretty: Bool) {
        self.pretty = pretty
    }

    mutating func write(_ value: JSONValue) {
        switch value {
        case .null: append("null")
        case .bool(let flag): append(flag ? "true" : "false")
        case .number(let text): bytes.append(contentsOf: text.utf8)
        case .string(let text): writeString(text)
        case .array(let elements):
            writeContainer(open: UInt8(ascii: "["), close: UInt8(ascii: "]"), count: elements.count) { writer, index in
                writer.write(elements[index])
            }
        case .object(let members):
            let keys = members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            writeContainer(open: UInt8(ascii: "{"), close: UInt8(ascii: "}"), count: keys.count) { writer, index in
                writer.writeString(keys[index])
                writer.append(writer.pretty ? " : " : ":")
                writer.write(members[keys[index]]!)
            }
        }
    }

    private mutating func writeContainer(open: UInt8, close: UInt8, count: Int,
                                         element: (inout JSONWriter, Int) -> Void) {
        bytes.append(open)
        guard count > 0 else {
            bytes.append(close)
            return
        }
        depth += 1
        for index in 0..<count {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            newline()
            element(&self, index)
        }
        depth -= 1
        newline()
        bytes.append(close)
    }

    private mutating func newline() {
        guard pretty else { return }
        bytes.append(UInt8(ascii: "\n"))
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * depth))
    }

    private mutating func writeString(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): append("\\\"")
            case UInt8(ascii: "\\"): append("\\\\")
            case 0x0A: append("\\n")
            case 0x0D: append("\\r")
            case 0x09: append("\\t")
            case 0x08: append("\\b")
            case 0x0C: append("\\f")
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                append("\\u00")
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0xF)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }
}
