import Runtime

enum ResumeCommand: Command {
    static let name = "resume"
    static let summary = "resume all processes that have been previously paused"
    static let usage = "<container-id>"
    static let options: [OptionSpec] = []

    static func run(_ arguments: Arguments, _ context: CommandContext) throws(RuntimeError) -> Int32 {
        try arguments.expectPositionals(["container-id"], command: name)
        try context.runtime.resume(id: arguments.positionals[0])
        return 0
    }
}
