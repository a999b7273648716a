import Testing
@testable import Runtime

@Suite struct LogTests {
    @Test func jsonRecordsAreOneLineWithLevelMessageAndTime() {
        let line = Log.render(level: .error, message: "open \"x\":\nfailed\t\u{1}", time: "2026-11-29T00:00:00Z", format: .json)
        #expect(line == #"{"level":"error","msg":"open \"x\":\nfailed\t\u0001","time":"2026-11-29T00:00:00Z"}"#)
    }

    @Test func textRecordsLookLikeRuncs() {
        let line = Log.render(level: .warning, message: "hook failed", time: "T", format: .text)
        #expect(line == #"time="T" level=warning msg="hook failed""#)
    }

    @Test func aLogFileGetsOneRecordPerError() throws {
        let temporary = TemporaryDirectory()
        let log = Log(path: temporary.path + "/log.json", format: .json, debugEnabled: false)
        log.error("first")
        log.debug("not written without --debug")
        log.error("second")
        let text = String(decoding: try FileSystem.readFile(temporary.path + "/log.json"), as: UTF8.self)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[1].hasPrefix(#"{"level":"error","msg":"second","time":"20"#))
    }
}

import LinuxSystem
