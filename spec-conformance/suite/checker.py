"""What the container sees: checker.c run as the container's process.

checker.c reads the config.json the container was made from (bind-mounted
with it at /conformance) and prints one line per check naming its
requirement. Each probe (in the modules of its area) is one container with
one kind of config; checker_probe turns the checker's lines into verdicts.
"""

import os
import re
import shutil
import time
from pathlib import Path

import ocitest
from .framework import HERE, check


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
