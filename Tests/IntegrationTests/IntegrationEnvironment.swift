import Foundation
import Glibc
import Testing

// Root integration tests: they run the built runtime binary (BERTH_BINARY,
// set by `make test` to .build/release/berth) on real busybox bundles, and
// link nothing of the runtime, so any runc-compatible binary can be tested:
//
//     sudo make test
//     BERTH_BINARY=/usr/sbin/runc swift test --filter IntegrationTests
//
// Where berth deliberately differs from runc (message wording, behaviour the
// spec requires and runc 1.1 lacks) the test asserts berth's behaviour only
// when `Runtime.isBerth`, or marks runc's deviation as a known issue.

/// What the integration tests need from the machine, checked once per test
/// process: root, the runtime binary under test (`BERTH_BINARY`) and a
/// statically linked `/bin/busybox` to build root filesystems from.
///
/// Outside CI a missing piece skips every test with a printed reason. In CI
/// (`CI=true`) a missing binary or busybox fails the tests instead: a CI run
/// that silently skipped its integration tests would prove nothing.
enum IntegrationEnvironment {
    static let busybox = "/bin/busybox"

    /// The runtime under test; nil when `BERTH_BINARY` is unset or empty.
    static let binary: String? = {
        guard let value = ProcessInfo.processInfo.environment["BERTH_BINARY"], !value.isEmpty else {
            return nil
        }
        return value
    }()

    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"

    /// Why the tests cannot run here, or nil when everything is in place.
    static let missingPiece: String? = {
        guard let binary else { return "BERTH_BINARY is not set" }
        guard access(binary, X_OK) == 0 else { return "BERTH_BINARY \(binary) is not an executable file" }
        guard isStaticExecutable(busybox) else {
            return "\(busybox) is missing or not statically linked (apt-get install busybox-static)"
        }
        return nil
    }()

    /// Whether the tests run at all; prints the reason once when they do not.
    static let shouldRun: Bool = {
        if geteuid() != 0 {
            print("integration tests skipped: they need root (euid is \(geteuid()))")
            return false
        }
        if let missingPiece {
            if isCI { return true }  // each test then fails in `requireReady()`
            print("integration tests skipped: \(missingPiece)")
            return false
        }
        return true
    }()

    /// Throws, failing the test, when a piece is missing (reached only in CI).
    static func requireReady() throws -> String {
        if let missingPiece { throw IntegrationSetupError(message: "integration tests cannot run: \(missingPiece)") }
        return binary!
    }

    /// True when the file is an ELF executable without a PT_INTERP program
    /// header, that is, one that needs no dynamic loader.
    static func isStaticExecutable(_ path: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: path), data.count > 64,
              data.prefix(4) == Data([0x7f, 0x45, 0x4c, 0x46]), data[4] == 2 /* ELFCLASS64 */ else {
            return false
        }
        func integer(at offset: Int, size: Int) -> Int {
            (0..<size).reduce(0) { $0 | Int(data[offset + $1]) << (8 * $1) }  // little endian
        }
        let tableOffset = integer(at: 0x20, size: 8)
        let entrySize = integer(at: 0x36, size: 2)
        let entryCount = integer(at: 0x38, size: 2)
        for index in 0..<entryCount {
            let entry = tableOffset + index * entrySize
            guard entry + 4 <= data.count else { return false }
            if integer(at: entry, size: 4) == 3 /* PT_INTERP */ { return false }
        }
        return true
    }

    /// The directory holding the OCI runtime-spec (markdown and `schema/`):
    /// `BERTH_OCI_SPEC_DIR`, else `shared/oci-runtime-spec` next to or inside
    /// an ancestor of this source file.
    static func specDirectory(from file: String = #filePath) -> String? {
        if let dir = ProcessInfo.processInfo.environment["BERTH_OCI_SPEC_DIR"], !dir.isEmpty { return dir }
        var ancestor = URL(fileURLWithPath: file).resolvingSymlinksInPath().deletingLastPathComponent()
        while ancestor.path != "/" {
            for candidate in ["../shared/oci-runtime-spec", "shared/oci-runtime-spec"] {
                let dir = ancestor.appendingPathComponent(candidate).standardizedFileURL.path
                if FileManager.default.fileExists(atPath: dir + "/schema/config-schema.json") { return dir }
            }
            ancestor.deleteLastPathComponent()
        }
        return nil
    }
}

struct IntegrationSetupError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test only as root with a runtime binary and busybox (see
    /// `IntegrationEnvironment.shouldRun`).
    static var integration: Self {
        .enabled("needs root, BERTH_BINARY and a static /bin/busybox") { IntegrationEnvironment.shouldRun }
    }
}
