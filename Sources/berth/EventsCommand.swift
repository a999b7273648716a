import Runtime

enum EventsCommand: Command {
    static let name = "events"
    static let summary = "display container events such as OOM notifications and cpu, memory, pids and IO stats"
    static let usage = "<container-id>"
    static let options: [OptionSpec] = [
        OptionSpec("interval", .value(placeholder: "value"), help: "set the stats collection interval (default: 5s)"),
        OptionSpec("stats", help: "display the container's stats then exit"),
    ]

    static func run(_ arguments: Arguments, _ context: CommandContext) throws(RuntimeError) -> Int32 {
        try arguments.expectPositionals(["container-id"], command: name)
        let id = arguments.positionals[0]
        let text = arguments.value("interval") ?? "5s"
        guard let interval = Runtime.parseDuration(text) else {
            throw RuntimeError(.invalidArgument, "events: invalid --interval \"\(text)\" (a duration such as 5s, 500ms, 1m)")
        }
        if arguments.flag("stats") {
            output(try JSONOutput.compact(context.runtime.stats(id: id)) + "\n")
            return 0
        }
        try context.runtime.events(id: id, intervalNanoseconds: interval) { event in
            if let line = try? JSONOutput.compact(event) { output(line + "\n") }
        }
        return 0
    }
}
