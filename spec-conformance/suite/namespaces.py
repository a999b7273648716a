"""config-linux.md, Namespaces and user namespace mappings: new,
inherited and joined namespaces, and the configs that must be refused."""

import os
import subprocess
import time

import ocitest
from .checker import checker_probe
from .framework import check, expect_create_error, test


@test
def probe_namespaces_inherit(case):
    """checker: namespaces not listed (net, ipc, uts, user, cgroup, time) are the runtime's"""
    def edit(config):
        config["linux"]["namespaces"] = [{"type": "mount"}, {"type": "pid"}]
        config.pop("hostname", None)
    checker_probe(case, edit)


@test
def probe_mount_namespace_inherit(case):
    """checker: without a mount namespace listed, the container's is the runtime's (mounts land there)"""
    def edit(config):
        linux = config["linux"]
        linux["namespaces"] = [n for n in linux["namespaces"] if n["type"] != "mount"]
        # What would change the runtime's own mounts cannot be asked for
        # without a mount namespace (runc refuses masked and read-only paths).
        for key in ("maskedPaths", "readonlyPaths", "rootfsPropagation"):
            linux.pop(key, None)
        config["root"]["readonly"] = False
    # Mounts made in the runtime's namespace outlive a runtime that does
    # not remove them at delete (runc leaves them): undo them here.
    case.cleanups.append(lambda: unmount_below(case.dir))
    checker_probe(case, edit)


def unmount_below(directory):
    prefix = os.path.realpath(directory) + "/"
    with open("/proc/self/mountinfo") as mountinfo:
        points = [line.split()[4] for line in mountinfo]
    for point in sorted((p for p in points if p.startswith(prefix)), key=len, reverse=True):
        subprocess.run(["umount", "-l", point], stderr=subprocess.DEVNULL, check=False)


def namespace_holder(case, kinds):
    """A process in new namespaces of the given unshare(1) kinds; its pid."""
    holder = subprocess.Popen(["unshare", *[f"--{k}" for k in kinds], "sleep", "60"])
    case.cleanups.append(lambda: (holder.kill(), holder.wait()))
    deadline = time.monotonic() + 5
    while os.stat(f"/proc/{holder.pid}/ns/net").st_ino == os.stat("/proc/self/ns/net").st_ino:
        check(time.monotonic() < deadline, "unshare did not make its namespaces")
        time.sleep(0.01)
    return holder.pid


@test
def probe_namespace_path(case):
    """checker: linux.namespaces[].path joins that namespace (net, uts, ipc of another process)"""
    pid = namespace_holder(case, ["net", "uts", "ipc"])
    joined = {"network": "net", "uts": "uts", "ipc": "ipc"}

    def edit(config):
        config["linux"]["namespaces"] = [{"type": "mount"}, {"type": "pid"}] + \
            [{"type": kind, "path": f"/proc/{pid}/ns/{name}"} for kind, name in joined.items()]
        config.pop("hostname", None)
    inodes = ocitest.namespace_inodes(pid)
    checker_probe(case, edit, env={"OCI_JOIN_NS": ",".join(f"{n}={inodes[n]}" for n in joined.values())})


@test
def probe_user_namespace(case):
    """checker: a user namespace with uid/gid mappings; the rootfs's owner is not changed"""
    case.bundles.make(case.dir / "warm-up")  # so that the shared rootfs exists before
    mapping = [{"containerID": 0, "hostID": 100000, "size": 65536}]

    def edit(config):
        config["linux"]["namespaces"].append({"type": "user"})
        config["linux"]["uidMappings"] = mapping
        config["linux"]["gidMappings"] = mapping
    before = os.stat(case.bundles.rootfs / "bin" / "busybox")
    checker_probe(case, edit)
    after = os.stat(case.bundles.rootfs / "bin" / "busybox")
    unchanged_owner = (before.st_uid, before.st_gid) == (after.st_uid, after.st_gid)
    case.verdict("config-linux.user-namespace-mappings.no-chown", "ok" if unchanged_owner else "not ok",
                 f"rootfs/bin/busybox owner {after.st_uid}:{after.st_gid}, before {before.st_uid}:{before.st_gid}")


@test
def namespaces_duplicate(case):
    """two linux.namespaces entries of one type error"""
    expect_create_error(case, "a duplicated namespace", lambda c: c["linux"]["namespaces"].append({"type": "pid"}))


@test
def namespace_path_wrong_type(case):
    """a namespace path of another type (a net namespace given as uts) errors"""
    pid = namespace_holder(case, ["net", "uts"])
    expect_create_error(case, "a net namespace as uts", lambda c: c["linux"].__setitem__("namespaces", [
        {"type": "mount"}, {"type": "pid"}, {"type": "network"}, {"type": "ipc"},
        {"type": "uts", "path": f"/proc/{pid}/ns/net"}]))


@test
def namespace_unknown_type(case):
    """an unknown namespace type ('pidd') errors"""
    expect_create_error(case, "namespace type pidd", lambda c: c["linux"]["namespaces"].append({"type": "pidd"}))
