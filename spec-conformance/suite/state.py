"""runtime.md, State and the state operation: the state document's
properties, its schema, and state's errors."""

import os

from .framework import check, test
from .schemas import schema_errors, schema_validator


@test
def state_oci_version(case):
    """state has ociVersion, a non-empty string"""
    state = case.state(case.create(case.bundle()))
    check(isinstance(state.get("ociVersion"), str) and state["ociVersion"], "bad ociVersion", state=state)


@test
def state_id(case):
    """state's id is the container's id"""
    container_id = case.create(case.bundle())
    state = case.state(container_id)
    check(state.get("id") == container_id, "id differs", state=state)


@test
def state_status_values(case):
    """status is created after create, running after start, stopped after exit"""
    bundle = case.bundle(["sh", "-c", "read line < /out/go"], out=True)
    os.mkfifo(bundle / "out" / "go")
    container_id = case.create(bundle)
    check(case.state(container_id).get("status") == "created", "not created after create",
          state=case.state(container_id))
    case.expect_ok("start", container_id)
    case.wait_for(container_id, "running", timeout=5)
    # Opening the fifo for writing releases the process's `read`.
    with open(bundle / "out" / "go", "w") as fifo:
        fifo.write("go\n")
    case.wait_for(container_id, "stopped")


@test
def state_pid(case):
    """pid is the container process's pid while created and running"""
    container_id = case.create(case.bundle())
    for expected in ("created", "running"):
        if expected == "running":
            case.expect_ok("start", container_id)
        state = case.wait_for(container_id, expected)
        pid = state.get("pid")
        check(isinstance(pid, int) and pid > 0, f"no pid while {expected}", state=state)
        check(os.path.exists(f"/proc/{pid}"), f"pid {pid} does not exist", state=state)
        # It is the container's process: it lives in the container's pid namespace.
        check(os.readlink(f"/proc/{pid}/ns/pid") != os.readlink("/proc/self/ns/pid"),
              f"pid {pid} is not in a new pid namespace", state=state)


@test
def state_bundle_absolute(case):
    """bundle is the absolute path even when create was given a relative one"""
    bundle = case.bundle()
    container_id = case.new_id()
    case.expect_ok("create", "--bundle", bundle.name, container_id, cwd=bundle.parent)
    state = case.state(container_id)
    check(state.get("bundle") == str(bundle.resolve()), "bundle is not the absolute bundle path",
          state=state, expected=str(bundle.resolve()))


@test
def state_schema(case):
    """state validates against schema/state-schema.json when created, running and stopped"""
    validator = schema_validator("state-schema.json")
    bundle = case.bundle(["sh", "-c", "read line < /out/go"], out=True)
    os.mkfifo(bundle / "out" / "go")
    container_id = case.create(bundle)
    for status in ("created", "running", "stopped"):
        if status == "running":
            case.expect_ok("start", container_id)
        if status == "stopped":
            with open(bundle / "out" / "go", "w") as fifo:
                fifo.write("go\n")
        state = case.wait_for(container_id, status)
        errors = schema_errors(validator, state)
        check(not errors, f"{status} state does not match the schema", errors=errors, state=state)


@test
def state_without_id(case):
    """state without an id errors"""
    case.expect_error("state", what="state without an id")


@test
def state_unknown_id(case):
    """state of a container that does not exist errors"""
    case.expect_error("state", f"no-such-container-{os.getpid()}", what="state of a missing container")


@test
def state_required_properties(case):
    """state has ociVersion, id, status, bundle (and pid while created or running) in each status"""
    # Long enough to be seen running on a slow (emulated) machine, short
    # enough to be seen stopped within wait_for's deadline.
    container_id = case.create(case.bundle(["sh", "-c", "sleep 3"]))
    for status in ("created", "running", "stopped"):
        if status == "running":
            case.expect_ok("start", container_id)
        state = case.wait_for(container_id, status)
        required = ["ociVersion", "id", "status", "bundle"] + (["pid"] if status != "stopped" else [])
        missing = [key for key in required if key not in state]
        check(not missing, f"{status} state lacks {', '.join(missing)}", state=state)
