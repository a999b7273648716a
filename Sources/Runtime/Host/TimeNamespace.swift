import Glibc
import LinuxSystem
import OCI

/// A process enters a time namespace only at birth (the kernel's
/// time_for_children), and the offsets must be written before any process
/// is in it. So berth switches its own time_for_children just around the
/// clone of the init — unshare and write timens_offsets, or setns to a
/// given path — and switches back right after, so that hooks and later
/// children of berth stay in the host's time namespace.
struct TimeNamespaceSwitch {
    private let original: FileDescriptor
    private let system: any SystemCalls

    /// nil when the container keeps berth's time namespace.
    static func prepare(for plan: LaunchPlan, offsets: [String: LinuxTimeOffset],
                        system: any SystemCalls) throws(RuntimeError) -> TimeNamespaceSwitch? {
        let joined = plan.joinedNamespaces.first { $0.kind == .time }
        guard plan.newNamespaces.contains(.time) || joined != nil else { return nil }
        let original = try attempt("open berth's time namespace") { () throws(Errno) in
            try FileDescriptor.open("/proc/self/ns/time", O_RDONLY)
        }
        do throws(RuntimeError) {
            if let joined {
                try attempt("join time namespace \(joined.path)") { () throws(Errno) in
                    try system.joinNamespace(path: joined.path, kind: .time)
                }
            } else {
                try attempt("create a time namespace") { () throws(Errno) in
                    try system.unshare(.time)
                }
                let text = offsets.sorted { $0.key < $1.key }.map { clock, offset in
                    "\(clock) \(offset.secs ?? 0) \(offset.nanosecs ?? 0)\n"
                }.joined()
                if !text.isEmpty {
                    try ProcFile.write(text, to: "/proc/self/timens_offsets")
                }
            }
        } catch {
            let restored = TimeNamespaceSwitch(original: original, system: system)
            restored.restore()
            throw error
        }
        return TimeNamespaceSwitch(original: original, system: system)
    }

    /// Back to the time namespace berth started in, for its later children.
    func restore() {
        try? system.joinNamespace(original, kind: .time)
        original.close()
    }
}
