import Runtime

enum ListCommand: Command {
    static let name = "list"
    static let summary = "lists containers started by berth with the given root"
    static let usage = ""
    static let options: [OptionSpec] = [
        OptionSpec("format", short: "f", .value(placeholder: "value"), help: "select one of: table (default) or json"),
        OptionSpec("quiet", short: "q", help: "display only container IDs"),
    ]

    static func run(_ arguments: Arguments, _ context: CommandContext) throws(RuntimeError) -> Int32 {
        try arguments.expectPositionals([], command: name)
        let format = arguments.value("format") ?? "table"
        guard format == "table" || format == "json" else {
            throw RuntimeError(.invalidArgument, "list: unknown --format \"\(format)\" (table or json)")
        }
        let containers = try context.runtime.list(rootMustExist: context.globals.rootIsExplicit)
        if arguments.flag("quiet") {
            output(containers.map { $0.id + "\n" }.joined())
        } else if format == "json" {
            output(try JSONOutput.compact(containers) + "\n")
        } else {
            output(table(containers))
        }
        return 0
    }

    static func table(_ containers: [ContainerSummary]) -> String {
        let rows = [["ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"]]
            + containers.map { [$0.id, String($0.pid), $0.status, $0.bundle, $0.created, $0.owner] }
        let widths = (0..<6).map { column in rows.map { $0[column].count }.max()! }
        return rows.map { row in
            row.enumerated().map { column, cell in
                column == 5 ? cell : cell.padding(to: widths[column] + 3)
            }.joined() + "\n"
        }.joined()
    }
}
