import Testing
@testable import Runtime

@Suite struct ContainerIDTests {
    @Test(arguments: ["c1", "my-container_2.0", "a+b", String(repeating: "x", count: 255)])
    func validIdsAreAccepted(_ id: String) throws {
        try ContainerID.validate(id)
    }

    @Test(arguments: ["", ".", "..", "../x", "a/b", "a\0b", "sp ace", "tab\t", "é", String(repeating: "x", count: 256)])
    func invalidIdsAreRejectedBeforeAnyPathIsBuilt(_ id: String) {
        #expect(throws: RuntimeError.self) { try ContainerID.validate(id) }
    }

    @Test func theErrorNamesTheIdAndTheRule() {
        do {
            try ContainerID.validate("../x")
            Issue.record("accepted ../x")
        } catch {
            #expect(error.code == .invalidArgument)
            #expect(error.summary == "invalid container id \"../x\": only letters, digits and _ + - . are allowed")
        }
    }
}
