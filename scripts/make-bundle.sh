#!/bin/sh
# make-bundle.sh DIR [ARGS...] — make a small OCI bundle at DIR.
#
# The rootfs is busybox-static with its applets linked into /bin, plus the
# minimal /etc/passwd and /etc/group a shell and `id` expect. config.json
# runs ARGS (default: a shell line that shows it runs in its own uts and
# pid namespaces).
#
# This is the one place that knows how a test bundle looks: scripts/demo.sh,
# bench/bench.py and spec-conformance/run.py all call it and, where they need
# more (a cgroupsPath, a writable root, a bind mount), edit config.json after.
#
# The config deliberately has no capabilities, rlimits, seccomp, maskedPaths,
# readonlyPaths, cgroupsPath or resources: the smaller it is, the fewer
# features a young runtime needs to run it, and without resources it works
# on hosts with a hybrid cgroup layout too.
set -eu

usage() {
    echo "usage: $0 DIR [ARGS...]" >&2
    exit 2
}

[ $# -ge 1 ] || usage
dir=$1
shift

busybox=${BUSYBOX:-/bin/busybox}
if [ ! -x "$busybox" ]; then
    echo "$0: $busybox not found: install busybox-static" >&2
    exit 1
fi
# A dynamically linked busybox would need its libraries in the rootfs.
if command -v file >/dev/null 2>&1 && ! file -L "$busybox" | grep -q 'statically linked'; then
    echo "$0: $busybox is not statically linked: install busybox-static" >&2
    exit 1
fi

rootfs=$dir/rootfs
mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/proc" "$rootfs/sys" "$rootfs/dev" \
         "$rootfs/tmp" "$rootfs/root"
chmod 1777 "$rootfs/tmp"
cp "$busybox" "$rootfs/bin/busybox"

# Ask the copied busybox itself which applets it has, so the links match
# the binary in the rootfs rather than whatever the host has.
for applet in $("$rootfs/bin/busybox" --list); do
    [ "$applet" = busybox ] && continue
    ln -sf busybox "$rootfs/bin/$applet"
done
# Some programs and configs hard-code /usr/bin or /sbin paths. The links are
# relative so that, seen from the host, they stay inside the rootfs.
mkdir -p "$rootfs/usr"
for link in sbin:bin usr/bin:../bin usr/sbin:../bin; do
    [ -e "$rootfs/${link%%:*}" ] || ln -s "${link#*:}" "$rootfs/${link%%:*}"
done

cat >"$rootfs/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$rootfs/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF

if [ $# -eq 0 ]; then
    # shellcheck disable=SC2016  # expanded by the container's shell, not here
    set -- sh -c 'echo "hello from berth: hostname $(hostname), pid $$, uid $(id -u)"'
fi

# config.json is written by Python's json module so that any ARGS (quotes,
# backslashes, non-ASCII) come out as valid JSON strings.
#
# ociVersion is 1.0.2 on purpose: crun 1.8 refuses 1.3.0 and runc 1.1 knows
# only up to 1.0.2, and this config uses nothing newer, so one bundle serves
# berth and both peers.
/usr/bin/python3 - "$dir/config.json" "$@" <<'EOF'
import json, sys

path, args = sys.argv[1], sys.argv[2:]
config = {
    "ociVersion": "1.0.2",
    "process": {
        "terminal": False,
        "user": {"uid": 0, "gid": 0},
        "args": args,
        "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
        "cwd": "/",
    },
    "root": {"path": "rootfs", "readonly": True},
    "hostname": "berth-demo",
    "mounts": [
        {"destination": "/proc", "type": "proc", "source": "proc"},
        {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
         "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
        {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
         "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]},
        {"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
         "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
        {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
         "options": ["nosuid", "noexec", "nodev"]},
        {"destination": "/sys", "type": "sysfs", "source": "sysfs",
         "options": ["nosuid", "noexec", "nodev", "ro"]},
    ],
    "linux": {
        "namespaces": [{"type": t} for t in ("pid", "network", "ipc", "uts", "mount")],
    },
}
with open(path, "w") as f:
    json.dump(config, f, indent=2)
    f.write("\n")
EOF
