import Testing
@testable import Runtime

/// The home directory berth gives a process without HOME, from passwd(5)
/// text as an image has it.
struct PasswdHomeTests {
    static let passwd = Array("""
        root:x:0:0:root:/root:/bin/sh
        broken line
        short:x:7:7
        empty:x:8:8:no home::/bin/sh
        tester:x:1000:1000:tester:/home/tester:/bin/sh
        again:x:1000:1000:second entry:/elsewhere:/bin/sh
        """.utf8)

    @Test(arguments: [(0, "/root"), (1000, "/home/tester"), (7, nil), (8, nil), (4242, nil)] as [(UInt32, String?)])
    func theFirstEntryOfTheUserGivesTheHome(uid: UInt32, home: String?) {
        #expect(ProcessInit.homeDirectory(ofUser: uid, passwd: Self.passwd) == home)
    }
}
