import OCI
import Runtime

enum ExecCommand: Command {
    static let name = "exec"
    static let summary = "execute new process inside the container"
    static let usage = "<container-id> [command [args...]]"
    /// The command's own options follow the id and are not berth's.
    static let stopsAtFirstPositional = true
    /// runc's: 255 tells a failed exec apart from the exit status of a
    /// process that ran (containerd and podman rely on it).
    static let failureStatus: Int32 = 255
    static let requiredPositionals = 1
    static let options: [OptionSpec] = [
        OptionSpec("process", short: "p", .value(placeholder: "value"),
                   help: "path to a process.json (an OCI process) to run instead of the command line"),
        OptionSpec("detach", short: "d", help: "return once the process runs"),
        OptionSpec("tty", short: "t", help: "allocate a pseudo-TTY (needs --console-socket)"),
        OptionSpec("console-socket", .value(placeholder: "value"),
                   help: "path to an AF_UNIX socket which receives the pty master"),
        OptionSpec("pid-file", .value(placeholder: "value"), help: "file to write the process's host pid to"),
        OptionSpec("cwd", .value(placeholder: "value"), help: "current working directory in the container"),
        OptionSpec("env", short: "e", .repeatable(placeholder: "value"), help: "set an environment variable (K=V), repeatable"),
        OptionSpec("user", short: "u", .value(placeholder: "value"), help: "UID[:GID] to run as"),
        OptionSpec("additional-gids", short: "g", .repeatable(placeholder: "value"), help: "additional group id, repeatable"),
        OptionSpec("cap", short: "c", .repeatable(placeholder: "value"), help: "add a capability to every set, repeatable"),
        OptionSpec("no-new-privs", help: "set no_new_privs for the process"),
        OptionSpec("apparmor", .value(placeholder: "value"), help: "AppArmor profile for the process"),
        OptionSpec("process-label", .value(placeholder: "value"), help: "SELinux label for the process"),
        OptionSpec("preserve-fds", .value(placeholder: "value"), help: "pass this many extra descriptors (3, 4, ...)"),
        OptionSpec("cgroup", .value(placeholder: "value"), help: "run in this sub-cgroup of the container's cgroup"),
        OptionSpec("ignore-paused", help: "allow exec into a paused container"),
        OptionSpec("pidfd-socket", .value(placeholder: "value"),
                   help: "path to an AF_UNIX socket which receives a pidfd of the process"),
    ]

    static func run(_ arguments: Arguments, _ context: CommandContext) throws(RuntimeError) -> Int32 {
        guard let id = arguments.positionals.first else {
            throw RuntimeError(.invalidArgument, "exec: expected \(usage)")  // checked before run
        }
        var options = ExecOptions()
        options.processFile = arguments.value("process")
        options.command = Array(arguments.positionals.dropFirst())
        options.detach = arguments.flag("detach")
        options.tty = arguments.flag("tty")
        options.consoleSocket = arguments.value("console-socket")
        options.pidFile = arguments.value("pid-file")
        options.cwd = arguments.value("cwd")
        options.env = arguments.all("env")
        for variable in options.env {
            if let problem = Process.environmentProblem(variable) {
                throw RuntimeError(.invalidArgument, "exec --env: \(problem)")
            }
        }
        options.user = arguments.value("user")
        options.additionalGids = try arguments.all("additional-gids").map { (text) throws(RuntimeError) -> UInt32 in
            guard let gid = UInt32(text) else {
                throw RuntimeError(.invalidArgument, "--additional-gids: \"\(text)\" is not a group id")
            }
            return gid
        }
        options.capabilities = arguments.all("cap")
        options.noNewPrivileges = arguments.flag("no-new-privs")
        options.apparmorProfile = arguments.value("apparmor")
        options.processLabel = arguments.value("process-label")
        options.preserveFds = try CreateOptions.preserveFds(arguments)
        options.cgroup = arguments.value("cgroup")
        options.ignorePaused = arguments.flag("ignore-paused")
        options.pidfdSocket = arguments.value("pidfd-socket")
        return try context.runtime.exec(id: id, options: options)
    }
}
