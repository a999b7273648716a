import Runtime

enum RunCommand: Command {
    static let name = "run"
    static let summary = "create and run a container"
    static let usage = "<container-id>"
    static let options = CreateOptions.specs + [
        OptionSpec("detach", short: "d", help: "detach from the container's process: return once it runs"),
        OptionSpec("keep", help: "do not delete the container after it exits (until berth delete)"),
    ]

    /// In the foreground the exit code is the container process's own
    /// (128 + signal when it was killed).
    static func run(_ arguments: Arguments, _ context: CommandContext) throws(RuntimeError) -> Int32 {
        try arguments.expectPositionals(["container-id"], command: name)
        return try context.runtime.run(id: arguments.positionals[0], options: CreateOptions(arguments),
                                       detach: arguments.flag("detach"), keep: arguments.flag("keep"))
    }
}
