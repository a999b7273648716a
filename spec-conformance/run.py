#!/usr/bin/python3
"""run.py — check an OCI runtime against the runtime spec's requirements.

    spec-conformance/run.py --runtime PATH [--only TEST,...] [--host-cgroups]

requirements.tsv lists the requirements (the spec's sentences) and, for
each, the tests below that check it. The output is TAP version 13, one
line per test naming its requirement, then a plain summary line. The exit
status is 1 when any test is `not ok`.

A test whose operation the runtime answers with "not implemented" is
reported `# SKIP`: the requirement is not met yet, but it is not a wrong
answer either. A skip is never a pass.

Every test is independent: its own temporary directory, --root, container
ids and cgroupsPath, a time limit, and cleanup in `finally`.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from dataclasses import dataclass
from pathlib import Path

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
import ocitest  # noqa: E402
import report  # noqa: E402

HERE = Path(__file__).resolve().parent
TEST_SECONDS = 60          # per test; a hung runtime must not hang the suite
LONG_RUNNING = ["sleep", "120"]


class Skip(Exception):
    pass


class Fail(Exception):
    def __init__(self, message, result=None, **details):
        super().__init__(message)
        self.details = dict(result.describe() if result else {}, **details)


class TestTimeout(BaseException):
    """BaseException so that no `except Exception` in a test swallows it."""


NOT_IMPLEMENTED = "operation not implemented by this runtime"


# --------------------------------------------------------------------------
# One test's world

class Case:
    """A test's private directory, --root, ids, bundles and cleanup."""

    serial = 0

    def __init__(self, runtime_path, name, workdir, bundles):
        self.name = name
        self.workdir = Path(workdir)
        self.dir = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=workdir))
        os.chmod(self.dir, 0o755)  # reachable by a container's root mapped to another uid
        self.runtime = ocitest.Runtime(runtime_path, self.dir / "root")
        self.bundles = bundles  # shared: one read-only rootfs for all tests
        self.ids = []
        self.verdicts = {}      # requirement id -> [(status, message)], see verdict()
        self.cleanups = []      # callables run after the containers are deleted

    def verdict(self, requirement, status, message):
        """Record one check of one requirement ("ok", "not ok" or "skip").
        A test that checks several requirements records verdicts; each of
        its rows in requirements.tsv then gets the verdicts of its own id."""
        self.verdicts.setdefault(requirement, []).append((status, message))

    def new_id(self):
        Case.serial += 1
        container_id = f"conf-{os.getpid()}-{Case.serial}"
        self.ids.append(container_id)
        return container_id

    def bundle(self, args=LONG_RUNNING, edit=None, out=False):
        """A busybox bundle; with out=True the host directory <bundle>/out
        is bind-mounted read-write at /out, where a test's process leaves
        evidence that it ran."""
        # No cgroupsPath: it is optional, and a runtime without cgroup
        # support yet must refuse it, which would hide every other result.
        directory = self.dir / f"bundle-{len(list(self.dir.glob('bundle-*')))}"

        def configure(config):
            if out:
                (directory / "out").mkdir()
                config["mounts"].append(ocitest.bind_mount(directory / "out", "/out"))
            if edit:
                edit(config)
        return self.bundles.make(directory, args, configure)

    # Operations. expect_ok raises Skip when the runtime does not implement
    # the operation and Fail when it errors; expect_error the other way.

    def call(self, *args, **kwargs):
        return self.runtime(*args, **kwargs)

    def expect_ok(self, *args, what=None, **kwargs):
        result = self.call(*args, **kwargs)
        if result.not_implemented:
            raise Skip(NOT_IMPLEMENTED)
        if not result.ok:
            raise Fail(f"{what or args[0]} failed", result)
        return result

    def expect_error(self, *args, what, **kwargs):
        result = self.call(*args, **kwargs)
        if result.not_implemented:
            raise Skip(NOT_IMPLEMENTED)
        if result.ok:
            raise Fail(f"{what} succeeded but MUST generate an error", result)
        return result

    def create(self, bundle, container_id=None, **kwargs):
        container_id = container_id or self.new_id()
        self.expect_ok("create", "--bundle", bundle, container_id, **kwargs)
        return container_id

    def state(self, container_id):
        result = self.expect_ok("state", container_id)
        try:
            return result.json()
        except ValueError as error:
            raise Fail(f"state output is not JSON: {error}", result)

    def state_or_none(self, container_id):
        result = self.call("state", container_id)
        return result.json() if result.ok else None

    def wait_for(self, container_id, status, timeout=10):
        deadline = time.monotonic() + timeout
        while True:
            state = self.state(container_id)
            if state.get("status") == status:
                return state
            if time.monotonic() > deadline:
                raise Fail(f"container did not become {status} within {timeout} s", state=state)
            time.sleep(0.02)

    def running(self, bundle=None):
        """A created and started container, waited until it is running."""
        container_id = self.create(bundle or self.bundle())
        self.expect_ok("start", container_id)
        return container_id, self.wait_for(container_id, "running")

    def stopped(self):
        """A container whose process has run /bin/true and exited."""
        container_id = self.create(self.bundle(["true"]))
        self.expect_ok("start", container_id)
        return container_id, self.wait_for(container_id, "stopped")

    def cleanup(self):
        for container_id in self.ids:
            self.runtime.force_delete(container_id)
        for cleanup in reversed(self.cleanups):
            try:
                cleanup()
            except Exception:  # the other cleanups must still run
                pass
        ocitest.reap_orphans()


def check(condition, message, **details):
    if not condition:
        raise Fail(message, **details)


def wait_for_file(path, timeout=10):
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def unchanged(case, container_id, before, what):
    """"MUST have no effect on the container": same status, same pid."""
    after = case.state_or_none(container_id)
    check(after is not None, f"{what} removed the container", before=before)
    check((after.get("status"), after.get("pid")) == (before.get("status"), before.get("pid")),
          f"{what} changed the container", before=before, after=after)


# --------------------------------------------------------------------------
# Tests. The docstring's first line is the text on the TAP line.

TESTS = {}


def test(function):
    TESTS[function.__name__] = function
    return function


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


def schema_validator(name):
    """A validator for one of the spec's schemas, resolving its $refs
    (defs.json, …) from the same directory."""
    import jsonschema  # here, so that a missing package fails only these tests
    schema_dir = ocitest.spec_dir() / "schema"
    schema = json.loads((schema_dir / name).read_text())
    with warnings.catch_warnings():  # RefResolver: deprecated in newer jsonschema, current in Debian 12's
        warnings.simplefilter("ignore", DeprecationWarning)
        resolver = jsonschema.RefResolver(schema_dir.as_uri() + "/", schema)
    return jsonschema.Draft4Validator(schema, resolver=resolver)


def schema_errors(validator, document):
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
            for e in validator.iter_errors(document)]


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
def lifecycle_operations(case):
    """create, state, start, kill and delete all work on one container"""
    container_id = case.create(case.bundle())
    case.expect_ok("start", container_id)
    case.wait_for(container_id, "running")
    case.expect_ok("kill", container_id, "KILL")
    case.wait_for(container_id, "stopped")
    case.expect_ok("delete", container_id)


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


# What the container sees: the checker -------------------------------------
#
# checker.c runs as the container's process, reads the config.json the
# container was made from (bind-mounted with it at /conformance) and prints
# one line per check naming its requirement. Each probe below is one
# container with one kind of config; its checks become verdicts.

def checker_probe(case, edit=None, env=None, args=("arg one", "two")):
    """Run the checker in a container configured by edit(config) and record
    its lines as verdicts. Returns the bundle."""
    checker = ocitest.build_static(HERE / "checker.c")
    conformance = case.dir / f"conformance-{len(case.verdicts)}-{time.monotonic_ns()}"
    conformance.mkdir()
    shutil.copy(checker, conformance / "checker")
    host = {
        "OCI_CHECK_OUT": "/out/checks.tap",
        "OCI_HOST_NS": ",".join(f"{k}={v}" for k, v in ocitest.namespace_inodes().items()),
        "OCI_HOST": f"oom={Path('/proc/self/oom_score_adj').read_text().strip()}",
        "OCI_HOST_CAPBND": ocitest.status_field("CapBnd"),
        **(env or {}),
    }

    def configure(config):
        config["mounts"].append(ocitest.bind_mount(conformance, "/conformance", readonly=True))
        config["process"]["env"] += [f"{k}={v}" for k, v in host.items()]
        if edit:
            edit(config)
    bundle = case.bundle(["/conformance/checker", *args], edit=configure, out=True)
    shutil.copy(bundle / "config.json", conformance / "config.json")
    os.chmod(bundle / "out", 0o777)  # the process may run as another user
    container_id = case.create(bundle)
    case.expect_ok("start", container_id)
    case.wait_for(container_id, "stopped")
    lines = (bundle / "out" / "checks.tap").read_text().splitlines() \
        if (bundle / "out" / "checks.tap").exists() else []
    check(lines[-1:] == ["done"], "the checker did not finish", output=lines[-20:])
    for line in lines[:-1]:
        match = re.fullmatch(r"(ok|not ok|skip) (\S+) - (.*)", line)
        check(match is not None, f"checker line not understood: {line!r}")
        for requirement in (match.group(2), *CHECK_ALIASES.get(match.group(2), ())):
            case.verdict(requirement, match.group(1), match.group(3))
    return bundle


# Requirements met by the same observation as another one's check.
CHECK_ALIASES = {
    "config.process.rlimits.getrlimit": ["config.process.rlimits.type"],
    "config-linux.namespaces.new": ["config-linux.namespaces.type", "config-linux.namespaces.supported"],
    "config-linux.namespaces.inherit": ["config-linux.namespaces.type"],
    "config-linux.seccomp.errnoRet": ["config-linux.seccomp.syscalls.action"],
}


ROOT_CAPS = ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"]  # see capability_not_grantable for the rest


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
def probe_namespaces_inherit(case):
    """checker: namespaces not listed (net, ipc, uts, user, cgroup, time) are the runtime's"""
    def edit(config):
        config["linux"]["namespaces"] = [{"type": "mount"}, {"type": "pid"}]
        config.pop("hostname", None)
    checker_probe(case, edit)


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
def probe_personality(case):
    """checker: linux.personality LINUX32"""
    checker_probe(case, lambda config: config["linux"].__setitem__("personality", {"domain": "LINUX32"}))



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
def probe_memory_policy(case):
    """checker: linux.memoryPolicy MPOL_INTERLEAVE on node 0, seen by get_mempolicy"""
    checker_probe(case, lambda config: config["linux"].__setitem__(
        "memoryPolicy", {"mode": "MPOL_INTERLEAVE", "nodes": "0"}))


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


# Mount options ---------------------------------------------------------------

# Each option gets its own mount. Options that set a flag go on a fresh
# tmpfs; options that clear one go on a bind of a mount that has it
# ("flagged"); recursive ones on an rbind of a tree with a submount (its
# submount is checked too); propagation on a bind of a shared tree.
SET_OPTIONS = ["async", "atime", "defaults", "dev", "diratime", "dirsync", "exec", "iversion", "lazytime",
               "loud", "noatime", "nodev", "nodiratime", "noexec", "noiversion", "nolazytime", "norelatime",
               "nostrictatime", "nosuid", "relatime", "ro", "rw", "silent", "strictatime", "suid", "sync",
               "nosymfollow", "symfollow"]
# [the opposite, the option]: mount(8) applies them in order, so the option wins
CLEAR_OPTIONS = [["nosuid", "suid"], ["nodev", "dev"], ["noexec", "exec"], ["noatime", "atime"],
                 ["nodiratime", "diratime"], ["nosymfollow", "symfollow"], ["ro", "rw"], ["noatime", "strictatime"],
                 ["sync", "async"], ["lazytime", "nolazytime"], ["noatime", "nostrictatime"]]
RECURSIVE_SET = ["rro", "rnosuid", "rnoexec", "rnoatime", "rnodiratime", "rrelatime", "rnosymfollow"]
RECURSIVE_CLEAR = ["rrw", "rsuid", "rdev", "rexec", "ratime", "rdiratime", "rstrictatime", "rnostrictatime",
                   "rnorelatime", "rsymfollow"]
PROPAGATION = ["private", "shared", "slave", "unbindable"]
FLAGS = "nosuid,nodev,noexec,noatime,nodiratime,nosymfollow"
# Filesystem-specific options of make-bundle.sh's mounts (passed as mount data, no row of their own)
IGNORED_OPTIONS = ["newinstance"]


def mount_fixture(case, name, flags=None):
    """A shared tmpfs tree <dir>/<name> with a file `marker` and a submount
    `sub`, both with flags (then read-only). Mounted in the suite's private
    mount namespace only, and unmounted by the test's cleanup."""
    if not ocitest.in_private_mount_namespace():
        raise Skip("needs the suite's private mount namespace for its bind-mount fixtures")
    top = case.dir / name
    top.mkdir()
    case.cleanups.append(lambda: subprocess.run(["umount", "-R", "-l", str(top)], stderr=subprocess.DEVNULL))
    for directory in (top, top / "sub"):
        directory.mkdir(exist_ok=True)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=0755", name, str(directory)], check=True)
        (directory / "marker").write_text("fixture\n")
    if flags:
        for directory in (top / "sub", top):
            subprocess.run(["mount", "-o", f"remount,ro,{flags}", str(directory)], check=True)
    subprocess.run(["mount", "--make-rshared", str(top)], check=True)
    return top


@test
def probe_mount_options(case):
    """checker: each Linux mount option on its own mount, and a relative destination"""
    plain = mount_fixture(case, "plain")
    flagged = mount_fixture(case, "flagged", FLAGS)

    def mount(destination, options, source=None):
        if source is None:
            return {"destination": destination, "type": "tmpfs", "source": "tmpfs", "options": options}
        return {"destination": destination, "type": "bind", "source": str(source), "options": options}

    groups = {f"config.mounts.option.{o}": [mount(f"/mnt/set-{o}", [o])] for o in SET_OPTIONS}
    for opposite, o in CLEAR_OPTIONS:
        groups.setdefault(f"config.mounts.option.{o}", []).append(mount(f"/mnt/clear-{o}", [opposite, o]))
    groups.update({f"config.mounts.option.{o}": [mount(f"/mnt/rset-{o}", ["rbind", o], plain)] for o in RECURSIVE_SET})
    groups.update({f"config.mounts.option.{o}": [mount(f"/mnt/rclear-{o}", ["rbind", o], flagged)]
                   for o in RECURSIVE_CLEAR})
    groups.update({f"config.mounts.option.{o}": [mount(f"/mnt/prop-{o}", ["bind", o], plain)] for o in PROPAGATION})
    groups.update({f"config.mounts.option.r{o}": [mount(f"/mnt/rprop-{o}", ["rbind", "r" + o], plain)]
                   for o in PROPAGATION})
    groups["config.mounts.option.bind"] = [mount("/mnt/bind", ["bind"], plain)]
    groups["config.mounts.option.rbind"] = [mount("/mnt/rbind", ["rbind"], plain)]
    groups["config.mounts.destination-relative"] = [
        {"destination": "mnt/relative", "type": "tmpfs", "source": "tmpfs"}]

    def probe(mounts):
        checker_probe(case, lambda config: config["mounts"].extend([mount("/mnt", ["mode=0755"])] + mounts))
    try:
        probe([m for group in groups.values() for m in group])
    except Fail:
        # Refusing one option must not hide the others: one container per option.
        for requirement, mounts in groups.items():
            try:
                probe(mounts)
            except Fail as failure:
                case.verdict(requirement, "not ok", f"{failure}: {failure.details.get('stderr', '')[-300:]}")


@test
def mount_idmap(case):
    """a bind mount with idmap and uidMappings/gidMappings shows the mapped owner"""
    plain = mount_fixture(case, "plain")
    mapping = [{"containerID": 0, "hostID": 1000, "size": 1}]
    bundle = case.bundle(["sh", "-c", "stat -c %u:%g /mnt/idmap/marker > /out/owner"], out=True, edit=lambda c: c[
        "mounts"].append({"destination": "/mnt/idmap", "type": "bind", "source": str(plain),
                          "options": ["bind", "idmap"], "uidMappings": mapping, "gidMappings": mapping}))
    container_id = case.new_id()
    created = case.call("create", "--bundle", bundle, container_id)
    if not created.ok:
        raise Skip(f"runtime refuses idmapped mounts (a SHOULD): {created.first_stderr_line}")
    case.expect_ok("start", container_id)
    case.wait_for(container_id, "stopped")
    owner = (bundle / "out" / "owner").read_text().strip() if (bundle / "out" / "owner").exists() else None
    check(owner == "1000:1000", "the idmapped mount does not show the mapped owner", owner=owner, expected="1000:1000")


@test
def mount_idmap_without_mappings(case):
    """idmap without uidMappings/gidMappings and without a user namespace errors"""
    plain = mount_fixture(case, "plain")
    expect_create_error(case, "an idmap mount without mappings", lambda c: c["mounts"].append(
        {"destination": "/mnt/idmap", "type": "bind", "source": str(plain), "options": ["bind", "idmap"]}))



@test
def mount_ridmap(case):
    """an rbind mount with ridmap and uidMappings/gidMappings shows the mapped owner on the mount and its submount"""
    plain = mount_fixture(case, "plain")
    mapping = [{"containerID": 0, "hostID": 1000, "size": 1}]
    bundle = case.bundle(["sh", "-c", "stat -c %u:%g /mnt/ridmap/marker /mnt/ridmap/sub/marker > /out/owner"],
                         out=True, edit=lambda c: c["mounts"].append(
                             {"destination": "/mnt/ridmap", "type": "bind", "source": str(plain),
                              "options": ["rbind", "ridmap"], "uidMappings": mapping, "gidMappings": mapping}))
    container_id = case.new_id()
    created = case.call("create", "--bundle", bundle, container_id)
    if not created.ok:
        raise Skip(f"runtime refuses recursively idmapped mounts (a SHOULD): {created.first_stderr_line}")
    case.expect_ok("start", container_id)
    case.wait_for(container_id, "stopped")
    owners = (bundle / "out" / "owner").read_text().split() if (bundle / "out" / "owner").exists() else None
    check(owners == ["1000:1000", "1000:1000"], "the ridmapped mount or its submount does not show the mapped owner",
          owners=owners, expected="1000:1000 for marker and sub/marker")


@test
def intel_rdt_without_resctrl(case):
    """linux.intelRdt without a mounted resctrl file system errors"""
    if "resctrl" in ocitest.mount_table().values():
        raise Skip("a resctrl file system is mounted here: the case without one cannot be made")
    expect_create_error(case, "linux.intelRdt and no resctrl file system mounted", lambda c: c["linux"].__setitem__(
        "intelRdt", {"closID": "conformance", "l3CacheSchema": "L3:0=f"}))


# Configurations a runtime must refuse or accept --------------------------------

def expect_create_error(case, what, edit):
    """create with the edited config errors and leaves no container."""
    bundle = case.bundle(edit=edit)
    container_id = case.new_id()
    case.expect_error("create", "--bundle", bundle, container_id, what=f"create with {what}")
    state = case.state_or_none(container_id)
    check(state is None, "a container was created anyway", state=state)


def expect_create_ok(case, what, edit, args=("true",)):
    """create and start with the edited config work."""
    bundle = case.bundle(list(args), edit=edit)
    container_id = case.new_id()
    case.expect_ok("create", "--bundle", bundle, container_id, what=f"create with {what}")
    case.expect_ok("start", container_id)
    case.wait_for(container_id, "stopped")


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
def device_path_mismatch(case):
    """a device whose path holds a regular file errors and leaves the file alone"""
    # The file is in a bind-mounted test directory, not in the shared rootfs:
    # a runtime that replaces it must not break the other tests.
    def edit(config):
        config["mounts"].append(ocitest.bind_mount(existing.parent, "/existing"))
        config["linux"]["devices"] = [{"path": "/existing/file", "type": "c", "major": 1, "minor": 3}]
    existing = case.dir / "existing" / "file"
    existing.parent.mkdir()
    existing.write_text("not a device\n")
    expect_create_error(case, "a device over an existing regular file", edit)
    check(existing.is_file() and existing.read_text() == "not a device\n",
          "the runtime replaced the existing file on the host", mode=oct(os.lstat(existing).st_mode))


@test
def root_path_missing(case):
    """a root.path that does not exist errors"""
    expect_create_error(case, "a missing root.path", lambda c: c["root"].__setitem__("path", "/nonexistent-rootfs"))


@test
def cwd_relative(case):
    """a relative process.cwd errors"""
    expect_create_error(case, "cwd 'tmp'", lambda c: c["process"].__setitem__("cwd", "tmp"))


@test
def hook_path_relative(case):
    """a hook with a relative path errors"""
    expect_create_error(case, "hook path 'bin/true'", lambda c: c.__setitem__(
        "hooks", {"createRuntime": [{"path": "bin/true"}]}))


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


@test
def unknown_properties_ignored(case):
    """unknown properties (top level, process, linux) are ignored"""
    def edit(config):
        config["org.example.conformance"] = {"anything": [1, 2]}
        config["process"]["conformanceUnknown"] = True
        config["linux"]["conformanceUnknown"] = "x"
    expect_create_ok(case, "unknown properties", edit)


@test
def unknown_annotations_ignored(case):
    """annotations with unknown keys are accepted"""
    expect_create_ok(case, "unknown annotations", lambda c: c.__setitem__(
        "annotations", {"org.example.conformance.unknown": "value", "com.example.key": ""}))


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


CAPABILITY_NAMES = [
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
    "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT",
    "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
    "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
    "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE"]


@test
def config_version_min_accepted(case):
    """a config with ociVersion 1.0.0 is accepted"""
    expect_create_ok(case, "ociVersion 1.0.0", lambda c: c.__setitem__("ociVersion", "1.0.0"))


# Hooks ---------------------------------------------------------------------------
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
        good = isinstance(seen, dict) and seen.get("id") == container_id and \
            seen.get("bundle") == str(bundle.resolve()) and isinstance(seen.get("ociVersion"), str) and \
            isinstance(seen.get("status"), str) and (name == "poststop" or isinstance(seen.get("pid"), int))
        case.verdict("config.hooks.state-stdin", "ok" if good else "not ok",
                     f"{name} read the state on stdin: {json.dumps(seen)[:300]}")


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


# Cgroups -------------------------------------------------------------------------

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


# Features ------------------------------------------------------------------

def features(case):
    """The runtime's features document; Skip when it offers none (a MAY)."""
    result = case.call("features")
    if not result.ok:
        raise Skip(f"runtime provides no features structure (optional): {result.first_stderr_line}")
    try:
        return result.json()
    except ValueError as error:
        raise Fail(f"features output is not JSON: {error}", result)


def version_key(version):
    """Order semantic versions; a pre-release (1.0.2-dev) sorts before its release."""
    match = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+.*)?", version or "")
    if not match:
        raise Fail(f"{version!r} is not a semantic version")
    major, minor, patch, pre = match.groups()
    return (int(major), int(minor), int(patch), pre is None, pre or "")


@test
def features_version_fields(case):
    """features has ociVersionMin and ociVersionMax, both strings"""
    document = features(case)
    for key in ("ociVersionMin", "ociVersionMax"):
        check(isinstance(document.get(key), str), f"{key} missing or not a string", value=document.get(key))


def accepts_version(case, key):
    version = features(case).get(key)
    check(isinstance(version, str), f"no {key}")
    bundle = case.bundle(edit=lambda config: config.__setitem__("ociVersion", version))
    case.create(bundle)


@test
def features_accepts_min(case):
    """create accepts a config.json whose ociVersion is ociVersionMin"""
    accepts_version(case, "ociVersionMin")


@test
def features_accepts_max(case):
    """create accepts a config.json whose ociVersion is ociVersionMax"""
    accepts_version(case, "ociVersionMax")


@test
def features_max_not_less(case):
    """ociVersionMax is not less than ociVersionMin"""
    document = features(case)
    check(version_key(document.get("ociVersionMax")) >= version_key(document.get("ociVersionMin")),
          "ociVersionMax < ociVersionMin", min=document.get("ociVersionMin"), max=document.get("ociVersionMax"))


@test
def features_schema(case):
    """features validates against features-schema.json and has no undefined properties"""
    document = features(case)
    validator = schema_validator("features-schema.json")
    errors = schema_errors(validator, document)
    check(not errors, "features does not match the schema", errors=errors)
    schema, schema_dir = validator.schema, ocitest.spec_dir() / "schema"
    # The schema allows additional properties; the spec does not. The prose
    # is the authority (features-linux.md defines memoryPolicy, which the
    # schema lacks), so a property is defined when either names it.
    linux_schema = json.loads((schema_dir / "features-linux.json").read_text())["linux"]
    defined = set(schema["properties"]) | documented_properties("features.md")
    defined_linux = set(linux_schema["properties"]) | documented_properties("features-linux.md")
    unknown = [key for key in document if key not in defined]
    unknown += [f"linux.{key}" for key in (document.get("linux") or {}) if key not in defined_linux]
    check(not unknown, "properties not defined by the spec", properties=unknown)


def documented_properties(markdown):
    """Property names a spec page defines: its "**`name`** (type, …)" lines.
    Nested names are included too, which only makes the check lenient."""
    text = (ocitest.spec_dir() / markdown).read_text()
    return set(re.findall(r"^\s*(?:\* )?\*\*`([A-Za-z0-9]+)`\*\*", text, re.MULTILINE))


@test
def features_annotations(case):
    """features.annotations, when present, maps strings to strings"""
    annotations = features(case).get("annotations")
    if annotations is None:
        return
    check(isinstance(annotations, dict), "annotations is not a map", annotations=annotations)
    bad = {k: v for k, v in annotations.items() if not (isinstance(k, str) and k and isinstance(v, str))}
    check(not bad, "annotations with a non-string key or value", annotations=bad)



@test
def features_hooks_supported(case):
    """each hook listed in features.hooks runs when config.json has it"""
    listed = features(case).get("hooks")
    if listed is None:
        raise Skip("features has no hooks list (unknown)")
    unknown = [kind for kind in listed if kind not in HOOK_KINDS]
    check(not unknown, "features.hooks lists hooks the spec does not define", hooks=unknown)
    hooks = Hooks(case)

    def configure(config):
        hooks.configure(config)
        config["hooks"] = {kind: [hooks.entry(kind)] for kind in listed}
    container_id = case.create(case.bundle(["true"], edit=configure))
    case.expect_ok("start", container_id)
    case.wait_for(container_id, "stopped")
    case.expect_ok("delete", container_id)
    ran = hooks.names()
    for kind in listed:
        case.verdict("features.hooks.supported", "ok" if kind in ran else "not ok",
                     f"{kind} {'ran' if kind in ran else 'did not run'}; hooks that ran: {ran}")


def spec_mount_options():
    """The options of config.md's table of Linux mount options."""
    text = (ocitest.spec_dir() / "config.md").read_text()
    return set(re.findall(r"^\s*`([a-z]+)\s*`\s*\|\s*(?:MUST|MAY|SHOULD)", text, re.MULTILINE))


@test
def features_mount_options(case):
    """each option listed in features.mountOptions is accepted on a mount of its kind"""
    listed = features(case).get("mountOptions")
    if listed is None:
        raise Skip("features has no mountOptions list (unknown)")
    plain = mount_fixture(case, "plain")
    mapping = [{"containerID": 0, "hostID": 1000, "size": 1}]
    bind_kind = set(RECURSIVE_SET + RECURSIVE_CLEAR + PROPAGATION + ["r" + o for o in PROPAGATION] +
                    ["bind", "rbind", "rnodev"])

    def mount(index, option):
        destination = f"/mnt/{index}-{option}"
        if option in ("idmap", "ridmap"):
            return {"destination": destination, "type": "bind", "source": str(plain),
                    "options": ["rbind" if option == "ridmap" else "bind", option],
                    "uidMappings": mapping, "gidMappings": mapping}
        if option == "remount":  # remount a bind mount read-only (remount alone would remount nothing)
            return {"destination": destination, "type": "bind", "source": str(plain),
                    "options": ["bind", "ro", option]}
        if option in bind_kind:
            return {"destination": destination, "type": "bind", "source": str(plain), "options": ["rbind", option]}
        return {"destination": destination, "type": "tmpfs", "source": "tmpfs", "options": [option]}

    def accepted(options):
        bundle = case.bundle(["true"], edit=lambda config: config["mounts"].extend(
            [{"destination": "/mnt", "type": "tmpfs", "source": "tmpfs", "options": ["mode=0755"]}] +
            [mount(i, o) for i, o in enumerate(options)]))
        container_id = case.new_id()
        created = case.call("create", "--bundle", bundle, container_id)
        if created.ok:
            started = case.call("start", container_id)
            case.runtime.force_delete(container_id)
            return started if not started.ok else None
        return created
    if accepted(listed) is None:
        case.verdict("features.mountOptions.recognized", "ok", f"a container with all {len(listed)} options on "
                     "their own mounts was created and started")
        return
    for option in listed:  # one container per option: one refusal must not hide the others
        refused = accepted([option])
        if refused is not None and option in ("idmap", "ridmap") and "invalid argument" in refused.first_stderr_line:
            # The kernel's EINVAL: the fixture's file system cannot be
            # idmapped (tmpfs before Linux 6.3, as in the test guest).
            case.verdict("features.mountOptions.recognized", "skip",
                         f"{option}: the kernel cannot idmap the fixture's file system: {refused.first_stderr_line}")
            continue
        case.verdict("features.mountOptions.recognized", "ok" if refused is None else "not ok",
                     f"{option}: " + ("accepted" if refused is None else f"refused: {refused.first_stderr_line}"))


@test
def features_mount_options_not_fs_specific(case):
    """features.mountOptions lists only options of the spec's Linux mount options table, no filesystem data"""
    listed = features(case).get("mountOptions")
    if listed is None:
        raise Skip("features has no mountOptions list (unknown)")
    table = spec_mount_options()
    check(len(table) > 40, "could not read the mount options table of config.md", found=sorted(table))
    # The table misses some recursive forms (rnodev, while features.md's
    # example lists it): r<option> of a flag option is a flag too.
    extra = [o for o in listed if o not in table and not (o.startswith("r") and o[1:] in table)]
    check(not extra, "options that are not mount(2) flags of the spec's table (filesystem-specific data?)",
          options=extra)


# --------------------------------------------------------------------------
# The runner

COLUMNS = ["id", "file", "section", "level", "sentence", "tests", "untested"]


def load_requirements():
    """The rows of requirements.tsv, checked against the tests: every row
    names its tests or says why it has none, every test covers a row, ids
    are unique. A test may cover several rows (it records a verdict per
    requirement id, see Case.verdict)."""
    with open(HERE / "requirements.tsv") as f:
        header = f.readline().rstrip("\n").split("\t")
        if header != COLUMNS:
            sys.exit(f"requirements.tsv: columns are {header}, expected {COLUMNS}")
        rows = [dict(zip(header, line.rstrip("\n").split("\t"))) for line in f if line.strip()]
    problems = []
    ids = [row["id"] for row in rows]
    problems += [f"id {i} twice" for i in sorted({i for i in ids if ids.count(i) > 1})]
    for row in rows:
        if len([v for v in row.values() if v is not None]) != len(COLUMNS):
            problems.append(f"{row['id']}: not {len(COLUMNS)} columns")
        elif not row["tests"] and not row["untested"]:
            problems.append(f"{row['id']}: neither a test nor the reason it has none")
        elif row["tests"] and row["untested"]:
            problems.append(f"{row['id']}: both tests and a reason for having none")
    listed = {name for row in rows for name in row["tests"].split(",") if name}
    problems += [f"unknown test {name}" for name in sorted(listed - set(TESTS))]
    problems += [f"test {name} covers no requirement" for name in sorted(set(TESTS) - listed)]
    if problems:
        sys.exit("requirements.tsv and run.py disagree:\n  " + "\n  ".join(problems))
    return rows


def yaml_block(details):
    """TAP 13's YAML diagnostic; JSON strings are valid YAML scalars."""
    lines = ["  ---"]
    for key, value in details.items():
        lines.append(f"  {key}: {json.dumps(value)}")
    lines.append("  ...")
    return "\n".join(lines)


def on_alarm(signum, frame):
    raise TestTimeout()


@dataclass
class Outcome:
    status: str                 # "ok", "not ok" or "skip"
    detail: object = None       # the skip reason, or a dict for a failure
    verdicts: dict = None       # Case.verdicts


def run_one(runtime_path, name, workdir, bundles):
    case = Case(runtime_path, name, workdir, bundles)
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(TEST_SECONDS)
    try:
        TESTS[name](case)
        return Outcome("ok", None, case.verdicts)
    except Skip as skip:
        return Outcome("skip", str(skip), case.verdicts)
    except Fail as failure:
        return Outcome("not ok", dict(message=str(failure), **failure.details), case.verdicts)
    except TestTimeout:
        return Outcome("not ok", {"message": f"test did not finish within {TEST_SECONDS} s"}, case.verdicts)
    except Exception as error:
        return Outcome("not ok", {"message": f"test error: {error!r}", "traceback": traceback.format_exc()},
                       case.verdicts)
    finally:
        signal.alarm(0)
        case.cleanup()


def row_outcome(requirement, outcome):
    """What one test says about one requirement: its verdicts for that id
    when it recorded any, else the test's own result."""
    verdicts = outcome.verdicts or {}
    # A requirement the test has no verdict of its own for (an umbrella
    # such as "the environment is created according to config.json") is
    # met when every check the test made passed.
    mine = verdicts.get(requirement) or [v for vs in verdicts.values() for v in vs]
    if not mine:
        return Outcome(outcome.status, outcome.detail), ""
    failed = [message for status, message in mine if status == "not ok"]
    skipped = [message for status, message in mine if status == "skip"]
    note = f" [{len(mine)} check{'s' if len(mine) > 1 else ''}]"
    if failed:
        return Outcome("not ok", {"message": f"{len(failed)} of {len(mine)} checks failed", "failed": failed}), note
    if len(skipped) == len(mine):
        return Outcome("skip", skipped[0]), note
    return Outcome("ok"), note


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runtime", help="path of the runtime binary under test")
    parser.add_argument("--only", help="comma-separated test names to run")
    parser.add_argument("--host-cgroups", action="store_true",
                        help="do not hide a hybrid host's cgroup2 tree (crun 1.8 refuses such hosts)")
    parser.add_argument("--report", help="also write a Markdown table requirement × result to this file")
    parser.add_argument("--json", help="also write the results as JSON to this file (for --compare)")
    parser.add_argument("--compare", nargs="+", metavar="NAME=PATH",
                        help="run the suite against each runtime and write results/comparison.md")
    parser.add_argument("--place", default="host",
                        help="with --compare: where it runs (host, or guest for the cgroup v2 guest)")
    parser.add_argument("--readme", action="store_true",
                        help="with --compare: also put the comparison table into README.md")
    options = parser.parse_args()
    if options.compare:
        return report.compare(options.compare, HERE, update_readme=options.readme, place=options.place)
    if not options.runtime:
        parser.error("--runtime (or --compare) is required")
    runtime_path = os.path.abspath(options.runtime)
    if not os.access(runtime_path, os.X_OK):
        sys.exit(f"{options.runtime}: not an executable")

    requirements = load_requirements()
    view = ocitest.ensure_v1_only_view(enabled=not options.host_cgroups, private=True)
    ocitest.raise_on_sigterm()
    ocitest.become_subreaper()

    only = set(options.only.split(",")) if options.only else None
    plan = [(row, name) for row in requirements for name in row["tests"].split(",")
            if name and (only is None or name in only)]

    print("TAP version 13")
    print(f"1..{len(plan)}")
    version = ocitest.spawn([runtime_path, "--version"]).stdout.splitlines()
    version = version[0] if version else "?"
    print(f"# runtime: {runtime_path} ({version})")
    print(f"# {view}")
    if os.geteuid() != 0:
        print("# not root: tests that create containers will fail")

    counts = {"ok": 0, "not ok": 0, "skip": 0}
    results = []   # (row, test, status, detail) for the reports
    outcomes = {}  # test name -> Outcome: a test covering several rows runs once
    first_report = {}  # test name -> the TAP number where its failure is shown in full
    workdir = tempfile.mkdtemp(prefix="berth-conformance-")
    os.chmod(workdir, 0o755)
    bundles = ocitest.BundleFactory(workdir)
    started = time.monotonic()
    try:
        for number, (row, name) in enumerate(plan, 1):
            if name not in outcomes:
                outcomes[name] = run_one(runtime_path, name, workdir, bundles)
            outcome, note = row_outcome(row["id"], outcomes[name])
            if outcome.status == "not ok" and not outcomes[name].verdicts:
                # one failure of a test covering several rows is shown once
                if name in first_report:
                    outcome.detail = {"message": f"{outcome.detail.get('message')} (see test {first_report[name]})"}
                first_report.setdefault(name, number)
            counts[outcome.status] += 1
            results.append((row, name, outcome.status, outcome.detail))
            text = f"{row['id']} - {TESTS[name].__doc__.strip()}{note}"
            if row["level"] not in ("MUST", "MUST NOT", "REQUIRED"):
                text += f" ({row['level']})"
            if outcome.status == "skip":
                print(f"ok {number} - {text} # SKIP {outcome.detail}")
            else:
                print(f"{outcome.status} {number} - {text}")
                if outcome.detail:
                    print(yaml_block(outcome.detail))
            sys.stdout.flush()
    except KeyboardInterrupt:
        print("Bail out! interrupted")
        return 130
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    known = {row["id"] for row in requirements}
    strays = sorted({i for o in outcomes.values() for i in (o.verdicts or {}) if i not in known}
                    - {f"config.mounts.option.{o}" for o in IGNORED_OPTIONS})
    if strays:
        print(f"# checks of requirements not in requirements.tsv: {', '.join(strays)}")
    untested = [row for row in requirements if not row["tests"]]
    if untested and only is None:
        print(f"# {len(untested)} of {len(requirements)} requirements have no test; requirements.tsv says why "
              f"(column `untested`)")
    print(f"# {time.monotonic() - started:.1f} s")
    print(f"{counts['ok']} passed, {counts['not ok']} failed, {counts['skip']} skipped")
    run = report.Run(runtime=runtime_path, version=version, view=view, counts=counts, results=results,
                     requirements=requirements)
    if options.report:
        Path(options.report).write_text(report.markdown(run))
    if options.json:
        Path(options.json).write_text(report.to_json(run))
    return 1 if counts["not ok"] else 0


if __name__ == "__main__":
    sys.exit(main())
