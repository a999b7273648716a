"""config.md, POSIX-platform Hooks, and runtime.md's lifecycle steps
that run them: order, namespace, path, state on stdin, and failures."""

import json
import os
import time

import ocitest
from .framework import check, expect_create_error, test


@test
def hook_path_relative(case):
    """a hook with a relative path errors"""
    expect_create_error(case, "hook path 'bin/true'", lambda c: c.__setitem__(
        "hooks", {"createRuntime": [{"path": "bin/true"}]}))


# How the hooks are observed ---------------------------------------------------
#
# Every hook appends "<name> <its mount namespace>" to <log>/order and saves
# the state it reads on stdin in <log>/<name>.json. The log directory is
# bind-mounted into the container at its own path, so the file is the same
# whether a hook runs before or after pivot_root. Hooks of the runtime
# namespace run a script from a host directory the container does not
# have; startContainer runs the same script from a directory only the
# container has: each path resolves only where the spec says it must.

HOOK_SCRIPT = """#!/bin/sh
name=$1
echo "$name $(readlink /proc/self/ns/mnt)" >> {log}/order
cat > {log}/$name.json
exit ${{2:-0}}
"""
HOOK_KINDS = ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"]
RUNTIME_NAMESPACE_HOOKS = {"prestart", "createRuntime", "poststart", "poststop"}


class Hooks:
    def __init__(self, case, fail=None):
        self.log = case.dir / "hooks-log"
        host_only, container_only = case.dir / "hooks-host", case.dir / "hooks-container"
        for directory in (self.log, host_only, container_only):
            directory.mkdir()
        os.chmod(self.log, 0o777)
        script = HOOK_SCRIPT.format(log=self.log)
        for directory in (host_only, container_only):
            (directory / "hook").write_text(script)
            os.chmod(directory / "hook", 0o755)
        self.host_hook, self.container_hook, self.container_only = host_only / "hook", "/conformance-hooks/hook", \
            container_only
        self.fail = fail

    def entry(self, kind, name=None):
        path = self.container_hook if kind in ("startContainer",) else \
            str(self.host_hook) if kind in RUNTIME_NAMESPACE_HOOKS else "/bin/sh"
        args = ["hook", name or kind] if path != "/bin/sh" else ["sh", str(self.host_hook), name or kind]
        if kind == self.fail:
            args.append("1")
        return {"path": path, "args": args}

    def configure(self, config):
        config["hooks"] = {kind: [self.entry(kind)] for kind in HOOK_KINDS}
        config["hooks"]["createRuntime"].append(self.entry("createRuntime", "createRuntime-2"))
        config["hooks"]["poststop"].append(self.entry("poststop", "poststop-2"))
        config["mounts"].append(ocitest.bind_mount(self.log, str(self.log)))
        config["mounts"].append(ocitest.bind_mount(self.container_only, "/conformance-hooks", readonly=True))

    def order(self):
        path = self.log / "order"
        return [line.split() for line in path.read_text().splitlines()] if path.exists() else []

    def names(self):
        return [entry[0] for entry in self.order()]

    def namespace(self, name):
        return dict((entry[0], entry[1] if len(entry) > 1 else "") for entry in self.order()).get(name)

    def state(self, name):
        try:
            return json.loads((self.log / f"{name}.json").read_text())
        except (OSError, ValueError):
            return None


@test
def hooks_lifecycle(case):
    """hooks run in order, in the right namespace, at the right step, with the state on stdin"""
    hooks = Hooks(case)
    bundle = case.bundle(["sh", "-c", f"echo process >> {hooks.log}/order; sleep 30"], edit=hooks.configure)
    container_id = case.create(bundle)
    host_mnt = os.readlink("/proc/self/ns/mnt")
    state = case.state(container_id)
    container_mnt = os.readlink(f"/proc/{state['pid']}/ns/mnt")
    at_create = hooks.names()

    def verdict(requirement, condition, message):
        case.verdict(requirement, "ok" if condition else "not ok", f"{message}; hooks so far: {hooks.names()}")

    def ran_in(name, namespace_link, where):
        seen = hooks.namespace(name)
        return seen == namespace_link, f"{name} ran in mount namespace {seen} ({where} is {namespace_link})"

    verdict("runtime.lifecycle.prestart", "prestart" in at_create, "prestart ran during create")
    verdict("runtime.lifecycle.createRuntime", "createRuntime" in at_create, "createRuntime ran during create")
    verdict("runtime.lifecycle.createContainer", "createContainer" in at_create, "createContainer ran during create")
    verdict("config.hooks.prestart.before-createRuntime",
            at_create[:2] == ["prestart", "createRuntime"], "prestart ran before createRuntime")
    verdict("config.hooks.createContainer.after-createRuntime",
            at_create[:4] == ["prestart", "createRuntime", "createRuntime-2", "createContainer"],
            "createContainer ran after the createRuntime hooks")
    verdict("config.hooks.createRuntime.create-step", "createRuntime" in at_create and "process" not in at_create,
            "createRuntime ran during create, before the process")
    verdict("config.hooks.createContainer.create-step", "createContainer" in at_create and "process" not in at_create,
            "createContainer ran during create, before the process")
    verdict("config.hooks.order", at_create[1:3] == ["createRuntime", "createRuntime-2"],
            "two createRuntime hooks ran in the listed order")
    verdict("config.hooks.create-step", at_create == ["prestart", "createRuntime", "createRuntime-2", "createContainer"],
            "create ran exactly prestart, createRuntime, createContainer and not the process")
    for name, requirement in (("prestart", "config.hooks.prestart.namespace"),
                              ("createRuntime", "config.hooks.createRuntime.namespace")):
        verdict(requirement, *ran_in(name, host_mnt, "the runtime's"))
    verdict("config.hooks.createContainer.namespace", *ran_in("createContainer", container_mnt, "the container's"))

    case.expect_ok("start", container_id)
    after_start = hooks.names()
    verdict("runtime.lifecycle.startContainer", "startContainer" in after_start, "startContainer ran during start")
    verdict("config.hooks.startContainer.namespace", *ran_in("startContainer", container_mnt, "the container's"))
    verdict("config.hooks.startContainer.path", "startContainer" in after_start,
            f"startContainer's path {hooks.container_hook} exists only in the container and it ran")
    verdict("runtime.lifecycle.poststart", "poststart" in after_start, "poststart ran before start returned")
    verdict("config.hooks.poststart.step", "poststart" in after_start and "poststart" not in at_create,
            "poststart ran during start (not create), before start returned")
    verdict("config.hooks.poststart.namespace", *ran_in("poststart", host_mnt, "the runtime's"))
    deadline = time.monotonic() + 5
    while "process" not in hooks.names() and time.monotonic() < deadline:
        time.sleep(0.02)
    names = hooks.names()
    verdict("config.hooks.startContainer.before-process", "startContainer" in names and "process" in names and
            names.index("startContainer") < names.index("process"), "startContainer ran before the process")

    case.expect_ok("kill", container_id, "KILL")
    case.wait_for(container_id, "stopped")
    verdict("runtime.lifecycle.poststop", "poststop" not in hooks.names(), "poststop did not run before delete")
    case.expect_ok("delete", container_id)
    names = hooks.names()
    verdict("runtime.lifecycle.poststop", "poststop" in names and "poststop-2" in names,
            "both poststop hooks ran before delete returned")
    verdict("config.hooks.poststop.namespace", *ran_in("poststop", host_mnt, "the runtime's"))
    verdict("config.hooks.poststop.step", "poststop" in names, "poststop ran during delete, before it returned")
    for kind in HOOK_KINDS:
        verdict("config.hooks.path", kind in names, f"{kind} ran from its path")
        if kind in RUNTIME_NAMESPACE_HOOKS:
            verdict(f"config.hooks.{kind}.path", kind in names,
                    f"{kind} ran from {hooks.host_hook}, which only the runtime namespace has")

    for name in ("prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"):
        seen = hooks.state(name)
        # "the current state of the container": runtime.md's lifecycle puts
        # the create hooks before `created`, startContainer before the
        # process runs, poststart after it started, poststop after it ended.
        good = isinstance(seen, dict) and seen.get("id") == container_id and \
            seen.get("bundle") == str(bundle.resolve()) and isinstance(seen.get("ociVersion"), str) and \
            seen.get("status") == STATUS_AT_HOOK[name] and (name == "poststop" or isinstance(seen.get("pid"), int))
        case.verdict("config.hooks.state-stdin", "ok" if good else "not ok",
                     f"{name} read the state on stdin, status {STATUS_AT_HOOK[name]!r}: {json.dumps(seen)[:300]}")


STATUS_AT_HOOK = {"prestart": "creating", "createRuntime": "creating", "createContainer": "creating",
                  "startContainer": "created", "poststart": "running", "poststop": "stopped"}


def hook_failure(case, kind):
    """A failing <kind> hook: the operation errors and the container is stopped or gone."""
    hooks = Hooks(case, fail=kind)
    bundle = case.bundle(edit=hooks.configure)
    container_id = case.new_id()
    creating = kind in ("prestart", "createRuntime", "createContainer")
    if creating:
        case.expect_error("create", "--bundle", bundle, container_id, what=f"create with a failing {kind} hook")
    else:
        case.create(bundle, container_id)
        pid = case.state(container_id)["pid"]
        case.expect_error("start", container_id, what=f"start with a failing {kind} hook")
        check(ocitest.wait_exit(pid, timeout=5), f"the container process {pid} still runs after the {kind} hook failed")
    state = case.state_or_none(container_id)
    check(state is None or state.get("status") == "stopped", f"the container was not stopped after {kind} failed",
          state=state, hooks=hooks.names())


@test
def hook_prestart_fails(case):
    """a failing prestart hook makes create error and stops the container"""
    hook_failure(case, "prestart")


@test
def hook_createRuntime_fails(case):
    """a failing createRuntime hook makes create error and stops the container"""
    hook_failure(case, "createRuntime")


@test
def hook_createContainer_fails(case):
    """a failing createContainer hook makes create error and stops the container"""
    hook_failure(case, "createContainer")


@test
def hook_startContainer_fails(case):
    """a failing startContainer hook makes start error and stops the container"""
    hook_failure(case, "startContainer")


@test
def hook_poststart_fails(case):
    """a failing poststart hook makes start error and stops the container"""
    hook_failure(case, "poststart")


@test
def hook_poststop_fails(case):
    """a failing poststop hook: delete succeeds and the next poststop hook still runs"""
    hooks = Hooks(case, fail="poststop")
    container_id = case.create(case.bundle(["true"], edit=hooks.configure))
    case.expect_ok("start", container_id)
    case.wait_for(container_id, "stopped")
    case.expect_ok("delete", container_id, what="delete with a failing poststop hook")
    check("poststop-2" in hooks.names(), "the second poststop hook did not run", hooks=hooks.names())
    check(case.state_or_none(container_id) is None, "the container is still there after delete")
