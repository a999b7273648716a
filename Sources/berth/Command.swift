import LinuxSystem
import Runtime

/// One subcommand: its help, its options and a thin call into `Runtime`.
protocol Command: Sendable {
    static var name: String { get }
    static var summary: String { get }
    /// What follows the options in the synopsis, e.g. `<container-id>`.
    static var usage: String { get }
    static var options: [OptionSpec] { get }
    /// `exec`-style commands take a command line after the id whose own
    /// options must not be parsed as berth's.
    static var stopsAtFirstPositional: Bool { get }

    /// Returns the process's exit code.
    static func run(_ arguments: Arguments, _ context: CommandContext) throws(RuntimeError) -> Int32

    /// berth's exit status when `run` fails.
    static var failureStatus: Int32 { get }
    /// How many positionals `run` needs: fewer is a usage error, which
    /// exits 1 whatever `failureStatus` says (runc's exec does the same).
    static var requiredPositionals: Int { get }
}

extension Command {
    static var stopsAtFirstPositional: Bool { false }
    static var failureStatus: Int32 { 1 }
    static var requiredPositionals: Int { 0 }

    static var helpText: String {
        var text = "NAME:\n   berth \(name) - \(summary)\n\nUSAGE:\n   berth [global options] \(name)"
        text += options.isEmpty ? "" : " [command options]"
        text += usage.isEmpty ? "\n" : " \(usage)\n"
        if !options.isEmpty {
            text += "\nOPTIONS:\n" + options.map(\.helpLine).joined(separator: "\n") + "\n"
        }
        return text + "   --help, -h                      show help\n"
    }
}

/// What every command gets: the runtime built from the global options.
struct CommandContext {
    let runtime: Runtime
    let globals: GlobalOptions
}

func output(_ text: String) {
    FileDescriptor.standardOutput.write(text)
}
