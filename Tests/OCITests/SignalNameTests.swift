import Testing
import OCI

@Suite struct SignalNameTests {
    @Test(arguments: [
        ("TERM", Int32(15)), ("SIGTERM", 15), ("sigterm", 15), ("Kill", 9), ("9", 9), ("SIGHUP", 1), ("CHLD", 17),
        ("SIGCLD", 17), ("IOT", 6), ("SIGWINCH", 28), ("SIGSYS", 31), ("64", 64), ("RTMIN", 34), ("SIGRTMIN+3", 37),
        ("RTMAX", 64), ("SIGRTMAX-1", 63), ("rtmax-30", 34),
    ])
    func signalsAreFoundByNameOrNumber(text: String, number: Int32) {
        #expect(SignalName.number(of: text) == number)
    }

    @Test(arguments: ["", "0", "65", "-9", "SIGFOO", "RTMIN+31", "RTMAX-31", "RTMIN-1", "RTMAX+1", "SIG", "TERM "])
    func nonSignalsAreRejected(text: String) {
        #expect(SignalName.number(of: text) == nil)
    }

    @Test(arguments: [(Int32(15), "SIGTERM"), (6, "SIGABRT"), (17, "SIGCHLD"), (29, "SIGIO"), (34, "SIGRTMIN"), (36, "SIGRTMIN+2"), (64, "SIGRTMAX")])
    func signalNumbersHaveTheirUsualNames(number: Int32, name: String) {
        #expect(SignalName.name(of: number) == name)
        #expect(SignalName.number(of: name) == number)
    }
}
