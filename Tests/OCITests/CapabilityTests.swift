import Testing
import OCI

@Suite struct CapabilityTests {
    @Test(arguments: [("CAP_CHOWN", 0), ("CAP_KILL", 5), ("CAP_SYS_ADMIN", 21), ("CAP_AUDIT_READ", 37), ("CAP_CHECKPOINT_RESTORE", 40)])
    func capabilityNamesHaveTheKernelsNumbers(name: String, number: Int) {
        #expect(Capability.number(of: name) == number)
    }

    @Test(arguments: ["CAP_TEST", "cap_chown", "CHOWN", ""])
    func unknownCapabilityNamesHaveNoNumber(name: String) {
        #expect(Capability.number(of: name) == nil)
    }

    @Test func theTableIsDenseAndOrdered() {
        #expect(Capability.all.map(\.number) == Array(0...40))
    }

    @Test(arguments: [("RLIMIT_CPU", Int32(0)), ("RLIMIT_NOFILE", 7), ("RLIMIT_AS", 9), ("RLIMIT_RTTIME", 15)])
    func rlimitNamesHaveTheKernelsNumbers(name: String, resource: Int32) {
        #expect(Rlimit.resource(of: name) == resource)
        #expect(Rlimit.all.count == 16)
    }
}
