import LinuxSystem
import Runtime

/// The command line: global options, then one subcommand.
enum Berth {
    static let commands: [any Command.Type] = [
        CreateCommand.self,
        StartCommand.self,
        RunCommand.self,
        ExecCommand.self,
        StateCommand.self,
        KillCommand.self,
        DeleteCommand.self,
        ListCommand.self,
        SpecCommand.self,
        FeaturesCommand.self,
        PauseCommand.self,
        ResumeCommand.self,
        PsCommand.self,
        EventsCommand.self,
        UpdateCommand.self,
    ]

    /// runc commands berth does not have yet: they fail with a clear error
    /// instead of pretending, and the help says so.
    static let notImplemented: [(name: String, summary: String)] = [
        ("checkpoint", "checkpoint a running container"),
        ("restore", "restore a container from a previous checkpoint"),
    ]

    static func main(_ argv: [String]) -> Int32 {
        var log = Log.standardError
        do throws(RuntimeError) {
            let globalArguments = try ArgumentParser.parse(argv.dropFirst(), options: GlobalOptions.specs,
                                                          stopAtFirstPositional: true, context: "berth")
            if globalArguments.flag("version") {
                output(versionText)
                return 0
            }
            var positionals = globalArguments.positionals[...]
            guard let name = positionals.popFirst(), !globalArguments.flag("help"), name != "help" else {
                if let topic = globalArguments.positionals.dropFirst().first, let command = command(named: topic) {
                    output(command.helpText)
                } else {
                    output(helpText)
                }
                return 0
            }
            let globals = try GlobalOptions(globalArguments)
            log = globals.log
            guard let command = command(named: name) else {
                if let missing = notImplemented.first(where: { $0.name == name }) {
                    throw RuntimeError(.notImplemented, "\(missing.name): not implemented yet in berth \(BerthVersion.version)")
                }
                throw RuntimeError(.invalidArgument, "unknown command \"\(name)\" (see berth --help)")
            }
            let arguments = try ArgumentParser.parse(positionals, options: command.options + [helpOption],
                                                     stopAtFirstPositional: command.stopsAtFirstPositional,
                                                     context: name)
            if arguments.flag("help") {
                output(command.helpText)
                return 0
            }
            if arguments.positionals.count < command.requiredPositionals {
                throw RuntimeError(.invalidArgument, "\(name): expected \(command.usage)")
            }
            let context = CommandContext(runtime: Runtime(root: globals.root, log: log), globals: globals)
            do {
                return try command.run(arguments, context)
            } catch {
                report(error, log)
                return command.failureStatus
            }
        } catch {
            report(error, log)
            return 1
        }
    }

    static func report(_ error: RuntimeError, _ log: Log) {
        for line in error.lines {
            FileDescriptor.standardError.write("berth: \(RuntimeError.printable(line))\n")
            log.error(line)
        }
    }

    static let helpOption = OptionSpec("help", short: "h", help: "show help")

    static func command(named name: String) -> (any Command.Type)? {
        commands.first { $0.name == name }
    }

    static var versionText: String {
        """
        berth version \(BerthVersion.version)
        commit: \(BerthVersion.commit)
        spec: \(BerthVersion.ociVersion)
        libseccomp: \(BerthVersion.libseccomp)

        """
    }

    static var helpText: String {
        var text = """
        NAME:
           berth - an Open Container Initiative runtime

        USAGE:
           berth [global options] command [command options] [arguments...]

        COMMANDS:

        """
        for command in commands {
            text += "   " + command.name.padding(to: 12) + command.summary + "\n"
        }
        text += "\nNOT IMPLEMENTED YET (these fail with an error):\n"
        for command in notImplemented {
            text += "   " + command.name.padding(to: 12) + command.summary + "\n"
        }
        text += "\nGLOBAL OPTIONS:\n" + GlobalOptions.specs.map(\.helpLine).joined(separator: "\n") + "\n"
        return text
    }
}

extension String {
    func padding(to width: Int) -> String {
        self + String(repeating: " ", count: max(1, width - count))
    }
}
