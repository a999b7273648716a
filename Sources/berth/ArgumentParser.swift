import Runtime

/// berth's command-line parser, written for runc's conventions rather than
/// taken from swift-argument-parser: managers (go-runc, conmon, CRI-O) send
/// global options before the subcommand, Go-style single-dash long flags
/// (`-root`, `-no-subreaper`), `--flag=value` and `--bool=false`; it costs
/// nothing at start-up, which a runtime executed several times per container
/// pays on every call.
struct OptionSpec: Sendable {
    enum Kind: Sendable, Equatable {
        case flag
        /// Takes one value; a repeated option keeps the last one.
        case value(placeholder: String)
        /// Takes one value each time and keeps them all (`--env A --env B`).
        case repeatable(placeholder: String)
    }

    let long: String
    let short: Character?
    let kind: Kind
    let help: String

    init(_ long: String, short: Character? = nil, _ kind: Kind = .flag, help: String) {
        self.long = long
        self.short = short
        self.kind = kind
        self.help = help
    }
}

struct Arguments: Sendable {
    var values: [String: [String]] = [:]
    var positionals: [String] = []

    func flag(_ long: String) -> Bool { values[long]?.last == "true" }
    func value(_ long: String) -> String? { values[long]?.last }
    func all(_ long: String) -> [String] { values[long] ?? [] }

    /// Checks the number of positional arguments against a usage such as
    /// `<container-id>`.
    func expectPositionals(_ names: [String], command: String) throws(RuntimeError) {
        guard positionals.count == names.count else {
            let expected = names.map { "<\($0)>" }.joined(separator: " ")
            throw RuntimeError(.invalidArgument,
                "\(command): expected \(names.count) argument(s) \(expected), got \(positionals.count)")
        }
    }
}

enum ArgumentParser {
    /// Parses `arguments` against `options`. With `stopAtFirstPositional`,
    /// everything from the first positional on is left as positionals (the
    /// subcommand and its arguments; or the command line of `exec`).
    static func parse(_ arguments: ArraySlice<String>, options: [OptionSpec],
                      stopAtFirstPositional: Bool, context: String) throws(RuntimeError) -> Arguments {
        var result = Arguments()
        var remaining = arguments
        while let argument = remaining.popFirst() {
            if argument == "--" {
                result.positionals.append(contentsOf: remaining)
                break
            }
            guard argument.hasPrefix("-"), argument != "-" else {
                result.positionals.append(argument)
                if stopAtFirstPositional {
                    result.positionals.append(contentsOf: remaining)
                    break
                }
                continue
            }
            let body = argument.drop(while: { $0 == "-" })
            let name: Substring
            var inlineValue: String?
            if let equals = body.firstIndex(of: "=") {
                name = body[..<equals]
                inlineValue = String(body[body.index(after: equals)...])
            } else {
                name = body
            }
            guard let option = options.first(where: { $0.long == name || (name.count == 1 && $0.short == name.first) }) else {
                throw RuntimeError(.invalidArgument, "\(context): unknown option \(argument) (see --help)")
            }
            switch option.kind {
            case .flag:
                switch inlineValue {
                case nil, "true", "1": result.values[option.long] = ["true"]
                case "false", "0": result.values[option.long] = ["false"]
                default:
                    throw RuntimeError(.invalidArgument,
                        "\(context): option --\(option.long) takes true or false, not \"\(inlineValue!)\"")
                }
            case .value, .repeatable:
                guard let value = inlineValue ?? remaining.popFirst() else {
                    throw RuntimeError(.invalidArgument, "\(context): option --\(option.long) needs a value")
                }
                if option.kind == .repeatable(placeholder: option.placeholder) {
                    result.values[option.long, default: []].append(value)
                } else {
                    result.values[option.long] = [value]
                }
            }
        }
        return result
    }
}

extension OptionSpec {
    var placeholder: String {
        switch kind {
        case .flag: return ""
        case .value(let placeholder), .repeatable(let placeholder): return placeholder
        }
    }

    /// `  --bundle value, -b value   path to the root of the bundle directory`
    var helpLine: String {
        var names = "--\(long)" + (kind == .flag ? "" : " \(placeholder)")
        if let short { names += ", -\(short)" + (kind == .flag ? "" : " \(placeholder)") }
        let padding = String(repeating: " ", count: max(2, 32 - names.count))
        return "   \(names)\(padding)\(help)"
    }
}
