"""runtime.md, Lifecycle and Operations: create, start, kill and delete,
what each does and the errors each must generate."""

import json
import os
import time

import ocitest
from .framework import NOT_IMPLEMENTED, Skip, check, test, unchanged, wait_for_file


@test
def lifecycle_operations(case):
    """create, state, start, kill and delete all work on one container"""
    container_id = case.create(case.bundle())
    case.expect_ok("start", container_id)
    case.wait_for(container_id, "running")
    case.expect_ok("kill", container_id, "KILL")
    case.wait_for(container_id, "stopped")
    case.expect_ok("delete", container_id)


@test
def create_without_id(case):
    """create without an id errors and creates nothing"""
    case.expect_error("create", "--bundle", case.bundle(), what="create without an id")
    # `list` is not an OCI operation, so a runtime without it passes on the error alone.
    listed = case.call("list", "--format", "json")
    try:
        containers = json.loads(listed.stdout) if listed.ok and listed.stdout.strip() else None
    except ValueError:
        containers = None
    check(not containers, "a container was created anyway", list=containers)


@test
def create_missing_config(case):
    """create with a bundle that has no config.json errors and creates nothing"""
    empty = case.dir / "empty-bundle"
    empty.mkdir()
    container_id = case.new_id()
    case.expect_error("create", "--bundle", empty, container_id, what="create without config.json")
    check(case.state_or_none(container_id) is None, "a container was created anyway")


@test
def create_duplicate_id(case):
    """a second create with the same id errors and leaves the first container as it was"""
    first = case.create(case.bundle())
    before = case.state(first)
    case.expect_error("create", "--bundle", case.bundle(), first, what="create with a duplicate id")
    unchanged(case, first, before, "the duplicate create")
    check(case.state(first).get("bundle") == before.get("bundle"), "the container's bundle changed")


@test
def create_invalid_id(case):
    """an id with a path separator ('../x') errors and creates nothing"""
    name = f"escape-{os.getpid()}"
    container_id = f"../{name}"
    case.ids.append(container_id)
    case.expect_error("create", "--bundle", case.bundle(), container_id, what="create with id ../x")
    check(not (case.dir / name).exists(), f"state was written outside --root, at {case.dir / name}")


@test
def create_creates(case):
    """create makes a container that state reports as created, with a live process"""
    state = case.state(case.create(case.bundle()))
    check(state.get("status") == "created", "status is not created", state=state)
    check(os.path.exists(f"/proc/{state.get('pid')}"), "the container process does not exist", state=state)


@test
def create_applies_config(case):
    """after create, before start: the namespaces, hostname and root are in place"""
    state = case.state(case.create(case.bundle()))
    pid = state.get("pid")
    check(isinstance(pid, int) and pid > 0, "no pid in state", state=state)
    for kind in ("pid", "net", "ipc", "uts", "mnt"):
        check(os.readlink(f"/proc/{pid}/ns/{kind}") != os.readlink(f"/proc/self/ns/{kind}"),
              f"the container is not in a new {kind} namespace")
    hostname = ocitest.spawn(["nsenter", "--target", str(pid), "--uts", "hostname"])
    check(hostname.ok and hostname.stdout.strip() == "berth-demo", "hostname is not applied",
          hostname=hostname.stdout.strip(), stderr=hostname.stderr.strip())
    ours = os.stat(case.bundles.rootfs / "bin" / "busybox")
    theirs = os.stat(f"/proc/{pid}/root/bin/busybox")
    check((ours.st_dev, ours.st_ino) == (theirs.st_dev, theirs.st_ino) or ours.st_ino == theirs.st_ino,
          "the container's root is not the bundle's rootfs")


@test
def create_does_not_run_process(case):
    """the process does not run at create, and does at start"""
    bundle = case.bundle(["touch", "/out/ran"], out=True)
    container_id = case.create(bundle)
    time.sleep(0.3)  # give a runtime that wrongly starts the process the time to do it
    check(not (bundle / "out" / "ran").exists(), "the process ran before start")
    case.expect_ok("start", container_id)
    check(wait_for_file(bundle / "out" / "ran"), "the process did not run after start")


@test
def create_unappliable_config(case):
    """a mount of an unknown filesystem type errors and creates nothing"""
    bundle = case.bundle(edit=lambda config: config["mounts"].append(
        {"destination": "/tmp", "type": "berth-no-such-fs", "source": "none"}))
    container_id = case.new_id()
    case.expect_error("create", "--bundle", bundle, container_id, what="create with an unknown mount type")
    check(case.state_or_none(container_id) is None, "a container was created anyway",
          state=case.state_or_none(container_id))


@test
def create_ignores_config_changes(case):
    """editing config.json after create does not change what start runs"""
    bundle = case.bundle(["sh", "-c", "echo original > /out/which"], out=True)
    container_id = case.create(bundle)
    config = json.loads((bundle / "config.json").read_text())
    config["process"]["args"] = ["sh", "-c", "echo changed > /out/which"]
    (bundle / "config.json").write_text(json.dumps(config))
    case.expect_ok("start", container_id)
    which = bundle / "out" / "which"
    check(wait_for_file(which), "the process did not run")
    case.wait_for(container_id, "stopped")
    check(which.read_text().strip() == "original", "start ran the edited config", output=which.read_text())


@test
def start_without_id(case):
    """start without an id errors"""
    case.expect_error("start", what="start without an id")


@test
def start_unknown_id(case):
    """start of a container that does not exist errors"""
    case.expect_error("start", f"no-such-container-{os.getpid()}", what="start of a missing container")


@test
def start_running(case):
    """start of a running container errors and leaves it running"""
    container_id, before = case.running()
    case.expect_error("start", container_id, what="start of a running container")
    unchanged(case, container_id, before, "start")


@test
def start_stopped(case):
    """start of a stopped container errors and leaves it stopped"""
    container_id, before = case.stopped()
    case.expect_error("start", container_id, what="start of a stopped container")
    unchanged(case, container_id, before, "start")


@test
def start_runs_process(case):
    """start runs process.args with process.env, cwd and user"""
    script = 'echo "$GREETING|$(pwd)|$(id -u):$(id -g)|$0" > /out/result'

    def edit(config):
        config["process"]["env"].append("GREETING=hello conformance")
        config["process"]["cwd"] = "/tmp"
    bundle = case.bundle(["sh", "-c", script, "arg0"], edit=edit, out=True)
    container_id = case.create(bundle)
    case.expect_ok("start", container_id)
    result = bundle / "out" / "result"
    check(wait_for_file(result), "the process did not run")
    case.wait_for(container_id, "stopped")
    expected = "hello conformance|/tmp|0:0|arg0"
    check(result.read_text().strip() == expected, "the process ran differently",
          got=result.read_text().strip(), expected=expected)


@test
def start_without_process(case):
    """a config without process errors (at create or at start)"""
    bundle = case.bundle(edit=lambda config: config.pop("process"))
    container_id = case.new_id()
    created = case.call("create", "--bundle", bundle, container_id)
    if created.not_implemented:
        raise Skip(NOT_IMPLEMENTED)
    if not created.ok:
        return  # refusing at create is an error too, and nothing can start
    case.expect_error("start", container_id, what="start without process")


@test
def kill_without_id(case):
    """kill without an id errors"""
    case.expect_error("kill", what="kill without an id")


@test
def kill_unknown_id(case):
    """kill of a container that does not exist errors"""
    case.expect_error("kill", f"no-such-container-{os.getpid()}", "KILL", what="kill of a missing container")


@test
def kill_stopped(case):
    """kill of a stopped container errors and leaves it stopped"""
    container_id, before = case.stopped()
    case.expect_error("kill", container_id, "KILL", what="kill of a stopped container")
    unchanged(case, container_id, before, "kill")


@test
def kill_sends_signal(case):
    """kill sends the named signal (USR1, trapped by the process) to a running container"""
    script = "trap 'echo usr1 > /out/signal; exit 0' USR1; touch /out/ready; while :; do sleep 0.05; done"
    bundle = case.bundle(["sh", "-c", script], out=True)
    container_id, _ = case.running(bundle)
    check(wait_for_file(bundle / "out" / "ready"), "the process did not get ready")
    case.expect_ok("kill", container_id, "USR1")
    check(wait_for_file(bundle / "out" / "signal"), "the process did not receive USR1")
    case.wait_for(container_id, "stopped")


@test
def kill_created(case):
    """kill KILL of a created container stops it"""
    container_id = case.create(case.bundle())
    case.expect_ok("kill", container_id, "KILL")
    case.wait_for(container_id, "stopped")


@test
def delete_without_id(case):
    """delete without an id errors"""
    case.expect_error("delete", what="delete without an id")


@test
def delete_unknown_id(case):
    """delete of a container that does not exist errors"""
    case.expect_error("delete", f"no-such-container-{os.getpid()}", what="delete of a missing container")


@test
def delete_created(case):
    """delete (without --force) of a created container errors and leaves it created"""
    container_id = case.create(case.bundle())
    before = case.state(container_id)
    case.expect_error("delete", container_id, what="delete of a created container")
    unchanged(case, container_id, before, "delete")


@test
def delete_running(case):
    """delete (without --force) of a running container errors and leaves it running"""
    container_id, before = case.running()
    case.expect_error("delete", container_id, what="delete of a running container")
    unchanged(case, container_id, before, "delete")


@test
def delete_removes_resources(case):
    """after delete: state errors, the process and the container's cgroup are gone"""
    container_id = case.create(case.bundle(["true"]))
    pid = case.state(container_id)["pid"]
    # The cgroups the runtime put the container in, wherever it chose to:
    # those of its process that are not ours.
    cgroups = sorted(set(ocitest.process_cgroup_dirs(pid)) - set(ocitest.process_cgroup_dirs(os.getpid())))
    case.expect_ok("start", container_id)
    case.wait_for(container_id, "stopped")
    case.expect_ok("delete", container_id)
    check(case.state_or_none(container_id) is None, "state still answers after delete")
    check(ocitest.wait_exit(pid, timeout=5), f"the container process {pid} is still alive")
    left = [d for d in cgroups if os.path.isdir(d)]
    for directory in left:  # tidy up after a runtime that did not
        try:
            os.rmdir(directory)
        except OSError:
            pass
    check(not left, "cgroups left behind", cgroups=left)


@test
def delete_keeps_other_resources(case):
    """delete leaves the bundle, its rootfs and bind-mounted host files alone"""
    bundle = case.bundle(["true"], out=True)
    keep = bundle / "out" / "keep"
    keep.write_text("mine\n")
    container_id = case.create(bundle)
    case.expect_ok("start", container_id)
    case.wait_for(container_id, "stopped")
    case.expect_ok("delete", container_id)
    for path in (bundle / "config.json", case.bundles.rootfs / "bin" / "busybox", keep):
        check(path.exists(), f"{path} was deleted")
    check(keep.read_text() == "mine\n", "a bind-mounted host file changed")


@test
def delete_then_reuse_id(case):
    """an id can be used again after delete (MAY)"""
    container_id, _ = case.stopped()
    case.expect_ok("delete", container_id)
    case.create(case.bundle(), container_id)
