import Glibc
@testable import Runtime

/// A directory under /tmp removed at the end of the test that made it.
final class TemporaryDirectory {
    let path: String

    init() {
        var template = Array("/tmp/berth-test-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        path = String(cString: made!)
    }

    deinit {
        _ = system("rm -rf '\(path)'")
    }
}

extension ContainerRecord {
    /// What create claims an id with before it makes anything.
    static func claimed(_ id: String, bundle: String = "/b") -> ContainerRecord {
        ContainerRecord(ociVersion: "1.3.0", id: id, pid: 0, initStartTime: 0, bundle: bundle, rootfs: bundle + "/rootfs",
                        created: "2026-12-02T00:00:00Z", owner: "root", creating: true)
    }
}
