"""A test's world: the Case each test gets (private directory, --root,
container ids, bundles, cleanup), the Skip and Fail outcomes, the @test
registry, and the checks most tests share."""

import os
import tempfile
import time
from pathlib import Path

import ocitest


HERE = Path(__file__).resolve().parent.parent  # spec-conformance/: checker.c, requirements.tsv
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
