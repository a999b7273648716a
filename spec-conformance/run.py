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
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
import ocitest  # noqa: E402

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
        self.dir = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=workdir))
        self.runtime = ocitest.Runtime(runtime_path, self.dir / "root")
        self.bundles = bundles  # shared: one read-only rootfs for all tests
        self.ids = []

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
    container_id = case.create(case.bundle(["sh", "-c", "sleep 0.3"]))
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


# --------------------------------------------------------------------------
# The runner

def load_requirements():
    with open(HERE / "requirements.tsv") as f:
        header = f.readline().rstrip("\n").split("\t")
        rows = [dict(zip(header, line.rstrip("\n").split("\t"))) for line in f if line.strip()]
    listed = [name for row in rows for name in row["tests"].split(",") if name]
    unknown = sorted(set(listed) - set(TESTS))
    unlisted = sorted(set(TESTS) - set(listed))
    duplicated = sorted({name for name in listed if listed.count(name) > 1})
    if unknown or unlisted or duplicated:
        sys.exit(f"requirements.tsv and run.py disagree: unknown tests {unknown}, "
                 f"tests without a requirement {unlisted}, tests listed twice {duplicated}")
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


def run_one(runtime_path, name, workdir, bundles):
    """(status, detail): status is ok, not ok or skip."""
    case = Case(runtime_path, name, workdir, bundles)
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(TEST_SECONDS)
    try:
        TESTS[name](case)
        return "ok", None
    except Skip as skip:
        return "skip", str(skip)
    except Fail as failure:
        return "not ok", dict(message=str(failure), **failure.details)
    except TestTimeout:
        return "not ok", {"message": f"test did not finish within {TEST_SECONDS} s"}
    except Exception as error:
        return "not ok", {"message": f"test error: {error!r}", "traceback": traceback.format_exc()}
    finally:
        signal.alarm(0)
        case.cleanup()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runtime", required=True, help="path of the runtime binary under test")
    parser.add_argument("--only", help="comma-separated test names to run")
    parser.add_argument("--host-cgroups", action="store_true",
                        help="do not hide a hybrid host's cgroup2 tree (crun 1.8 refuses such hosts)")
    options = parser.parse_args()
    runtime_path = os.path.abspath(options.runtime)
    if not os.access(runtime_path, os.X_OK):
        sys.exit(f"{options.runtime}: not an executable")

    view = ocitest.ensure_v1_only_view(enabled=not options.host_cgroups)
    ocitest.raise_on_sigterm()
    ocitest.become_subreaper()

    requirements = load_requirements()
    only = set(options.only.split(",")) if options.only else None
    plan = [(row, name) for row in requirements for name in row["tests"].split(",")
            if name and (only is None or name in only)]

    print("TAP version 13")
    print(f"1..{len(plan)}")
    version = ocitest.spawn([runtime_path, "--version"]).stdout.splitlines()
    print(f"# runtime: {runtime_path} ({version[0] if version else '?'})")
    print(f"# {view}")
    if os.geteuid() != 0:
        print("# not root: tests that create containers will fail")

    counts = {"ok": 0, "not ok": 0, "skip": 0}
    workdir = tempfile.mkdtemp(prefix="berth-conformance-")
    bundles = ocitest.BundleFactory(workdir)
    try:
        for number, (row, name) in enumerate(plan, 1):
            status, detail = run_one(runtime_path, name, workdir, bundles)
            counts[status] += 1
            text = f"{row['id']} - {TESTS[name].__doc__.strip()}"
            if status == "skip":
                print(f"ok {number} - {text} # SKIP {detail}")
            else:
                print(f"{status} {number} - {text}")
                if detail:
                    print(yaml_block(detail))
            sys.stdout.flush()
    except KeyboardInterrupt:
        print("Bail out! interrupted")
        return 130
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    untested = [row["id"] for row in requirements if not row["tests"]]
    if untested and only is None:
        print(f"# {len(untested)} requirements have no test yet: {', '.join(untested)}")
    print(f"{counts['ok']} passed, {counts['not ok']} failed, {counts['skip']} skipped")
    return 1 if counts["not ok"] else 0


if __name__ == "__main__":
    sys.exit(main())
