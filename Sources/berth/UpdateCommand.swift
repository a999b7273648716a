import LinuxSystem
import OCI
import Runtime

enum UpdateCommand: Command {
    static let name = "update"
    static let summary = "update container resource constraints"
    static let usage = "<container-id>"
    static let options: [OptionSpec] = [
        OptionSpec("resources", short: "r", .value(placeholder: "value"),
                   help: "path to a file with the resources to update (OCI linux.resources JSON), or - for stdin"),
        OptionSpec("blkio-weight", .value(placeholder: "value"), help: "per cgroup io weight, 10 to 1000"),
        OptionSpec("cpu-period", .value(placeholder: "value"), help: "CPU CFS period for hardcapping (in usecs)"),
        OptionSpec("cpu-quota", .value(placeholder: "value"), help: "CPU CFS hardcap limit (in usecs) in a period; -1 for none"),
        OptionSpec("cpu-burst", .value(placeholder: "value"), help: "CPU CFS burst (in usecs) in a period"),
        OptionSpec("cpu-share", .value(placeholder: "value"), help: "CPU shares (relative weight vs. other containers)"),
        OptionSpec("cpu-shares", .value(placeholder: "value"), help: "the same as --cpu-share"),
        OptionSpec("cpu-idle", .value(placeholder: "value"), help: "1 for SCHED_IDLE, 0 for the default"),
        OptionSpec("cpu-rt-period", .value(placeholder: "value"), help: "CPU realtime period (refused: not in cgroup v2)"),
        OptionSpec("cpu-rt-runtime", .value(placeholder: "value"), help: "CPU realtime runtime (refused: not in cgroup v2)"),
        OptionSpec("cpuset-cpus", .value(placeholder: "value"), help: "CPU(s) to use, e.g. 0-3,7"),
        OptionSpec("cpuset-mems", .value(placeholder: "value"), help: "memory node(s) to use"),
        OptionSpec("memory", .value(placeholder: "value"), help: "memory limit in bytes (units k, m, g, t, p; -1 for none)"),
        OptionSpec("memory-reservation", .value(placeholder: "value"), help: "memory reservation (memory.low) in bytes"),
        OptionSpec("memory-swap", .value(placeholder: "value"), help: "memory plus swap limit in bytes; -1 for unlimited swap"),
        OptionSpec("pids-limit", .value(placeholder: "value"), help: "maximum number of pids; -1 for none"),
    ]

    static func run(_ arguments: Arguments, _ context: CommandContext) throws(RuntimeError) -> Int32 {
        try arguments.expectPositionals(["container-id"], command: name)
        let flags = Dictionary(uniqueKeysWithValues: resourceFlagNames.compactMap { name in
            arguments.value(name).map { (name, $0) }
        })
        let resources: LinuxResources
        if let source = arguments.value("resources") {
            guard flags.isEmpty else {
                throw RuntimeError(.invalidArgument,
                    "update: --resources cannot be combined with --\(flags.keys.sorted().joined(separator: ", --"))")
            }
            let bytes: [UInt8]
            do throws(Errno) {
                bytes = source == "-" ? try FileDescriptor(rawValue: 0).readAll() : try FileSystem.readFile(source)
            } catch {
                throw .system("update: read \(source == "-" ? "the standard input" : source)", error)
            }
            resources = try Runtime.decodeResources(bytes, source: source == "-" ? "the standard input" : source)
        } else {
            resources = try Self.resources(fromFlags: flags)
        }
        try context.runtime.update(id: arguments.positionals[0], resources: resources)
        return 0
    }
}
