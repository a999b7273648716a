"""config-linux.md, Seccomp: errno rules with argument conditions, values
that must be refused, and the listener (the suite acts as the agent)."""

import json
import os

from .checker import checker_probe
from .framework import expect_create_error, test


@test
def probe_seccomp_args(case):
    """checker: SCMP_ACT_ERRNO rules with argument conditions apply only when the arguments match"""
    # errno 99 (EADDRNOTAVAIL) is never these syscalls' own answer
    def rule(name, *args):
        return {"names": [name], "action": "SCMP_ACT_ERRNO", "errnoRet": 99,
                "args": [dict(zip(("index", "value", "op", "valueTwo"), a)) for a in args]}
    checker_probe(case, lambda config: config["linux"].__setitem__("seccomp", {
        "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
            rule("getpriority", (0, 2, "SCMP_CMP_EQ"), (1, 0xff, "SCMP_CMP_MASKED_EQ", 0x10)),
            rule("getpgid", (0, 1000000, "SCMP_CMP_GT")),
            rule("getsid", (0, 5000000, "SCMP_CMP_GE")),
            rule("sethostname", (1, 7, "SCMP_CMP_LT")),
            rule("fchmodat", (0, 1000000, "SCMP_CMP_LE"), (3, 0x1234, "SCMP_CMP_NE"))]}))


@test
def seccomp_errno_unsupported(case):
    """errnoRet on an action without an errno (SCMP_ACT_ALLOW) errors"""
    expect_create_error(case, "errnoRet on SCMP_ACT_ALLOW", lambda c: c["linux"].__setitem__("seccomp", {
        "defaultAction": "SCMP_ACT_ALLOW",
        "syscalls": [{"names": ["getpriority"], "action": "SCMP_ACT_ALLOW", "errnoRet": 1}]}))


def seccomp_notify(config, listener_path):
    config["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": str(listener_path),
                                  "listenerMetadata": "conformance-metadata",
                                  "syscalls": [{"names": ["getpgid"], "action": "SCMP_ACT_NOTIFY"}]}


@test
def seccomp_listener(case):
    """as a seccomp agent on listenerPath: one JSON state with the seccomp fd by SCM_RIGHTS, then the close"""
    import array
    import socket
    path = case.dir / "agent.sock"
    agent = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    case.cleanups.append(agent.close)
    agent.bind(str(path))
    agent.listen(4)
    agent.settimeout(10)
    # The process never calls getpgid, so nothing waits for the agent's answers.
    container_id = case.create(case.bundle(edit=lambda config: seccomp_notify(config, path)))
    pid = case.state(container_id).get("pid")
    connection, _ = agent.accept()  # connected during create; the backlog held it
    case.cleanups.append(connection.close)
    connection.settimeout(10)
    case.verdict("config-linux.seccomp.listener.socket", "ok",
                 "the runtime connected to an AF_UNIX SOCK_STREAM listener (another socket type cannot connect)")
    payload, fds, reads = b"", [], []  # reads: (bytes, number of fds) of each recvmsg
    space = socket.CMSG_SPACE(16 * array.array("i").itemsize)
    while True:
        data, ancillary, _, _ = connection.recvmsg(65536, space)
        got = []
        for level, kind, body in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                got += list(array.array("i", body[:len(body) - len(body) % 4]))
        fds += got
        case.cleanups.extend((lambda fd=fd: os.close(fd)) for fd in got)
        if not data and not got:
            break  # end of file: the runtime closed the connection
        payload += data
        reads.append((len(data), len(got)))

    def verdict(requirement, condition, message):
        case.verdict(requirement, "ok" if condition else "not ok", message)
    try:
        state = json.loads(payload.decode())
    except ValueError as error:
        state = None
        verdict("config-linux.seccomp.state.payload", False, f"payload is not one JSON document: {error}: "
                f"{payload[:300]!r}")
    verdict("config-linux.seccomp.listener.no-reuse", True,
            f"the runtime closed the connection after {len(payload)} bytes")
    verdict("config-linux.seccomp.listener.one-state", state is not None and isinstance(state, dict),
            f"the connection carried exactly one JSON state ({len(payload)} bytes, then end of file)")
    if state is None:
        return
    verdict("config-linux.seccomp.state.payload", bool(fds) and isinstance(state.get("fds"), list),
            f"JSON payload with fds {state.get('fds')}; {len(fds)} descriptor(s) received by SCM_RIGHTS")
    verdict("config-linux.seccomp.state.fds-first", bool(reads) and all(n == 0 for _, n in reads[1:]) and reads[0][1],
            f"(bytes, descriptors) of each read: {reads}")
    verdict("config-linux.seccomp.state.ociVersion", isinstance(state.get("ociVersion"), str),
            f"ociVersion {state.get('ociVersion')!r}")
    verdict("config-linux.seccomp.state.pid", state.get("pid") == pid, f"pid {state.get('pid')} (state's pid {pid})")
    inner = state.get("state")
    verdict("config-linux.seccomp.state.state", isinstance(inner, dict) and inner.get("id") == container_id,
            f"state {json.dumps(inner)[:200]}")
    names = state.get("fds") if isinstance(state.get("fds"), list) else []
    kinds = []
    for fd in fds:
        try:
            kinds.append(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError as error:
            kinds.append(str(error))
    seccomp_fd = "seccompFd" in names and len(names) == len(fds) and \
        kinds[names.index("seccompFd")] == "anon_inode:seccomp notify"
    verdict("config-linux.seccomp.state.seccompFd", seccomp_fd, f"fds {names}, received {kinds}")


@test
def seccomp_listener_send_error(case):
    """an SCMP_ACT_NOTIFY config whose listenerPath nobody listens on errors"""
    expect_create_error(case, "a listenerPath with no listener",
                        lambda config: seccomp_notify(config, case.dir / "nobody-listens.sock"))


@test
def seccomp_default_errno_unsupported(case):
    """defaultErrnoRet with defaultAction SCMP_ACT_ALLOW errors"""
    expect_create_error(case, "defaultErrnoRet on SCMP_ACT_ALLOW", lambda c: c["linux"].__setitem__("seccomp", {
        "defaultAction": "SCMP_ACT_ALLOW", "defaultErrnoRet": 1}))
