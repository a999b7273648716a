"""config-linux.md, Devices: a device path that holds something else must
be refused (the default and configured devices are checked from inside
by linux.probe_linux)."""

import os

import ocitest
from .framework import check, expect_create_error, test


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
