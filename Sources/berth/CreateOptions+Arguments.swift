import Runtime

/// The options `create` and `run` share, as runc spells them.
extension CreateOptions {
    static let specs: [OptionSpec] = [
        OptionSpec("bundle", short: "b", .value(placeholder: "value"),
                   help: "path to the root of the bundle directory (default: the current directory)"),
        OptionSpec("console-socket", .value(placeholder: "value"),
                   help: "path to an AF_UNIX socket which receives the pty master of a terminal container"),
        OptionSpec("pid-file", .value(placeholder: "value"), help: "file to write the init's host pid to (no newline)"),
        OptionSpec("no-pivot", help: "do not use pivot_root: move the rootfs to / and chroot (for a ramdisk root)"),
        OptionSpec("no-new-keyring", help: "do not give the container a session keyring of its own"),
        OptionSpec("preserve-fds", .value(placeholder: "value"),
                   help: "pass this many extra descriptors (3, 4, ...) to the container's process"),
        OptionSpec("pidfd-socket", .value(placeholder: "value"),
                   help: "path to an AF_UNIX socket which receives a pidfd of the container's init"),
    ]

    init(_ arguments: Arguments) throws(RuntimeError) {
        let preserveFds = try Self.preserveFds(arguments)
        self.init(bundle: arguments.value("bundle") ?? ".", pidFile: arguments.value("pid-file"),
                  consoleSocket: arguments.value("console-socket"), preserveFds: preserveFds,
                  noPivot: arguments.flag("no-pivot"), noNewKeyring: arguments.flag("no-new-keyring"),
                  pidfdSocket: arguments.value("pidfd-socket"))
    }

    /// --preserve-fds, bounded by the kernel's largest descriptor table
    /// (fs.nr_open's default), so the number is safe to count up to.
    static func preserveFds(_ arguments: Arguments) throws(RuntimeError) -> Int {
        let text = arguments.value("preserve-fds") ?? "0"
        guard let count = Int(text), (0...(1 << 20)).contains(count) else {
            throw RuntimeError(.invalidArgument, "--preserve-fds: expected a number from 0 to 1048576, not \(RuntimeError.quoted(text))")
        }
        return count
    }
}
