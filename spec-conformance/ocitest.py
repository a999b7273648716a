"""Helpers shared by spec-conformance/run.py and bench/bench.py.

Both tools drive an OCI runtime binary (berth, crun, runc) through its
runc-style command line on busybox bundles, so everything about doing that
lives here once: making bundles, running a runtime command with a timeout
while measuring it, reaping container processes, the private cgroup view
for hybrid hosts, and cleaning up containers and cgroups afterwards.

Standard library only (plus python3-jsonschema in run.py), so that it runs
with Debian 12's /usr/bin/python3 on a fresh host.
"""

import ctypes
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
MAKE_BUNDLE = REPO_ROOT / "scripts" / "make-bundle.sh"


def spec_dir():
    """The OCI runtime-spec checkout (markdown and schema/)."""
    env = os.environ.get("BERTH_OCI_SPEC_DIR")
    return Path(env) if env else REPO_ROOT.parent / "shared" / "oci-runtime-spec"


# --------------------------------------------------------------------------
# Bundles

def make_bundle(directory, args=()):
    """Make a busybox bundle with scripts/make-bundle.sh, the only place
    that knows a test bundle's layout; callers adjust config.json after."""
    directory = Path(directory)
    subprocess.run(["sh", str(MAKE_BUNDLE), str(directory), *args], check=True)
    return directory


class BundleFactory:
    """Bundles that share one busybox rootfs made by make-bundle.sh.

    Linking busybox's ~270 applets costs about half a second per bundle;
    the tools need dozens of bundles, so each gets its own directory and
    config.json but points root.path at one shared rootfs. That is safe
    because the rootfs is mounted read-only (root.readonly) and nothing
    writes to it: tests write to bind-mounted directories instead.
    """

    def __init__(self, workdir):
        self.workdir = Path(workdir)
        self._template = None

    def make(self, directory, args=None, edit=None):
        if self._template is None:
            self._template = make_bundle(self.workdir / "template-bundle")
        directory = Path(directory)
        directory.mkdir(parents=True)
        config = json.loads((self._template / "config.json").read_text())
        config["root"]["path"] = str(self._template / "rootfs")
        if args is not None:
            config["process"]["args"] = list(args)
        if edit is not None:
            edit(config)
        (directory / "config.json").write_text(json.dumps(config, indent=2) + "\n")
        return directory

    @property
    def rootfs(self):
        return self._template / "rootfs" if self._template else None


def bind_mount(source, destination, readonly=False):
    """A config.json mount entry binding a host directory into the container."""
    options = ["rbind", "ro" if readonly else "rw"]
    return {"destination": destination, "type": "bind", "source": str(source), "options": options}


# --------------------------------------------------------------------------
# The in-container checker and what it needs to know about the host

NAMESPACE_FILES = ("mnt", "pid", "net", "ipc", "uts", "user", "cgroup", "time")


def namespace_inodes(pid="self"):
    """{"mnt": inode, …} of process pid's namespaces (the kernel's ones only)."""
    inodes = {}
    for kind in NAMESPACE_FILES:
        try:
            inodes[kind] = os.stat(f"/proc/{pid}/ns/{kind}").st_ino
        except OSError:
            pass
    return inodes


def status_field(name, pid="self"):
    """One "Name:\tvalue" field of /proc/<pid>/status."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key == name:
                return value.strip()
    return None


def build_static(source, cache_dir=None):
    """Compile a C source file with `cc -static -O2` into a cache directory,
    once per content: the binary runs inside busybox rootfses, which have no
    libc. Returns the binary's path."""
    import hashlib
    source = Path(source)
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
    cache = Path(cache_dir or os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "berth-spec-conformance"
    binary = cache / f"{source.stem}-{digest}"
    if not binary.exists():
        cache.mkdir(parents=True, exist_ok=True)
        partial = cache / f".{binary.name}.{os.getpid()}"
        subprocess.run([os.environ.get("CC", "cc"), "-static", "-O2", "-Wall", "-o", str(partial), str(source)],
                       check=True)
        os.replace(partial, binary)
    return binary


# --------------------------------------------------------------------------
# Running one runtime command

@dataclass
class Result:
    argv: list
    returncode: int      # negative: killed by that signal; None: timed out
    stdout: str
    stderr: str
    seconds: float       # wall time from spawn to reap
    maxrss_kib: int      # ru_maxrss from wait4: the process and children it waited for

    @property
    def ok(self):
        return self.returncode == 0

    @property
    def first_stderr_line(self):
        if self.returncode is None:
            return f"timed out after {self.seconds:.0f} s and was killed"
        lines = [line for line in self.stderr.splitlines() if line.strip()]
        return lines[0].strip() if lines else f"exit status {self.returncode}, no message"

    @property
    def not_implemented(self):
        # berth answers operations it does not have yet with "<op>: not
        # implemented yet"; that is a gap, not a wrong answer, so callers
        # skip instead of failing.
        return not self.ok and "not implemented" in self.stderr.lower()

    def json(self):
        return json.loads(self.stdout)

    def describe(self):
        """A few lines for a failure report."""
        return {
            "command": " ".join(self.argv),
            "exit": "timeout" if self.returncode is None else self.returncode,
            "stderr": self.stderr.strip()[-600:],
        }


BUSYBOX = "/bin/busybox"

# Started by a small process, a runtime's ru_maxrss is its own. Started by
# this Python process it is not: a child's maxrss starts at the high-water
# mark of the memory it had before execve, and a forked (or vforked) child
# of Python has Python's ~15 MB. So for RSS the runtime is forked by a
# static busybox shell that exits at once; as subreaper we adopt the runtime
# and wait4 it ourselves. The runtime waits on a gate until the shell is
# gone: one that finished first would be reaped by the shell, its rusage lost,
# and running it again is wrong for commands such as start. The shell costs
# about a millisecond, so wall times are measured without it.
_LAUNCHER_SCRIPT = '{{ read -r _ <&{gate}; exec "$@" {gate}<&-; }} {fd}>&- & echo $! >&{fd}'


def spawn(argv, timeout=10.0, cwd=None, small_parent=False):
    """Run argv to completion and measure it.

    stdout and stderr go to unnamed temporary files, not pipes: a runtime's
    `create` hands its stdio to the container, which can outlive the
    runtime, and a pipe would make us wait for the container instead.
    The child is reaped with wait4 to get its rusage (subprocess would only
    give the exit status); a pidfd bounds the wait without polling.

    small_parent: start argv through the launcher above so that maxrss_kib
    is the program's own (needs become_subreaper()); seconds then include
    the launcher.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        if small_parent:
            pid = _launch(argv, out, err, cwd)
        else:
            process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=cwd)
            pid = process.pid
        pidfd = os.pidfd_open(pid)  # a zombie until we reap it, so never gone
        try:
            poller = select.poll()
            poller.register(pidfd, select.POLLIN)
            timed_out = not poller.poll(timeout * 1000)
            if timed_out:
                os.kill(pid, signal.SIGKILL)
            _, status, rusage = os.wait4(pid, 0)
        except BaseException:
            # Interrupted (Ctrl-C, a test's time limit): do not leave a
            # runtime process behind to race the caller's cleanup.
            try:
                signal.pidfd_send_signal(pidfd, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass  # it was already reaped
            raise
        finally:
            os.close(pidfd)
        seconds = time.perf_counter() - start
        returncode = os.waitstatus_to_exitcode(status)
        if not small_parent:
            process.returncode = returncode  # so that Popen never tries to reap it again
        out.seek(0)
        err.seek(0)
        return Result(
            argv=list(argv),
            returncode=None if timed_out else returncode,
            stdout=out.read().decode(errors="replace"),
            stderr=err.read().decode(errors="replace"),
            seconds=seconds,
            maxrss_kib=rusage.ru_maxrss,
        )


def _launch(argv, out, err, cwd):
    """Start argv as a grandchild through the busybox launcher; its pid."""
    read_end, write_end = os.pipe()
    gate_read, gate_write = os.pipe()
    try:
        script = _LAUNCHER_SCRIPT.format(fd=write_end, gate=gate_read)
        launcher = subprocess.Popen([BUSYBOX, "sh", "-c", script, "launcher", *argv],
                                    stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=cwd,
                                    pass_fds=(write_end, gate_read))
        os.close(write_end)
        write_end = -1
        os.close(gate_read)
        gate_read = -1
        pid_text = os.read(read_end, 64).decode().strip()
        launcher.wait()
        # The launcher has exited, so the program is now our child: let it run.
        os.write(gate_write, b"\n")
    finally:
        for fd in (read_end, write_end, gate_read, gate_write):
            if fd >= 0:
                os.close(fd)
    return int(pid_text)


class Runtime:
    """One runtime binary with its own private --root state directory."""

    def __init__(self, path, root, name=None):
        self.path = str(path)
        self.root = str(root)
        self.name = name or os.path.basename(self.path)
        self.small_parent = False  # see spawn(): set while sampling RSS

    def __call__(self, *args, timeout=10.0, cwd=None):
        result = spawn([self.path, "--root", self.root, *map(str, args)], timeout=timeout, cwd=cwd,
                       small_parent=self.small_parent)
        reap_orphans()
        return result

    def state(self, container_id, timeout=10.0):
        """The parsed state, or None when the runtime answers with an error."""
        result = self("state", container_id, timeout=timeout)
        return result.json() if result.ok else None

    def wait_stopped(self, container_id, timeout=10.0):
        """Poll `state` until the container is stopped; returns the last state.

        Used where the init's pid is not known; where it is, wait_exit is
        exact and costs no runtime invocations.
        """
        deadline = time.monotonic() + timeout
        while True:
            state = self.state(container_id)
            if state is None or state.get("status") == "stopped" or time.monotonic() > deadline:
                return state
            time.sleep(0.01)

    def force_delete(self, container_id):
        """Best-effort removal for cleanup paths; never raises."""
        try:
            self("delete", "--force", container_id, timeout=15)
        except Exception:  # cleanup must go on for the other containers
            pass


# --------------------------------------------------------------------------
# Container processes

PR_SET_CHILD_SUBREAPER = 36


def become_subreaper():
    """Adopt the containers' init processes when their runtime exits.

    After `create` the init's parent (the runtime) exits and the init would
    be reparented to pid 1, which on some hosts never reaps, leaving zombies
    that some runtimes still report as running. As subreaper we reap them
    ourselves, as a container manager's shim does.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


def reap_orphans():
    """Reap adopted container processes that have exited.

    Safe because every runtime process we spawn is reaped synchronously by
    spawn() before this runs, so only adopted processes can be waited here.
    """
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def wait_exit(pid, timeout=10.0):
    """Wait until process pid has exited (and reap it if it is ours).

    True when it exited within timeout. A pidfd works for processes that are
    not our children and cannot be fooled by pid reuse once opened.
    """
    try:
        pidfd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        poller = select.poll()
        poller.register(pidfd, select.POLLIN)
        exited = bool(poller.poll(timeout * 1000))
    finally:
        os.close(pidfd)
    if exited:
        reap_orphans()
    return exited


def read_pid_file(path):
    try:
        return int(Path(path).read_text().strip())
    except (OSError, ValueError):
        return None


# --------------------------------------------------------------------------
# The private cgroup view for hybrid hosts

PRIVATE_NS_ENV = "BERTH_TEST_HOST_MNTNS"


def mount_table():
    """{mount point: filesystem type} of the visible mounts, from mountinfo.

    Where mounts are stacked the later line is the one on top, which is the
    one a path lookup sees (the tmpfs over /sys/fs/cgroup/unified).
    """
    table = {}
    with open("/proc/self/mountinfo") as f:
        for line in f:
            left, _, right = line.partition(" - ")
            table[left.split()[4]] = right.split()[0]
    return table


def _fstype(mount_point):
    return mount_table().get(mount_point)


def is_hybrid_cgroup_host():
    """cgroup v1 controllers with a cgroup2 tree at /sys/fs/cgroup/unified."""
    return _fstype("/sys/fs/cgroup") == "tmpfs" and _fstype("/sys/fs/cgroup/unified") == "cgroup2"


def _mount_ns():
    return os.stat("/proc/self/ns/mnt").st_ino


def ensure_v1_only_view(enabled=True, private=False):
    """On a hybrid cgroup host, re-run this program in a private mount
    namespace whose /sys/fs/cgroup/unified is covered by an empty tmpfs.

    crun 1.8 refuses hybrid hosts outright ("cgroups in hybrid mode not
    supported"); runc accepts them. To compare runtimes on the same footing
    every runtime is run in the same v1-only view. The host's mounts are
    never touched: the tmpfs is mounted only after checking that this process
    is in a different mount namespace from the one that re-executed it.

    private: re-run in a private mount namespace even on other hosts (the
    conformance suite mounts its bind-mount fixtures there, never on the host).

    Returns a line describing the view, for the tool's output.
    """
    parent_ns = os.environ.pop(PRIVATE_NS_ENV, None)
    if parent_ns is not None:
        if str(_mount_ns()) == parent_ns:
            sys.exit("refusing to mount over /sys/fs/cgroup/unified: not in a private mount namespace")
        _private_namespace_marker.append(True)
        if not (enabled and is_hybrid_cgroup_host()):
            return "cgroups: host view (" + _cgroup_kind() + "), in a private mount namespace"
        subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=0755", "none", "/sys/fs/cgroup/unified"], check=True)
        return ("cgroups: hybrid host; running in a private mount namespace with an empty tmpfs over "
                "/sys/fs/cgroup/unified, so every runtime sees the same cgroup v1-only view")
    if not private and (not enabled or not is_hybrid_cgroup_host()):
        return "cgroups: host view (" + _cgroup_kind() + ")"
    if os.geteuid() != 0:
        return "cgroups: hybrid host view (not root: cannot make a private mount namespace)"
    unshare = shutil.which("unshare") or "/usr/bin/unshare"
    os.environ[PRIVATE_NS_ENV] = str(_mount_ns())
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(unshare, [unshare, "--mount", "--propagation", "private", "--",
                       sys.executable, *sys.argv])


def _cgroup_kind():
    return "v2" if _fstype("/sys/fs/cgroup") == "cgroup2" else "hybrid" if is_hybrid_cgroup_host() else "v1"


def in_private_mount_namespace():
    """True in the namespace ensure_v1_only_view(private=True) made."""
    return bool(_private_namespace_marker)


_private_namespace_marker = []


def cgroup_mount_points():
    return [point for point, fstype in mount_table().items() if fstype in ("cgroup", "cgroup2")]


def has_cgroup2():
    """Whether a cgroup v2 hierarchy is visible (berth manages v2 only)."""
    return _fstype("/sys/fs/cgroup") == "cgroup2" or _fstype("/sys/fs/cgroup/unified") == "cgroup2"


def cgroup_dirs(cgroups_path):
    """Where a cgroupsPath would live in each mounted cgroup hierarchy."""
    relative = cgroups_path.lstrip("/")
    return [os.path.join(point, relative) for point in cgroup_mount_points()]


def process_cgroup_dirs(pid):
    """The directories of the cgroups process pid is in, one per visible
    hierarchy, found from /proc/<pid>/cgroup and the mount table, so that
    it works whatever path a runtime chose for a container."""
    mounts = []  # (mount point, root inside the hierarchy, fstype, options)
    with open("/proc/self/mountinfo") as f:
        for line in f:
            left, _, right = line.partition(" - ")
            fields, (fstype, _, options) = left.split(), right.split()[:3]
            mounts.append((fields[4], fields[3], fstype, set(options.split(","))))
    visible = mount_table()
    dirs = []
    with open(f"/proc/{pid}/cgroup") as f:
        for line in f:
            _, controllers, path = line.rstrip("\n").split(":", 2)
            for point, root, fstype, options in mounts:
                if visible.get(point) != fstype:
                    continue  # covered by another mount
                wanted = fstype == "cgroup2" if not controllers else \
                    fstype == "cgroup" and set(controllers.split(",")) <= options
                if wanted and (path + "/").startswith(root.rstrip("/") + "/"):
                    dirs.append(os.path.join(point, os.path.relpath(path, root)))
    return [os.path.normpath(d) for d in dirs]


def remove_cgroup_tree(prefix):
    """Remove the (empty) cgroups under prefix in every hierarchy.

    The runtimes remove a container's own cgroup on delete but not the
    parents they created for cgroupsPath. rmdir only succeeds on cgroups
    without processes, so this cannot disturb a live container. Returns what
    could not be removed.
    """
    leftovers = []
    for top in cgroup_dirs(prefix):
        if not os.path.isdir(top):
            continue
        for directory, _, _ in os.walk(top, topdown=False):
            try:
                os.rmdir(directory)
            except OSError:
                leftovers.append(directory)
    return leftovers


# --------------------------------------------------------------------------
# Interruption

def raise_on_sigterm():
    """Turn SIGTERM (and SIGHUP) into KeyboardInterrupt so the `finally`
    blocks that delete containers run whichever way the tool is stopped."""
    def handler(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGHUP, handler)
