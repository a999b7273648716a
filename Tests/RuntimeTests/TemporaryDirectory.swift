import Glibc

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
