import Runtime

enum FeaturesCommand: Command {
    static let name = "features"
    static let summary = "show the enabled features"
    static let usage = ""
    static let options: [OptionSpec] = []

    static func run(_ arguments: Arguments, _ context: CommandContext) throws(RuntimeError) -> Int32 {
        try arguments.expectPositionals([], command: name)
        output(try JSONOutput.pretty(Runtime.features()) + "\n")
        return 0
    }
}
