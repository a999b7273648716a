import Testing
import Runtime
@testable import berth

@Suite struct ArgumentParserTests {
    let options = [
        OptionSpec("bundle", short: "b", .value(placeholder: "dir"), help: ""),
        OptionSpec("detach", short: "d", help: ""),
        OptionSpec("env", short: "e", .repeatable(placeholder: "K=V"), help: ""),
    ]

    func parse(_ words: [String], stopping: Bool = false) throws -> Arguments {
        try ArgumentParser.parse(words[...], options: options, stopAtFirstPositional: stopping, context: "test")
    }

    @Test(arguments: [["--bundle", "/b"], ["--bundle=/b"], ["-bundle", "/b"], ["-b", "/b"], ["-b=/b"]])
    func everySpellingOfAValueOptionIsAccepted(_ words: [String]) throws {
        #expect(try parse(words + ["id"]).value("bundle") == "/b")
    }

    @Test func booleanFlagsTakeAnOptionalTrueOrFalse() throws {
        #expect(try parse(["--detach"]).flag("detach"))
        #expect(try parse(["-d"]).flag("detach"))
        #expect(try !parse(["--detach=false"]).flag("detach"))
        #expect(throws: RuntimeError.self) { try parse(["--detach=maybe"]) }
    }

    @Test func repeatableOptionsKeepEveryValueInOrder() throws {
        #expect(try parse(["-e", "A=1", "--env=B=2"]).all("env") == ["A=1", "B=2"])
    }

    @Test func optionsMayFollowPositionalsLikeRuncs() throws {
        let arguments = try parse(["id", "--detach"])
        #expect(arguments.positionals == ["id"])
        #expect(arguments.flag("detach"))
    }

    @Test func stoppingAtTheFirstPositionalLeavesTheRestUntouched() throws {
        let arguments = try parse(["-d", "id", "sh", "-c", "--bundle"], stopping: true)
        #expect(arguments.positionals == ["id", "sh", "-c", "--bundle"])
    }

    @Test func doubleDashEndsOptions() throws {
        #expect(try parse(["--", "--detach"]).positionals == ["--detach"])
    }

    @Test func unknownOptionsAndMissingValuesAreErrors() {
        #expect(throws: RuntimeError.self) { try parse(["--nope"]) }
        #expect(throws: RuntimeError.self) { try parse(["--bundle"]) }
    }

    @Test func globalOptionsComeBeforeTheSubcommand() throws {
        let words = ["--root", "/r", "--log-format=json", "--debug", "state", "--help"]
        let globals = try ArgumentParser.parse(words[...], options: GlobalOptions.specs, stopAtFirstPositional: true, context: "berth")
        #expect(globals.positionals == ["state", "--help"])
        let parsed = try GlobalOptions(globals)
        #expect(parsed.root == "/r")
        #expect(parsed.logFormat == .json)
        #expect(parsed.debug)
    }

    @Test func systemdCgroupAndRootlessTrueAreRefusedNotIgnored() throws {
        for words in [["--systemd-cgroup"], ["--rootless", "true"]] {
            let globals = try ArgumentParser.parse(words[...], options: GlobalOptions.specs, stopAtFirstPositional: true, context: "berth")
            #expect(throws: RuntimeError.self) { try GlobalOptions(globals) }
        }
    }
}
