import Glibc

/// The kinds of Linux namespace a container can have, with the name
/// config.json uses, the clone flag and the /proc/PID/ns entry.
public enum NamespaceKind: String, CaseIterable, Sendable {
    case user, pid, network, mount, ipc, uts, cgroup, time

    public init?(configName: String) {
        self.init(rawValue: configName)
    }

    public var cloneFlag: Int32 {
        switch self {
        case .user: return 0x1000_0000     // CLONE_NEWUSER
        case .pid: return 0x2000_0000      // CLONE_NEWPID
        case .network: return 0x4000_0000  // CLONE_NEWNET
        case .mount: return 0x0002_0000    // CLONE_NEWNS
        case .ipc: return 0x0800_0000      // CLONE_NEWIPC
        case .uts: return 0x0400_0000      // CLONE_NEWUTS
        case .cgroup: return 0x0200_0000   // CLONE_NEWCGROUP
        case .time: return 0x0000_0080     // CLONE_NEWTIME
        }
    }

    /// The entry under /proc/PID/ns/.
    public var procName: String {
        switch self {
        case .network: return "net"
        case .mount: return "mnt"
        default: return rawValue
        }
    }

    /// The order in which existing namespaces are joined: the user namespace
    /// first, so the others can be entered with its capabilities; mount last
    /// among the rest, since it changes which paths the later ones resolve.
    public static let joinOrder: [NamespaceKind] = [.user, .ipc, .uts, .network, .pid, .cgroup, .time, .mount]
}
