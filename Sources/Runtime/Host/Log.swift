import Glibc
import LinuxSystem

/// The runtime's log. Without `--log` records go to stderr; with
/// `--log FILE --log-format json` each record is one line
/// `{"level":"…","msg":"…","time":"<RFC 3339>"}` — containerd reads the last
/// error line from that file, so the format is part of the interface.
public struct Log: Sendable {
    public enum Format: String, Sendable { case text, json }
    public enum Level: String, Sendable { case debug, info, warning, error }

    public let path: String?
    public let format: Format
    public let debugEnabled: Bool

    public init(path: String?, format: Format, debugEnabled: Bool) {
        self.path = path
        self.format = format
        self.debugEnabled = debugEnabled
    }

    public static let standardError = Log(path: nil, format: .text, debugEnabled: false)

    public func debug(_ message: @autoclosure () -> String) {
        if debugEnabled { write(.debug, message()) }
    }

    public func warning(_ message: String) { write(.warning, message) }

    /// Records an error in the log file. The CLI prints errors on stderr
    /// itself, so without a log file this writes nothing.
    public func error(_ message: String) {
        if path != nil { write(.error, message) }
    }

    func write(_ level: Level, _ message: String) {
        let line = Self.render(level: level, message: message, time: Clock.rfc3339Now(), format: format)
        let bytes = Array((line + "\n").utf8)
        if let path, let fd = try? FileDescriptor.open(path, O_WRONLY | O_CREAT | O_APPEND, mode: 0o600) {
            try? fd.writeAll(bytes)
            fd.close()
        } else if path == nil {
            try? FileDescriptor.standardError.writeAll(bytes)
        }
    }

    static func render(level: Level, message: String, time: String, format: Format) -> String {
        switch format {
        case .json:
            return "{\"level\":\(jsonString(level.rawValue)),\"msg\":\(jsonString(message)),\"time\":\(jsonString(time))}"
        case .text:
            return "time=\(jsonString(time)) level=\(level.rawValue) msg=\(jsonString(message))"
        }
    }

    /// A JSON string literal; written by hand because a log line must not
    /// depend on an encoder that could fail.
    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
