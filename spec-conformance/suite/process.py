"""config.md, Process: user, cwd, rlimits, capabilities, scheduler, I/O
priority, consoleSize (probed from inside by the checker, or refused)."""

import ocitest
from .checker import checker_probe
from .framework import Skip, expect_create_error, expect_create_ok, test


@test
def probe_process(case):
    """checker, as uid 1000: args, env, cwd, user, groups, umask, rlimits, caps, noNewPrivileges, oomScoreAdj"""
    def edit(config):
        config["process"].update({
            "user": {"uid": 1000, "gid": 1000, "additionalGids": [5, 1001], "umask": 0o027},
            "cwd": "/tmp",
            "rlimits": [{"type": "RLIMIT_NOFILE", "soft": 512, "hard": 1024},
                        {"type": "RLIMIT_CORE", "soft": 1024, "hard": 2048}],
            # a non-root process keeps only its ambient capabilities
            # across execve: ask for what it can have
            "capabilities": {"bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
                             "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"],
                             "inheritable": ["CAP_KILL"], "ambient": ["CAP_KILL"]},
            "noNewPrivileges": True,
            "oomScoreAdj": 500,
        })
        config["process"]["env"].append("CONFORMANCE=with spaces=and equals")
    checker_probe(case, edit)


@test
def probe_scheduler(case):
    """checker: process.scheduler SCHED_BATCH with nice 7, seen by sched_getattr"""
    checker_probe(case, lambda config: config["process"].__setitem__(
        "scheduler", {"policy": "SCHED_BATCH", "nice": 7}))


@test
def probe_io_priority(case):
    """checker: process.ioPriority IOPRIO_CLASS_BE level 6, seen by ioprio_get"""
    checker_probe(case, lambda config: config["process"].__setitem__(
        "ioPriority", {"class": "IOPRIO_CLASS_BE", "priority": 6}))


@test
def rlimits_duplicate(case):
    """two rlimits of one type error"""
    expect_create_error(case, "duplicated rlimits", lambda c: c["process"].__setitem__("rlimits", [
        {"type": "RLIMIT_NOFILE", "soft": 100, "hard": 100}, {"type": "RLIMIT_NOFILE", "soft": 200, "hard": 200}]))


@test
def rlimit_unknown_type(case):
    """an rlimit type with no kernel resource (RLIMIT_BERTH) errors"""
    expect_create_error(case, "rlimit RLIMIT_BERTH", lambda c: c["process"].__setitem__("rlimits", [
        {"type": "RLIMIT_BERTH", "soft": 1, "hard": 1}]))


@test
def cwd_relative(case):
    """a relative process.cwd errors"""
    expect_create_error(case, "cwd 'tmp'", lambda c: c["process"].__setitem__("cwd", "tmp"))


@test
def console_size_ignored(case):
    """consoleSize with terminal false is ignored"""
    expect_create_ok(case, "consoleSize without a terminal",
                     lambda c: c["process"].__setitem__("consoleSize", {"height": 24, "width": 80}))


@test
def capability_not_grantable(case):
    """a capability the runtime itself lacks does not make create fail (SHOULD NOT)"""
    missing = [name for bit, name in enumerate(CAPABILITY_NAMES)
               if not int(ocitest.status_field("CapBnd"), 16) >> bit & 1]
    if not missing:
        raise Skip("the runtime has every capability: none to ask for that cannot be granted")
    caps = ["CAP_KILL", missing[0]]
    expect_create_ok(case, f"{missing[0]}, which the runtime lacks", lambda c: c["process"].__setitem__(
        "capabilities", {"bounding": caps, "effective": caps, "permitted": caps}))


@test
def capability_unknown_name(case):
    """a capability name the runtime cannot map does not make create fail (SHOULD NOT)"""
    caps = ["CAP_KILL", "CAP_UNKNOWN"]
    expect_create_ok(case, "CAP_UNKNOWN in every set", lambda c: c["process"].__setitem__(
        "capabilities", {"bounding": caps, "effective": caps, "permitted": caps}))


@test
def capability_ambient_not_inheritable(case):
    """an ambient capability the kernel cannot grant (not inheritable) does not make create fail (SHOULD NOT)"""
    caps = ["CAP_KILL", "CAP_CHOWN"]
    expect_create_ok(case, "CAP_CHOWN ambient but not inheritable", lambda c: c["process"].__setitem__(
        "capabilities", {"bounding": caps, "effective": caps, "permitted": caps, "ambient": ["CAP_CHOWN"]}))


CAPABILITY_NAMES = [
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
    "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT",
    "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
    "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
    "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE"]
