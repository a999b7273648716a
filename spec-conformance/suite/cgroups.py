"""config-linux.md, Control groups: cgroupsPath."""

import ocitest
from .framework import Fail, Skip, check, test


@test
def cgroups_path(case):
    """cgroupsPath: the process is in that cgroup, and again for a second container with the same value"""
    path = f"/berth-conformance/{case.new_id()}"
    case.cleanups.append(lambda: ocitest.remove_cgroup_tree("/berth-conformance"))
    places = []
    for attempt in range(2):
        bundle = case.bundle(edit=lambda c: c["linux"].__setitem__("cgroupsPath", path))
        container_id = case.new_id()
        created = case.call("create", "--bundle", bundle, container_id)
        if not created.ok and "cgroup" in created.stderr.lower() and attempt == 0:
            raise Skip(f"runtime cannot use this host's cgroups: {created.first_stderr_line}")
        if not created.ok:
            raise Fail("create with cgroupsPath failed", created)
        pid = case.state(container_id)["pid"]
        dirs = sorted(d for d in ocitest.process_cgroup_dirs(pid) if d.rstrip("/").endswith(path))
        check(dirs, f"the process is in no cgroup ending in {path}", cgroups=ocitest.process_cgroup_dirs(pid))
        places.append(dirs)
        case.expect_ok("delete", "--force", container_id)
    check(places[0] == places[1], "the same cgroupsPath gave different cgroups", places=places)
