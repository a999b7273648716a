// `process` (config.md "Process", "POSIX process", "Linux Process", "User").

/// The container's process: what to execute, as whom, and under which limits.
public struct Process: Codable, Sendable, Equatable {
    public var terminal: Bool?
    public var consoleSize: Box?
    public var user: User?
    public var args: [String]?
    /// Windows only; kept because it is part of the common schema.
    public var commandLine: String?
    public var env: [String]?
    public var cwd: String
    public var capabilities: LinuxCapabilities?
    public var rlimits: [POSIXRlimit]?
    public var noNewPrivileges: Bool?
    public var apparmorProfile: String?
    public var oomScoreAdj: Int?
    public var scheduler: LinuxScheduler?
    public var selinuxLabel: String?
    public var ioPriority: LinuxIOPriority?
    public var execCPUAffinity: CPUAffinity?

    public init(
        terminal: Bool? = nil, consoleSize: Box? = nil, user: User? = nil, args: [String]? = nil,
        commandLine: String? = nil, env: [String]? = nil, cwd: String,
        capabilities: LinuxCapabilities? = nil, rlimits: [POSIXRlimit]? = nil,
        noNewPrivileges: Bool? = nil, apparmorProfile: String? = nil, oomScoreAdj: Int? = nil,
        scheduler: LinuxScheduler? = nil, selinuxLabel: String? = nil,
        ioPriority: LinuxIOPriority? = nil, execCPUAffinity: CPUAffinity? = nil
    ) {
        self.terminal = terminal
        self.consoleSize = consoleSize
        self.user = user
        self.args = args
        self.commandLine = commandLine
        self.env = env
        self.cwd = cwd
        self.capabilities = capabilities
        self.rlimits = rlimits
        self.noNewPrivileges = noNewPrivileges
        self.apparmorProfile = apparmorProfile
        self.oomScoreAdj = oomScoreAdj
        self.scheduler = scheduler
        self.selinuxLabel = selinuxLabel
        self.ioPriority = ioPriority
        self.execCPUAffinity = execCPUAffinity
    }
}

/// A terminal size in characters (`consoleSize`).
public struct Box: Codable, Sendable, Equatable {
    public var height: UInt
    public var width: UInt

    public init(height: UInt, width: UInt) {
        self.height = height
        self.width = width
    }
}

/// The identity of the process inside the container.
public struct User: Codable, Sendable, Equatable {
    public var uid: UInt32
    public var gid: UInt32
    public var umask: UInt32?
    public var additionalGids: [UInt32]?
    /// Windows only.
    public var username: String?

    public init(
        uid: UInt32 = 0, gid: UInt32 = 0, umask: UInt32? = nil,
        additionalGids: [UInt32]? = nil, username: String? = nil
    ) {
        self.uid = uid
        self.gid = gid
        self.umask = umask
        self.additionalGids = additionalGids
        self.username = username
    }

    private enum CodingKeys: String, CodingKey {
        case uid, gid, umask, additionalGids, username
    }

    // config.md calls uid and gid REQUIRED, but the schema does not, and runc
    // (like every Go runtime, whose zero value is 0) accepts `"user": {}` as
    // root. Defaulting here keeps such configs working.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        uid = try container.decodeIfPresent(UInt32.self, forKey: .uid) ?? 0
        gid = try container.decodeIfPresent(UInt32.self, forKey: .gid) ?? 0
        umask = try container.decodeIfPresent(UInt32.self, forKey: .umask)
        additionalGids = try container.decodeIfPresent([UInt32].self, forKey: .additionalGids)
        username = try container.decodeIfPresent(String.self, forKey: .username)
    }
}

/// The five capability sets, each a list of names such as `CAP_CHOWN`.
public struct LinuxCapabilities: Codable, Sendable, Equatable {
    public var bounding: [String]?
    public var effective: [String]?
    public var inheritable: [String]?
    public var permitted: [String]?
    public var ambient: [String]?

    public init(
        bounding: [String]? = nil, effective: [String]? = nil, inheritable: [String]? = nil,
        permitted: [String]? = nil, ambient: [String]? = nil
    ) {
        self.bounding = bounding
        self.effective = effective
        self.inheritable = inheritable
        self.permitted = permitted
        self.ambient = ambient
    }
}

/// One resource limit; `type` is a name such as `RLIMIT_NOFILE`.
public struct POSIXRlimit: Codable, Sendable, Equatable {
    public var type: String
    public var hard: UInt64
    public var soft: UInt64

    public init(type: String, hard: UInt64, soft: UInt64) {
        self.type = type
        self.hard = hard
        self.soft = soft
    }
}

/// `sched_setattr(2)` parameters.
public struct LinuxScheduler: Codable, Sendable, Equatable {
    public var policy: String
    public var nice: Int32?
    public var priority: Int32?
    public var flags: [String]?
    public var runtime: UInt64?
    public var deadline: UInt64?
    public var period: UInt64?

    public init(
        policy: String, nice: Int32? = nil, priority: Int32? = nil, flags: [String]? = nil,
        runtime: UInt64? = nil, deadline: UInt64? = nil, period: UInt64? = nil
    ) {
        self.policy = policy
        self.nice = nice
        self.priority = priority
        self.flags = flags
        self.runtime = runtime
        self.deadline = deadline
        self.period = period
    }
}

/// `ioprio_set(2)` class and level.
public struct LinuxIOPriority: Codable, Sendable, Equatable {
    public var `class`: String
    public var priority: Int32?

    public init(class: String, priority: Int32? = nil) {
        self.class = `class`
        self.priority = priority
    }
}

/// CPU lists (`0-3,7`) for `exec`: before and after joining the cgroup.
public struct CPUAffinity: Codable, Sendable, Equatable {
    public var initial: String?
    public var final: String?

    public init(initial: String? = nil, final: String? = nil) {
        self.initial = initial
        self.final = final
    }
}

extension Process {
    /// What is wrong with a NAME=VALUE entry, if anything: the one rule for
    /// config.json, hooks and `exec --env`.
    public static func environmentProblem(_ variable: String) -> String? {
        guard let equals = variable.firstIndex(of: "=") else {
            return "invalid environment variable \"\(variable)\": missing \"=\""
        }
        return equals == variable.startIndex ? "invalid environment variable \"\(variable)\": empty name" : nil
    }
}
