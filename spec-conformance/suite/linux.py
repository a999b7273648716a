"""config-linux.md, what has no module of its own: the broad root probe
(hostname, sysctl, masked and read-only paths, rootfsPropagation, caps,
with checks of namespaces, seccomp, devices and mounts too), personality,
memoryPolicy and intelRdt."""

import ocitest
from .checker import checker_probe
from .framework import Skip, expect_create_error, test


ROOT_CAPS = ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"]  # see process.capability_not_grantable for the rest


@test
def probe_linux(case):
    """checker, as root: namespaces, hostname, sysctl, seccomp, devices, masked and readonly paths, mounts, caps"""
    def edit(config):
        config["hostname"] = "conformance-host"
        config["domainname"] = "conformance.example"
        config["process"]["capabilities"] = {
            # root's permitted and effective sets after execve are the
            # bounding set (plus inheritable): give them the same list
            "bounding": ROOT_CAPS, "effective": ROOT_CAPS, "permitted": ROOT_CAPS,
            "inheritable": ["CAP_KILL"], "ambient": ["CAP_KILL"]}
        linux = config["linux"]
        linux["namespaces"].append({"type": "cgroup"})
        linux["sysctl"] = {"net.ipv4.ip_forward": "1", "kernel.msgmax": "4096"}
        linux["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
            {"names": ["getpriority"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
            {"names": ["sethostname"], "action": "SCMP_ACT_ERRNO"}]}
        linux["maskedPaths"] = ["/proc/kcore", "/proc/timer_list", "/sys/firmware", "/proc/conformance-none"]
        linux["readonlyPaths"] = ["/proc/sys", "/proc/sysrq-trigger"]
        linux["devices"] = [
            {"path": "/dev/conformance-null", "type": "c", "major": 1, "minor": 3,
             "fileMode": 0o640, "uid": 1000, "gid": 1000},
            {"path": "/dev/conformance-fifo", "type": "p"}]
        linux["rootfsPropagation"] = "private"
    checker_probe(case, edit)


@test
def probe_personality(case):
    """checker: linux.personality LINUX32"""
    checker_probe(case, lambda config: config["linux"].__setitem__("personality", {"domain": "LINUX32"}))


@test
def probe_memory_policy(case):
    """checker: linux.memoryPolicy MPOL_INTERLEAVE on node 0, seen by get_mempolicy"""
    checker_probe(case, lambda config: config["linux"].__setitem__(
        "memoryPolicy", {"mode": "MPOL_INTERLEAVE", "nodes": "0"}))


@test
def intel_rdt_without_resctrl(case):
    """linux.intelRdt without a mounted resctrl file system errors"""
    if "resctrl" in ocitest.mount_table().values():
        raise Skip("a resctrl file system is mounted here: the case without one cannot be made")
    expect_create_error(case, "linux.intelRdt and no resctrl file system mounted", lambda c: c["linux"].__setitem__(
        "intelRdt", {"closID": "conformance", "l3CacheSchema": "L3:0=f"}))
