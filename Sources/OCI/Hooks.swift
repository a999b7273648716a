// `hooks` (config.md "POSIX-platform Hooks"), in the order runtime.md runs them.

/// Programs run at points of the container's lifecycle.
public struct Hooks: Codable, Sendable, Equatable {
    /// Deprecated by the spec in favour of the three that follow; still run.
    public var prestart: [Hook]?
    public var createRuntime: [Hook]?
    public var createContainer: [Hook]?
    public var startContainer: [Hook]?
    public var poststart: [Hook]?
    public var poststop: [Hook]?

    public init(
        prestart: [Hook]? = nil, createRuntime: [Hook]? = nil, createContainer: [Hook]? = nil,
        startContainer: [Hook]? = nil, poststart: [Hook]? = nil, poststop: [Hook]? = nil
    ) {
        self.prestart = prestart
        self.createRuntime = createRuntime
        self.createContainer = createContainer
        self.startContainer = startContainer
        self.poststart = poststart
        self.poststop = poststop
    }

    /// Every hook list with its JSON name, in lifecycle order.
    public var all: [(name: String, hooks: [Hook])] {
        [
            ("prestart", prestart), ("createRuntime", createRuntime),
            ("createContainer", createContainer), ("startContainer", startContainer),
            ("poststart", poststart), ("poststop", poststop),
        ].compactMap { name, hooks in hooks.map { (name, $0) } }
    }
}

/// One hook: an absolute path executed with `args` and `env`; it receives the
/// container's state on stdin.
public struct Hook: Codable, Sendable, Equatable {
    public var path: String
    public var args: [String]?
    public var env: [String]?
    /// Seconds before the hook is aborted; must be greater than zero.
    public var timeout: Int?

    public init(path: String, args: [String]? = nil, env: [String]? = nil, timeout: Int? = nil) {
        self.path = path
        self.args = args
        self.env = env
        self.timeout = timeout
    }
}
