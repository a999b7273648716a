import Runtime

enum PauseCommand: Command {
    static let name = "pause"
    static let summary = "suspend all processes inside the container"
    static let usage = "<container-id>"
    static let options: [OptionSpec] = []

    static func run(_ arguments: Arguments, _ context: CommandContext) throws(RuntimeError) -> Int32 {
        try arguments.expectPositionals(["container-id"], command: name)
        try context.runtime.pause(id: arguments.positionals[0])
        return 0
    }
}
