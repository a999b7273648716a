import Runtime

enum CreateCommand: Command {
    static let name = "create"
    static let summary = "create a container"
    static let usage = "<container-id>"
    static let options = CreateOptions.specs

    static func run(_ arguments: Arguments, _ context: CommandContext) throws(RuntimeError) -> Int32 {
        try arguments.expectPositionals(["container-id"], command: name)
        try context.runtime.create(id: arguments.positionals[0], options: CreateOptions(arguments))
        return 0
    }
}
