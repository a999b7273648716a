import Runtime

enum StateCommand: Command {
    static let name = "state"
    static let summary = "output the state of a container"
    static let usage = "<container-id>"
    static let options: [OptionSpec] = []

    static func run(_ arguments: Arguments, _ context: CommandContext) throws(RuntimeError) -> Int32 {
        try arguments.expectPositionals(["container-id"], command: name)
        let state = try context.runtime.state(of: arguments.positionals[0])
        output(try JSONOutput.pretty(state) + "\n")
        return 0
    }
}
