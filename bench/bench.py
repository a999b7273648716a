#!/usr/bin/python3
"""bench.py — how fast is berth next to crun and runc? A benchmark, not a test.

    bench/bench.py --berth .build/release/berth [--iterations N] [--runtimes berth,crun,runc]

Scenarios, each timed as wall clock from spawn to reap of the runtime:

  version     `R --version`: process start-up and nothing else
  state       `R state <missing id>`: a whole command path that fails
  run         `R run --bundle B ID` of a busybox bundle running /bin/true
  lifecycle   `create`, `start`, wait until the init exits, `delete`
  exec        `R exec ID /bin/true` in a running container (one per runtime,
              started before the first exec), as health checks do

run, lifecycle and exec are timed on each of three configs (--configs):

  demo        make-bundle.sh's: namespaces and the usual mounts, nothing else
  spec        what `berth spec` writes (the shape of `runc spec`): masked and
              read-only paths, a cgroup namespace and mount, capabilities,
              rlimits, no_new_privileges, a device cgroup rule
  manager     what containerd's CRI plugin sends for a pod's container (the
              shape podman's is too): /run tmpfs, /etc/hosts, resolv.conf and
              hostname binds, 14 capabilities, a seccomp profile allowing
              ~300 system calls by name plus argument rules, cgroupsPath and
              resources (memory, pids, CPU)

run and lifecycle are tried once per runtime first; a runtime that cannot
do them (berth before its lifecycle lands) is reported as `skip` with its
error and the others are still measured, so the numbers appear by
themselves once berth can run containers.

The runtimes are interleaved round-robin inside every iteration, with the
starting runtime rotated, so that drift on the host (frequency scaling,
other builds, page cache) affects all of them alike. Medians and ratios of
medians are reported because the distributions have long right tails.

Peak RSS is ru_maxrss from wait4 on the runtime process: its own peak, or
that of a child it waited for if larger (runc's `runc init`). For lifecycle
it is the largest of the create, start and delete processes. It is sampled
in a few separate untimed runs started through a small launcher, because a
process forked by this Python starts with Python's ~15 MB as its maxrss
(see ocitest.spawn).
"""

import argparse
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "spec-conformance"))
sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
import ocitest  # noqa: E402  (shared with the conformance suite)

STARTUP_SCENARIOS = ("version", "state")
LIFECYCLE_SCENARIOS = ("run", "lifecycle", "exec")
CONFIGS = ("demo", "spec", "manager")

# What containerd's default seccomp profile refuses (or allows only under
# conditions) on x86_64; every other system call the kernel headers name is
# allowed by name, as there.
SECCOMP_REFUSED = {
    "acct", "add_key", "bpf", "clock_adjtime", "clock_settime", "clone", "clone3", "create_module",
    "delete_module", "finit_module", "fsconfig", "fsmount", "fsopen", "fspick", "get_kernel_syms",
    "get_mempolicy", "init_module", "ioperm", "iopl", "kcmp", "kexec_file_load", "kexec_load", "keyctl",
    "lookup_dcookie", "mbind", "mount", "mount_setattr", "move_mount", "move_pages", "name_to_handle_at",
    "nfsservctl", "open_by_handle_at", "open_tree", "perf_event_open", "personality", "pivot_root",
    "process_vm_readv", "process_vm_writev", "ptrace", "query_module", "quotactl", "quotactl_fd", "reboot",
    "request_key", "set_mempolicy", "setns", "settimeofday", "swapoff", "swapon", "sysfs", "_sysctl",
    "umount2", "unshare", "uselib", "userfaultfd", "ustat", "vm86", "vm86old",
}


def kernel_syscall_names():
    header = Path("/usr/include/x86_64-linux-gnu/asm/unistd_64.h")
    names = []
    for line in header.read_text().splitlines():
        fields = line.split()
        if len(fields) == 3 and fields[0] == "#define" and fields[1].startswith("__NR_"):
            names.append(fields[1][len("__NR_"):])
    return names


def manager_seccomp():
    """containerd's profile in shape: one rule allowing ~300 names, the
    personality and clone argument rules, clone3 answered with ENOSYS."""
    allowed = sorted(set(kernel_syscall_names()) - SECCOMP_REFUSED)
    namespaces = 0x7E020000  # CLONE_NEW{NS,UTS,IPC,USER,PID,NET,CGROUP}
    return {
        "defaultAction": "SCMP_ACT_ERRNO",
        "defaultErrnoRet": 1,
        "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
        "syscalls": [
            {"names": allowed, "action": "SCMP_ACT_ALLOW"},
            *({"names": ["personality"], "action": "SCMP_ACT_ALLOW",
               "args": [{"index": 0, "value": value, "op": "SCMP_CMP_EQ"}]} for value in (0, 8, 0x20000, 0x20008, 0xFFFFFFFF)),
            {"names": ["clone"], "action": "SCMP_ACT_ALLOW",
             "args": [{"index": 0, "value": namespaces, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}]},
            {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38},
        ],
    }


MANAGER_CAPABILITIES = [f"CAP_{name}" for name in (
    "CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID", "SETUID", "SETFCAP",
    "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE")]


def manager_config(config, workdir):
    """Turns `berth spec`'s config into the shape of a CRI container's."""
    etc = workdir / "manager-etc"
    etc.mkdir(exist_ok=True)
    for name, text in (("hosts", "127.0.0.1 localhost\n"), ("resolv.conf", "nameserver 127.0.0.1\n"),
                       ("hostname", "bench\n")):
        (etc / name).write_text(text)
    config["hostname"] = "bench"
    config["process"]["capabilities"] = {key: MANAGER_CAPABILITIES for key in ("bounding", "effective", "permitted")}
    config["process"]["noNewPrivileges"] = False
    config["process"]["env"] = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                "HOSTNAME=bench", "KUBERNETES_SERVICE_HOST=10.96.0.1", "KUBERNETES_SERVICE_PORT=443"]
    config["mounts"] += [
        {"destination": "/run", "type": "tmpfs", "source": "tmpfs",
         "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
        *({"destination": f"/etc/{name}", "type": "bind", "source": str(etc / name),
           "options": ["rbind", "rprivate", "rw"]} for name in ("hosts", "resolv.conf", "hostname")),
    ]
    linux = config["linux"]
    linux["seccomp"] = manager_seccomp()
    linux["resources"] = {
        "devices": [{"allow": False, "access": "rwm"}] + [
            {"allow": True, "type": "c", "major": major, "minor": minor, "access": "rwm"}
            for major, minor in ((1, 3), (1, 5), (1, 7), (1, 8), (1, 9), (5, 0), (5, 1), (5, 2))]
            + [{"allow": True, "type": "c", "major": 136, "access": "rwm"}],
        "memory": {"limit": 536870912},
        "pids": {"limit": 1024},
        "cpu": {"shares": 512, "quota": 50000, "period": 100000},
    }
    linux["maskedPaths"] = sorted(set(linux.get("maskedPaths", [])) | {"/proc/scsi", "/sys/devices/virtual/powercap"})
    return config


def spec_config(berth, workdir):
    """`berth spec`'s config.json, made once."""
    directory = workdir / "spec-config"
    if not (directory / "config.json").exists():
        directory.mkdir(exist_ok=True)
        subprocess.run([berth, "spec", "--bundle", str(directory)], check=True)
    return json.loads((directory / "config.json").read_text())


class Bench:
    def __init__(self, runtimes, workdir, berth=None):
        self.berth = berth
        self.config = "demo"  # of the lifecycle scenarios being measured
        self.pid = os.getpid()
        self.workdir = Path(workdir)
        # Every container's cgroup lives under this prefix, so whatever a
        # runtime leaves behind can be found and removed at the end.
        self.cgroup_prefix = f"/berth-bench-{self.pid}"
        self.runtimes = {}
        self.bundle_factory = ocitest.BundleFactory(self.workdir)
        self.bundles = {}
        self.exec_targets = {}  # runtime name -> id of its running container
        self.live = []          # (runtime, id) created and not yet deleted
        self.serial = 0
        for name, path in runtimes:
            root = self.workdir / name / "root"
            root.mkdir(parents=True)
            self.runtimes[name] = ocitest.Runtime(path, root, name)

    def bundle(self, name, scenario, args=("/bin/true",)):
        """One bundle per runtime, scenario and config, with its own cgroupsPath.

        berth manages cgroup v2 only and refuses a cgroupsPath or resources
        where it sees no v2 hierarchy, as in the v1-only view: there its
        bundle has neither, and it runs the container without a cgroup (said
        in the header)."""
        key = (name, scenario, self.config)
        if key not in self.bundles:
            cgroups_path = f"{self.cgroup_prefix}/{name}-{scenario}-{self.config}"
            without_cgroup = name == "berth" and not ocitest.has_cgroup2()
            config_kind = self.config

            def edit(config):
                if config_kind != "demo":
                    base = spec_config(self.berth, self.workdir)
                    if config_kind == "manager":
                        base = manager_config(base, self.workdir)
                    base["root"] = config["root"]
                    base["process"]["args"] = config["process"]["args"]
                    base["process"]["terminal"] = False
                    base["ociVersion"] = config["ociVersion"]  # what all three runtimes take
                    config.clear()
                    config.update(base)
                if without_cgroup:
                    config["linux"].pop("resources", None)
                else:
                    config["linux"]["cgroupsPath"] = cgroups_path
            self.bundles[key] = self.bundle_factory.make(
                self.workdir / name / f"bundle-{scenario}-{self.config}", list(args), edit=edit)
        return self.bundles[key]

    def new_id(self, scenario):
        self.serial += 1
        return f"bench-{self.pid}-{scenario}-{self.serial}"

    # Each measure_* returns (seconds, maxrss KiB) or raises Failed.

    def measure_version(self, runtime):
        result = ocitest.spawn([runtime.path, "--version"], small_parent=runtime.small_parent)
        if not result.ok:
            raise Failed(result)
        return result.seconds, result.maxrss_kib

    def measure_state(self, runtime):
        result = runtime("state", f"missing-{self.pid}")
        if result.ok:  # the point is the failing path; success means a wrong setup
            raise Failed(result, "state of a missing container succeeded")
        return result.seconds, result.maxrss_kib

    def measure_run(self, runtime):
        bundle = self.bundle(runtime.name, "run")
        container_id = self.new_id("run")
        self.live.append((runtime, container_id))
        result = runtime("run", "--bundle", bundle, container_id, timeout=15)
        if not result.ok:
            raise Failed(result)
        self.live.remove((runtime, container_id))
        return result.seconds, result.maxrss_kib

    def exec_target(self, runtime):
        """The runtime's running container for exec, started on first use."""
        if (runtime.name, self.config) not in self.exec_targets:
            bundle = self.bundle(runtime.name, "exec", ("sleep", "3600"))
            container_id = self.new_id("exec")
            self.live.append((runtime, container_id))
            started = runtime("run", "--detach", "--bundle", bundle, container_id, timeout=15)
            if not started.ok:
                raise Failed(started)
            self.exec_targets[(runtime.name, self.config)] = container_id
        return self.exec_targets[(runtime.name, self.config)]

    def measure_exec(self, runtime):
        result = runtime("exec", self.exec_target(runtime), "/bin/true", timeout=15)
        if not result.ok:
            raise Failed(result)
        return result.seconds, result.maxrss_kib

    def measure_lifecycle(self, runtime):
        bundle = self.bundle(runtime.name, "lifecycle")
        container_id = self.new_id("lifecycle")
        pid_file = self.workdir / runtime.name / f"{container_id}.pid"
        self.live.append((runtime, container_id))
        start = time.perf_counter()
        create = runtime("create", "--bundle", bundle, "--pid-file", pid_file, container_id, timeout=15)
        if not create.ok:
            raise Failed(create)
        pid = ocitest.read_pid_file(pid_file)
        started = runtime("start", container_id)
        if not started.ok:
            raise Failed(started)
        # Waiting on the init's pidfd is exact and costs no runtime calls,
        # which would otherwise be counted in the lifecycle's time.
        if pid is not None:
            ocitest.wait_exit(pid, timeout=15)
        else:
            runtime.wait_stopped(container_id, timeout=15)
        deleted = runtime("delete", container_id)
        seconds = time.perf_counter() - start
        if not deleted.ok:
            raise Failed(deleted)
        self.live.remove((runtime, container_id))
        pid_file.unlink(missing_ok=True)
        return seconds, max(create.maxrss_kib, started.maxrss_kib, deleted.maxrss_kib)

    def measure(self, scenario, runtime):
        return getattr(self, f"measure_{scenario}")(runtime)

    def measure_rss(self, scenario, runtime):
        """Peak RSS in KiB from one untimed run started by a small parent."""
        runtime.small_parent = True
        try:
            return self.measure(scenario, runtime)[1]
        finally:
            runtime.small_parent = False

    def cleanup(self):
        for runtime, container_id in self.live:
            runtime.force_delete(container_id)
        self.live.clear()
        self.exec_targets.clear()
        return ocitest.remove_cgroup_tree(self.cgroup_prefix)


class Failed(Exception):
    def __init__(self, result, why=None):
        super().__init__(why or result.first_stderr_line)
        self.result = result


ORDER_FILE = Path(__file__).resolve().parent.parent / "build-support" / "berth.order"


def order_file_coverage(binary):
    """How much of the linker's order file names something in the binary:
    berth's peak RSS depends on its layout, and an order made for older code
    (see build-support/order-file.sh) shows here before it shows in RSS."""
    try:
        wanted = ORDER_FILE.read_text().split()
        symbols = subprocess.run(["readelf", "-sW", binary], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as error:
        return f"order file: cannot check ({error})"
    defined = {fields[7] for fields in map(str.split, symbols.splitlines()) if len(fields) >= 8}
    found = sum(name in defined for name in wanted)
    advice = "" if found >= 0.95 * len(wanted) else ": stale, run `make order-file`"
    return f"order file: {found} of {len(wanted)} names found in berth{advice}"


def percentile(values, fraction):
    """Nearest-rank percentile: an observed value, no interpolation."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def run_scenario(bench, scenario, names, iterations, budget, rss_samples):
    """Probe each runtime once (also the warm-up), time them interleaved,
    then take a few RSS samples; returns {runtime: ([seconds], [KiB])}."""
    samples = {}
    for name in names:
        try:
            bench.measure(scenario, bench.runtimes[name])
            samples[name] = []
        except Failed as failure:
            print(f"skip {name} {scenario}: {failure}", flush=True)
            # The first line is often a summary ("1 setting(s) cannot be
            # applied"); the reason follows.
            for line in failure.result.stderr.strip().splitlines()[1:4]:
                print(f"  | {line}", flush=True)
            bench.cleanup()
    active = list(samples)
    deadline = time.monotonic() + budget
    for i in range(iterations):
        if time.monotonic() > deadline:
            print(f"note {scenario}: time budget of {budget:.0f} s reached after {i} iterations", flush=True)
            break
        shift = i % len(active) if active else 0
        for name in active[shift:] + active[:shift]:
            try:
                samples[name].append(bench.measure(scenario, bench.runtimes[name]))
            except Failed as failure:
                print(f"error {name} {scenario} (iteration {i}): {failure}", flush=True)
                bench.cleanup()
    results = {}
    for name in active:
        rss = []
        for _ in range(rss_samples):
            try:
                rss.append(bench.measure_rss(scenario, bench.runtimes[name]))
            except Failed as failure:
                print(f"error {name} {scenario} (RSS sample): {failure}", flush=True)
                bench.cleanup()
        if samples[name]:
            results[name] = ([seconds for seconds, _ in samples[name]], rss)
    return results


def print_table(results, order):
    header = f"{'scenario':<17} {'runtime':<7} {'n':>4} {'median ms':>10} {'p90 ms':>8} {'RSS KiB':>8}" \
             f" {'berth/crun':>10} {'berth/runc':>10}"
    print(header)
    print("-" * len(header))
    for scenario, by_runtime in results.items():
        medians = {name: statistics.median(seconds) for name, (seconds, _) in by_runtime.items()}

        def ratio(peer):
            if "berth" in medians and peer in medians:
                return f"{medians['berth'] / medians[peer]:.2f}"
            return "-"

        for name in order:
            if name not in by_runtime:
                continue
            seconds, rss = by_runtime[name]
            rss_text = f"{statistics.median(rss):.0f}" if rss else "-"
            ratios = f" {ratio('crun'):>10} {ratio('runc'):>10}" if name == "berth" else ""
            print(f"{scenario:<17} {name:<7} {len(seconds):>4} {medians[name] * 1000:>10.2f}"
                  f" {percentile(seconds, 0.9) * 1000:>8.2f} {rss_text:>8}{ratios}")


def copy_runtimes(runtimes, directory):
    """Each runtime copied into its own directory under `directory`; berth's
    exec helper goes beside berth, where berth looks for it, and the shared
    libraries of a dynamically linked one (crun) into `directory`/lib, named
    by LD_LIBRARY_PATH for every runtime the bench starts."""
    copied = []
    libraries = directory / "lib"
    libraries.mkdir(parents=True, exist_ok=True)
    for name, path in runtimes:
        target = directory / name
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target / Path(path).name)
        helper = Path(path).parent / "berth-exec-helper"
        if name == "berth" and helper.exists():
            shutil.copy2(helper, target / helper.name)
        ldd = subprocess.run(["ldd", path], capture_output=True, text=True)
        for line in ldd.stdout.splitlines():
            fields = line.split()
            if len(fields) >= 3 and fields[1] == "=>" and fields[2].startswith("/"):
                shutil.copy2(fields[2], libraries / Path(fields[2]).name)
        copied.append((name, str(target / Path(path).name)))
    os.environ["LD_LIBRARY_PATH"] = str(libraries)
    return copied


def first_line(argv):
    result = ocitest.spawn(argv)
    lines = (result.stdout or result.stderr).splitlines()
    return lines[0] if lines else "?"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--berth", required=True, help="path of the berth binary")
    parser.add_argument("--iterations", type=int,
                        help="iterations of every scenario (default 100 for start-up, 30 for lifecycle)")
    parser.add_argument("--runtimes", default="berth,crun,runc",
                        help="comma-separated runtimes to compare (default berth,crun,runc)")
    all_scenarios = ",".join(STARTUP_SCENARIOS + LIFECYCLE_SCENARIOS)
    parser.add_argument("--scenarios", default=all_scenarios,
                        help=f"comma-separated scenarios to run (default {all_scenarios})")
    parser.add_argument("--configs", default=",".join(CONFIGS),
                        help=f"comma-separated configs for run, lifecycle and exec (default {','.join(CONFIGS)})")
    parser.add_argument("--rss-samples", type=int, default=5,
                        help="untimed runs per runtime and scenario that sample peak RSS (default 5)")
    parser.add_argument("--budget", type=float, default=40,
                        help="seconds after which a scenario stops iterating (default 40)")
    parser.add_argument("--copy-to", metavar="DIR",
                        help="copy every runtime binary (berth with its exec helper) into DIR and time those: "
                             "in the guest, where the checkout and the host's root are 9p shares with "
                             "different caching, so that all three are read from the same tmpfs")
    parser.add_argument("--host-cgroups", action="store_true",
                        help="do not hide a hybrid host's cgroup2 tree (crun 1.8 will refuse to run)")
    options = parser.parse_args()
    unknown = set(options.scenarios.split(",")) - set(STARTUP_SCENARIOS + LIFECYCLE_SCENARIOS)
    if unknown:
        parser.error(f"unknown scenario {', '.join(sorted(unknown))}: choose from {all_scenarios}")

    view = ocitest.ensure_v1_only_view(enabled=not options.host_cgroups)
    ocitest.raise_on_sigterm()
    ocitest.become_subreaper()

    runtimes = []
    for name in options.runtimes.split(","):
        path = options.berth if name == "berth" else shutil.which(name)
        if path is None or not os.access(path, os.X_OK):
            print(f"skip {name}: {path or name} not found")
            continue
        runtimes.append((name, os.path.abspath(path)))
    if not runtimes:
        sys.exit("no runtime to measure")
    if options.copy_to:
        runtimes = copy_runtimes(runtimes, Path(options.copy_to))

    print(f"# berth bench, {time.strftime('%Y-%m-%d %H:%M')}, kernel {platform.release()}, "
          f"{os.cpu_count()} CPUs")
    for name, path in runtimes:
        print(f"# {name}: {path} ({first_line([path, '--version'])})")
    print(f"# {view}")
    berth = dict(runtimes).get("berth")
    if berth:
        print(f"# {order_file_coverage(berth)}")
    print("# time: wall clock spawn→reap, ratios of medians (<1: berth is faster); RSS: median "
          f"ru_maxrss of {options.rss_samples} separate runs forked by a small parent")

    workdir = tempfile.mkdtemp(prefix="berth-bench-")
    bench = Bench(runtimes, workdir, berth=berth or shutil.which("runc"))
    results = {}
    interrupted = False
    try:
        for scenario in options.scenarios.split(","):
            iterations = options.iterations or (100 if scenario in STARTUP_SCENARIOS else 30)
            configs = options.configs.split(",") if scenario in LIFECYCLE_SCENARIOS else [None]
            for config in configs:
                bench.config = config or "demo"
                label = f"{scenario}/{config}" if config else scenario
                results[label] = run_scenario(bench, scenario, [n for n, _ in runtimes],
                                              iterations, options.budget, options.rss_samples)
    except KeyboardInterrupt:
        interrupted = True
        print("interrupted: cleaning up", file=sys.stderr)
    finally:
        leftovers = bench.cleanup()
        shutil.rmtree(workdir, ignore_errors=True)
        for path in leftovers:
            print(f"warning: cgroup left behind: {path}", file=sys.stderr)
    print()
    print_table({s: r for s, r in results.items() if r}, [n for n, _ in runtimes])
    return 130 if interrupted else 0


if __name__ == "__main__":
    sys.exit(main())
