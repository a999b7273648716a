#!/bin/sh
# order-file.sh BERTH OUT — write the linker's symbol order file for berth.
#
# Why: berth is a static binary whose code is mapped from the file, and the
# kernel maps the pages around every page fault too (fault-around, 64 KiB),
# so the resident size of a command depends on how scattered the functions
# it runs are, not on how many there are. Listing the functions that the
# common commands run, in the order they first run, lets the linker place
# them side by side (README, "Memory").
#
# The functions are found by running BERTH under build-support/hot-functions
# (a breakpoint on every function) through what a container manager does:
# create, start, state, exec, kill, delete and run, first on this host, then
# (when `make vm-assets` has been run) in the cgroup v2 guest of vm/ with a
# cgroupsPath and resources, as on a production host; then list, spec,
# features and the failing paths of a missing container. It needs root
# (containers are created) and busybox-static. With valgrind installed, the
# data objects the same commands use are listed after the functions
# (build-support/hot-data.py; valgrind cannot follow berth's clone3, so this
# covers berth's own process, which is the one that counts).
#
# Run it through `make order-file` after changes that move much code; names
# that no longer exist are ignored by the linker, so a stale file only costs
# memory, never correctness (`make bench` says how much of it is stale).
#
# order-file.sh --lifecycle WORK BERTH ROOT BUNDLE is the traced lifecycle
# alone, for the guest.
set -eu

here=$(cd "$(dirname "$0")" && pwd)

# Some commands fail on purpose (a missing container); each exit code is
# shown so that an unexpected failure is seen.
trace() {
    status=0
    "$work/hot-functions" "$work/symbols" "$work/order" -- "$berth" --root "$root" "$@" \
        >/dev/null 2>"$work/stderr.$$" </dev/null || status=$?
    echo "  berth $*: exit $status $(head -n 1 "$work/stderr.$$")"
}

set_args() {
    python3 - "$bundle/config.json" "$@" <<'EOF'
import json, sys
config = json.load(open(sys.argv[1]))
config["process"]["args"] = sys.argv[2:]
json.dump(config, open(sys.argv[1], "w"), indent=2)
EOF
}

# What every container costs, and exec (health checks): first in the order.
lifecycle() {
    set_args sleep 30
    trace --version
    trace state missing
    trace create --bundle "$bundle" one
    trace start one
    trace state one
    trace exec one true
    trace kill one KILL
    sleep 0.2
    trace delete one
    set_args true
    trace run --bundle "$bundle" two
}

if [ "${1:-}" = --lifecycle ]; then
    [ $# -eq 5 ] || { echo "usage: $0 --lifecycle WORK BERTH ROOT BUNDLE" >&2; exit 2; }
    work=$2 berth=$3 root=$4 bundle=$5
    lifecycle
    exit 0
fi

[ $# -eq 2 ] || { echo "usage: $0 BERTH OUT" >&2; exit 2; }
berth=$(realpath "$1")
out=$2

work=$(mktemp -d /tmp/berth-order.XXXXXX)
root=$work/state
bundle=$work/bundle
cleanup() {
    for id in $("$berth" --root "$root" list -q 2>/dev/null); do
        "$berth" --root "$root" delete --force "$id" >/dev/null 2>&1 || true
    done
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

cc -O2 -o "$work/hot-functions" "$here/hot-functions.c"
readelf -sW "$berth" | awk '$4 == "FUNC" && $7 != "UND" && $7 != "ABS" && $3 > 0 { print $2, $8 }' >"$work/symbols"

# The bundle: busybox, and the configuration `berth spec` writes (the one
# runc and crun write too, with capabilities, rlimits, masked paths) plus a
# small seccomp filter, as container managers send one. No resources here:
# this host may have no cgroup v2 hierarchy to apply them in.
sh "$here/../scripts/make-bundle.sh" "$bundle" >/dev/null
(cd "$bundle" && rm config.json && "$berth" spec)
python3 - "$bundle/config.json" <<'EOF'
import json, sys
path = sys.argv[1]
config = json.load(open(path))
config["process"]["terminal"] = False
config["linux"].pop("resources", None)
config["linux"]["seccomp"] = {
    "defaultAction": "SCMP_ACT_ALLOW",
    "architectures": ["SCMP_ARCH_X86_64"],
    "syscalls": [{"names": ["kexec_load", "reboot"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}],
}
json.dump(config, open(path, "w"), indent=2)
EOF

echo "on this host:"
lifecycle

# The same in the cgroup v2 guest, with what podman or containerd set: a
# cgroupsPath, memory and pids limits, a device rule, CPU shares. Its state
# root is on the guest's tmpfs (a fifo cannot be made on the 9p share).
assets=${BERTH_VM_ASSETS:-$here/../vm-assets}
if [ -f "$assets/vmlinux" ] && [ -f "$assets/initramfs.cpio" ]; then
    mkdir "$work/bundle-cgroup"
    python3 - "$bundle/config.json" "$work/bundle-cgroup/config.json" "$bundle/rootfs" <<'EOF'
import json, sys
config = json.load(open(sys.argv[1]))
config["root"]["path"] = sys.argv[3]
config["linux"]["cgroupsPath"] = "/berth-order"
config["linux"]["resources"] = {
    "memory": {"limit": 268435456},
    "pids": {"limit": 1024},
    "cpu": {"shares": 512},
    "devices": [{"allow": False, "access": "rwm"},
                {"allow": True, "type": "c", "major": 1, "minor": 3, "access": "rwm"}],
}
json.dump(config, open(sys.argv[2], "w"), indent=2)
EOF
    echo "in the cgroup v2 guest:"
    "$here/../vm/run-in-guest.sh" --share "$work" --timeout 600 -- \
        sh "$here/order-file.sh" --lifecycle "$work" "$berth" /run/berth-order "$work/bundle-cgroup"
else
    echo "order-file: no guest (make vm-assets): the cgroup v2 path is left out" >&2
fi

echo "the other commands:"
set_args sleep 30
trace create --bundle "$bundle" four
trace list
trace delete --force four
mkdir "$work/spec" && (cd "$work/spec" && trace spec)
trace features
trace kill missing
trace delete missing

# First run first, each function once, in three groups:
# - what berth's own process runs (every command), so that a command maps
#   none of the code only the container's init runs;
# - what only the processes it clones run (the init, exec's process);
# - names that several functions share (local helpers such as "destroy for
#   Optional" exist in many objects): the linker moves every section that
#   defines such a name, and when one of them is a library's single big
#   .text (the Swift libraries have no section per function), placing it
#   among the others would split them.
awk 'NR == FNR { defined[$2]++; next }
     { name = $2 }
     defined[name] > 1 { if (!seen[name]++) shared[++shared_count] = name; next }
     $1 == "root" { if (!seen[name]++) print name; next }
     { if (!(name in child_seen)) { child_seen[name] = 1; child[++child_count] = name } }
     END {
         for (i = 1; i <= child_count; i++) if (!seen[child[i]]++) print child[i]
         for (i = 1; i <= shared_count; i++) print shared[i]
     }' "$work/symbols" "$work/order" >"$out"
functions=$(wc -l <"$out")

data=0
if command -v valgrind >/dev/null 2>&1; then
    # valgrind 3.19 cannot read the DWARF 5 of Swift's debug info: give it
    # a copy without (same addresses), with the exec helper beside it.
    strip -g -o "$work/berth" "$berth"
    cp "$(dirname "$berth")/berth-exec-helper" "$work/"
    lackey() {
        valgrind --tool=lackey --trace-mem=yes --log-file="$work/lackey.$#.$1.log" \
            "$work/berth" --root "$root" "$@" >/dev/null 2>&1 </dev/null || true
    }
    set_args true
    lackey --version
    lackey state missing
    lackey create --bundle "$bundle" three  # runs up to the clone valgrind refuses
    "$berth" --root "$root" create --bundle "$bundle" three >/dev/null 2>&1 </dev/null
    for command in start state; do lackey "$command" three; done
    lackey list
    sleep 0.2
    lackey delete three
    python3 "$here/hot-data.py" "$berth" "$work"/lackey.*.log >"$work/data"
    data=$(wc -l <"$work/data")
    cat "$work/data" >>"$out"
else
    echo "order-file: valgrind not installed: data objects left in link order" >&2
fi
echo "$out: $functions functions, $data data objects"
