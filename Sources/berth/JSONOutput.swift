import OCI
import Runtime

enum JSONOutput {
    static func pretty<T: Encodable>(_ value: T) throws(RuntimeError) -> String {
        try encode(value, pretty: true)
    }

    static func compact<T: Encodable>(_ value: T) throws(RuntimeError) -> String {
        try encode(value, pretty: false)
    }

    private static func encode<T: Encodable>(_ value: T, pretty: Bool) throws(RuntimeError) -> String {
        do {
            return String(decoding: try JSONText.encode(value, pretty: pretty), as: UTF8.self)
        } catch {
            throw RuntimeError(.system, "encode \(T.self) as JSON: \(error)")
        }
    }
}
