import LinuxSystem

enum FileDescriptorOutput {
    static func standardOutput(_ text: String) throws(Errno) {
        try FileDescriptor(rawValue: 1).writeAll(Array(text.utf8))
    }

    static func standardError(_ text: String) {
        try? FileDescriptor(rawValue: 2).writeAll(Array(text.utf8))
    }
}
