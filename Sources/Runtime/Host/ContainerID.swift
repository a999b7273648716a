/// Container ids name directories under the state root, so they are checked
/// before any path is built from them: an id like `../x` must never reach the
/// file system.
public enum ContainerID {
    /// NAME_MAX: the id names the container's state directory.
    public static let maximumLength = 255

    /// runc's character set: letters, digits, `_`, `+`, `-`, `.`; not `.`/`..`.
    public static func validate(_ id: String) throws(RuntimeError) {
        func invalid(_ reason: String) -> RuntimeError {
            RuntimeError(.invalidArgument, "invalid container id \(RuntimeError.quoted(id)): \(reason)")
        }
        if id.isEmpty { throw invalid("it is empty") }
        if id.utf8.count > maximumLength { throw invalid("longer than \(maximumLength) bytes") }
        if id == "." || id == ".." { throw invalid("it names a directory") }
        for byte in id.utf8 {
            let allowed = (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "+")
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
            if !allowed {
                throw invalid("only letters, digits and _ + - . are allowed")
            }
        }
    }
}
