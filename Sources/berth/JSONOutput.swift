import FoundationEssentials
import Runtime

enum JSONOutput {
    static func pretty<T: Encodable>(_ value: T) throws(RuntimeError) -> String {
        try encode(value, [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }

    static func compact<T: Encodable>(_ value: T) throws(RuntimeError) -> String {
        try encode(value, [.sortedKeys, .withoutEscapingSlashes])
    }

    private static func encode<T: Encodable>(_ value: T, _ formatting: JSONEncoder.OutputFormatting) throws(RuntimeError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = formatting
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            throw RuntimeError(.system, "encode \(T.self) as JSON: \(error)")
        }
    }
}
