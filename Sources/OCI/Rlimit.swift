// Resource limit names and their numbers for setrlimit(2) on Linux
// (asm-generic/resource.h, shared by x86_64 and arm64).

public enum Rlimit {
    /// The 16 Linux limits, ordered by resource number.
    public static let all: [(name: String, resource: Int32)] = [
        "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE", "RLIMIT_RSS",
        "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_LOCKS",
        "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME",
    ].enumerated().map { (name: $0.element, resource: Int32($0.offset)) }

    private static let resources = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0.resource) })

    /// The resource number of `RLIMIT_NOFILE` and the like, or nil.
    public static func resource(of name: String) -> Int32? {
        resources[name]
    }
}
