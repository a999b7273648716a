import LinuxSystem
import Runtime

/// runc's global options, which come before the subcommand.
struct GlobalOptions {
    static let specs: [OptionSpec] = [
        OptionSpec("root", .value(placeholder: "value"),
                   help: "root directory for storage of container state (default: /run/berth, or $XDG_RUNTIME_DIR/berth when not root)"),
        OptionSpec("log", .value(placeholder: "value"), help: "append log records to this file instead of stderr"),
        OptionSpec("log-format", .value(placeholder: "value"), help: "log format: text (default) or json"),
        OptionSpec("debug", help: "log debug records"),
        OptionSpec("systemd-cgroup",
                   help: "use systemd for cgroups (not supported: berth refuses it rather than ignore it)"),
        OptionSpec("rootless", .value(placeholder: "value"),
                   help: "auto (default) or false; true is refused: rootless containers are not supported yet"),
        OptionSpec("help", short: "h", help: "show help"),
        OptionSpec("version", short: "v", help: "print the version"),
    ]

    var root: String
    /// --root was given, rather than the default.
    var rootIsExplicit: Bool
    var logPath: String?
    var logFormat: Log.Format
    var debug: Bool

    init(_ arguments: Arguments) throws(RuntimeError) {
        root = arguments.value("root") ?? Runtime.defaultRoot()
        rootIsExplicit = arguments.value("root") != nil
        if root.isEmpty { throw RuntimeError(.invalidArgument, "--root: empty path") }
        logPath = arguments.value("log")
        if let logPath {
            // Records written nowhere would be lost without a word; managers
            // read the last error from this file.
            let directory = logPath.lastIndex(of: "/").map { String(logPath[..<$0]) } ?? "."
            guard !logPath.isEmpty, FileSystem.isDirectory(directory.isEmpty ? "/" : directory) else {
                throw RuntimeError(.invalidArgument, "--log: the directory of \(RuntimeError.quoted(logPath)) does not exist")
            }
        }
        debug = arguments.flag("debug")
        let format = arguments.value("log-format") ?? "text"
        guard let logFormat = Log.Format(rawValue: format) else {
            throw RuntimeError(.invalidArgument, "--log-format: unknown format \"\(format)\" (text or json)")
        }
        self.logFormat = logFormat
        if arguments.flag("systemd-cgroup") {
            throw RuntimeError(.notImplemented,
                "--systemd-cgroup: the systemd cgroup driver is not supported by berth; use cgroupfs paths")
        }
        switch arguments.value("rootless") ?? "auto" {
        case "auto", "false": break
        case "true": throw RuntimeError(.notImplemented, "--rootless true: rootless containers are not supported yet")
        case let other: throw RuntimeError(.invalidArgument, "--rootless: expected auto, true or false, not \"\(other)\"")
        }
    }

    var log: Log { Log(path: logPath, format: logFormat, debugEnabled: debug) }
}
