import Glibc
import LinuxSystem
import OCI

/// What berth sends to a seccomp agent with the notify fd (config-linux.md,
/// "The Container Process State").
struct ContainerProcessState: Encodable {
    var ociVersion: String
    var fds: [String]
    var pid: Int32
    var metadata: String?
    var state: State
}

extension ProcessInit {
    /// Encoded before the filter is loaded, so nothing but the send itself
    /// runs under a filter that may be notifying the agent.
    func seccompListenerPayload(hostPid: Int32) -> String {
        guard plan.seccompListener != nil else { return "" }
        // Sent with the filter: during create without no_new_privs (the
        // filter goes in before the user change), after start with it.
        let status: ContainerStatus = plan.process.noNewPrivileges ? .running : .creating
        let state = plan.state(status, pid: hostPid)
        let message = ContainerProcessState(ociVersion: plan.ociVersion, fds: ["seccompFd"], pid: hostPid,
                                            metadata: plan.seccompListener?.metadata, state: state)
        return (try? JSONText.encode(message)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// Installs the filter; with SCMP_ACT_NOTIFY hands the listener fd and
    /// the container process state to the agent in one sendmsg.
    func loadSeccomp(_ prepared: PreparedProcess) throws(RuntimeError) {
        guard let program = plan.seccomp else { return }
        let listenerFd = try attempt("load the seccomp filter") { () throws(Errno) in try program.load(through: system) }
        guard let listenerFd, let socket = prepared.seccompListener else { return }
        try attempt("send the seccomp notify fd to \(plan.seccompListener?.path ?? "")") { () throws(Errno) in
            try socket.sendDescriptor(listenerFd, payload: Array(prepared.seccompListenerPayload.utf8))
        }
        // The agent has its copy; the container's process must not.
        close(listenerFd)
        socket.close()
    }
}
