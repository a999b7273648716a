"""config.md, Mounts: every Linux mount option on a mount of its own,
relative destinations, idmapped mounts."""

import subprocess

import ocitest
from .checker import checker_probe
from .framework import Fail, Skip, check, expect_create_error, test


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
