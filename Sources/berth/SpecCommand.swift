import Runtime

enum SpecCommand: Command {
    static let name = "spec"
    static let summary = "create a new specification file (config.json) in the bundle"
    static let usage = ""
    static let options: [OptionSpec] = [
        OptionSpec("bundle", short: "b", .value(placeholder: "value"), help: "path to the root of the bundle directory"),
        OptionSpec("rootless", help: "generate a configuration for a rootless container"),
    ]

    static func run(_ arguments: Arguments, _ context: CommandContext) throws(RuntimeError) -> Int32 {
        try arguments.expectPositionals([], command: name)
        _ = try Runtime.writeDefaultSpec(bundle: arguments.value("bundle") ?? ".", rootless: arguments.flag("rootless"))
        return 0
    }
}
