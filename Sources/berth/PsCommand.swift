import Runtime

enum PsCommand: Command {
    static let name = "ps"
    static let summary = "display the processes running inside a container"
    static let usage = "<container-id> [ps options]"
    static let options: [OptionSpec] = [
        OptionSpec("format", short: "f", .value(placeholder: "value"), help: "select one of: table (default) or json"),
    ]
    /// Everything after the id is for ps(1): `berth ps c1 -o pid,comm`.
    static let stopsAtFirstPositional = true

    static func run(_ arguments: Arguments, _ context: CommandContext) throws(RuntimeError) -> Int32 {
        guard let id = arguments.positionals.first else {
            throw RuntimeError(.invalidArgument, "ps: expected <container-id> [ps options], got no argument")
        }
        switch arguments.value("format") ?? "table" {
        case "json":
            // runc prints the pids as a JSON array, e.g. [1234,1240].
            let pids = try context.runtime.processes(id: id)
            output("[" + pids.map(String.init).joined(separator: ",") + "]\n")
        case "table":
            let pids = Set(try context.runtime.processes(id: id))
            let table = try context.runtime.hostProcessTable(psArguments: Array(arguments.positionals.dropFirst()))
            output(try PsTable.filter(table, keeping: pids))
        case let format:
            throw RuntimeError(.invalidArgument, "ps: unknown --format \"\(format)\" (table or json)")
        }
        return 0
    }
}
