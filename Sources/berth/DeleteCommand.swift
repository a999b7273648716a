import Runtime

enum DeleteCommand: Command {
    static let name = "delete"
    static let summary = "delete any resources held by the container"
    static let usage = "<container-id>"
    static let options: [OptionSpec] = [
        OptionSpec("force", short: "f", help: "kill the container first if it is created or running; a missing container is not an error"),
    ]

    static func run(_ arguments: Arguments, _ context: CommandContext) throws(RuntimeError) -> Int32 {
        try arguments.expectPositionals(["container-id"], command: name)
        try context.runtime.delete(id: arguments.positionals[0], force: arguments.flag("force"))
        return 0
    }
}
