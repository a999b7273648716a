import Runtime

enum StartCommand: Command {
    static let name = "start"
    static let summary = "execute the user-defined process in a created container"
    static let usage = "<container-id>"
    static let options: [OptionSpec] = []

    static func run(_ arguments: Arguments, _ context: CommandContext) throws(RuntimeError) -> Int32 {
        try arguments.expectPositionals(["container-id"], command: name)
        try context.runtime.start(id: arguments.positionals[0])
        return 0
    }
}
