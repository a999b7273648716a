import Testing
import Runtime
@testable import berth

/// `berth ps`'s table: the host's ps output kept to the container's pids.
@Suite struct PsTableTests {
    static let psEF = """
        UID          PID    PPID  C STIME TTY          TIME CMD
        root           1       0  0 10:00 ?        00:00:01 /sbin/init
        root         812       1  0 10:01 ?        00:00:00 sh -c sleep 60
        root         815     812  0 10:01 ?        00:00:00 sleep 60
        root        8120       1  0 10:02 ?        00:00:00 unrelated 812

        """

    @Test func rowsWhosePIDIsTheContainersAreKeptWithTheHeader() throws {
        let table = try PsTable.filter(Self.psEF, keeping: [812, 815])
        #expect(table == """
            UID          PID    PPID  C STIME TTY          TIME CMD
            root         812       1  0 10:01 ?        00:00:00 sh -c sleep 60
            root         815     812  0 10:01 ?        00:00:00 sleep 60

            """)
    }

    @Test func thePIDColumnIsFoundByItsTitle() throws {
        let output = "COMMAND PID\nsleep 815\nsh 900\n"
        #expect(try PsTable.filter(output, keeping: [815]) == "COMMAND PID\nsleep 815\n")
    }

    @Test func anEmptyContainerLeavesTheHeader() throws {
        #expect(try PsTable.filter(Self.psEF, keeping: []) == "UID          PID    PPID  C STIME TTY          TIME CMD\n")
    }

    @Test func outputWithoutAPIDColumnIsAnError() {
        #expect {
            try PsTable.filter("USER COMMAND\nroot init\n", keeping: [1])
        } throws: { error in
            (error as? RuntimeError)?.message == "couldn't find PID field in ps output"
        }
    }
}
