import Foundation
import Testing

/// Commands that need no running container.
@Suite(.integration, .timeLimit(.minutes(1)))
struct CLITests {
    @Test func versionMentionsTheSpecVersion() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let result = try sandbox.runtime.run(["--version"])
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout.contains("spec"), "\(result)")
    }

    @Test func stateOfAnUnknownContainerFails() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let result = try sandbox.runtime.run(["state", "nope"])
        #expect(!result.succeeded && !result.timedOut, "\(result)")
        #expect(result.stdout.isEmpty, "\(result)")
        if sandbox.runtime.isBerth {
            #expect(result.stderr == "berth: container \"nope\" does not exist\n")
        }
    }

    @Test func listOfAnEmptyRootPrintsAtMostTheHeader() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let result = try sandbox.runtime.run(["list"])
        #expect(result.succeeded, "\(result)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count <= 1, "\(result)")
        if let header = lines.first {
            #expect(header.hasPrefix("ID"), "\(result)")
        }
    }

    @Test func forcedDeleteOfAMissingContainerSucceeds() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let result = try sandbox.runtime.delete(sandbox.newID(), force: true)
        #expect(result.succeeded, "\(result)")
    }

    @Test func specWritesAConfigThatTheSchemaAccepts() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let result = try sandbox.runtime.run(["spec", "--bundle", sandbox.path])
        #expect(result.succeeded, "\(result)")
        let errors = try SchemaValidator.errors(in: sandbox.path + "/config.json", schema: "config-schema.json")
        #expect(errors.isEmpty)
    }

    @Test func specRefusesToOverwriteAConfig() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let config = sandbox.path + "/config.json"
        try Data("precious".utf8).write(to: URL(fileURLWithPath: config))
        let result = try sandbox.runtime.run(["spec", "--bundle", sandbox.path])
        #expect(!result.succeeded && !result.timedOut, "\(result)")
        #expect(try String(contentsOfFile: config, encoding: .utf8) == "precious")
    }

    @Test func featuresPrintsWhatTheSchemaAccepts() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let result = try sandbox.runtime.run(["features"])
        if !sandbox.runtime.isBerth && !result.succeeded {
            print("\(sandbox.runtime.binary) has no working `features` command (\(result)); not checked")
            return
        }
        #expect(result.succeeded, "\(result)")
        let document = sandbox.path + "/features.json"
        try Data(result.stdout.utf8).write(to: URL(fileURLWithPath: document))
        let errors = try SchemaValidator.errors(in: document, schema: "features-schema.json")
        #expect(errors.isEmpty)
    }

    @Test func jsonLogRecordsAnErrorLine() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let log = sandbox.path + "/log.json"
        let result = try sandbox.runtime.run(["--log", log, "--log-format", "json", "state", "nope"])
        #expect(!result.succeeded && !result.timedOut, "\(result)")

        let text = try String(contentsOfFile: log, encoding: .utf8)
        let records = try text.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
        }
        let error = try #require(records.last { $0["level"] as? String == "error" }, "no error record in \(text)")
        #expect((error["msg"] as? String)?.isEmpty == false, "\(error)")
        let time = try #require(error["time"] as? String, "\(error)")
        #expect(time.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)/) != nil, "\(time)")
    }

    /// A log berth cannot write would lose the error managers read from it.
    @Test func aLogInAMissingDirectoryIsRefused() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let result = try sandbox.runtime.run(["--log", sandbox.path + "/missing/log.json", "list"])
        #expect(!result.succeeded && !result.timedOut, "\(result)")
        if sandbox.runtime.isBerth {
            #expect(result.stderr.contains("--log") && result.stderr.contains("/missing/log.json"), "\(result.stderr)")
        }
    }

    @Test func execRefusesAnEnvironmentEntryWithoutAValue() throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let (id, _) = try sandbox.startWaitingContainer()
        let result = try sandbox.runtime.run(["exec", "--env", "NOEQUALS", id, "true"])
        #expect(!result.succeeded && !result.timedOut, "\(result)")
        if sandbox.runtime.isBerth { #expect(result.stderr.contains("NOEQUALS"), "\(result.stderr)") }
    }

    /// A count no descriptor table can hold is refused before it is counted.
    @Test(arguments: ["-1", "1048577", "9223372036854775807", "99999999999999999999"])
    func aPreserveFdsCountOutOfRangeIsRefused(count: String) throws {
        let sandbox = try Sandbox(); defer { sandbox.cleanUp() }
        let bundle = try sandbox.makeBundle()
        try bundle.write()
        let id = sandbox.newID()
        let result = try sandbox.runtime.run(["create", "--preserve-fds", count, "--bundle", bundle.path, id])
        #expect(!result.succeeded && !result.timedOut, "\(result)")
        if sandbox.runtime.isBerth { #expect(result.stderr.contains("--preserve-fds"), "\(result.stderr)") }
        #expect(try !sandbox.runtime.run(["state", id]).succeeded)
    }
}
