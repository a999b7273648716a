import Runtime

enum KillCommand: Command {
    static let name = "kill"
    static let summary = "send a signal (default SIGTERM) to the container's init process"
    static let usage = "<container-id> [signal]"
    static let options: [OptionSpec] = [
        OptionSpec("all", short: "a", help: "send the signal to every process of the container"),
    ]

    static func run(_ arguments: Arguments, _ context: CommandContext) throws(RuntimeError) -> Int32 {
        guard (1...2).contains(arguments.positionals.count) else {
            throw RuntimeError(.invalidArgument, "kill: expected <container-id> [signal], got \(arguments.positionals.count) argument(s)")
        }
        let signal = arguments.positionals.count == 2 ? arguments.positionals[1] : "TERM"
        try context.runtime.kill(id: arguments.positionals[0], signal: signal, all: arguments.flag("all"))
        return 0
    }
}
