#!/bin/sh
# order-file.sh BERTH OUT — write the linker's symbol order file for berth.
#
# Why: berth is a static binary whose code is mapped from the file, and the
# kernel maps the pages around every page fault too (fault-around, 64 KiB),
# so the resident size of a command depends on how scattered the functions
# it runs are, not on how many there are. Listing the functions that the
# common commands run, in the order they first run, lets the linker place
# them side by side: `berth run` maps about half as much code (see README,
# "Performance").
#
# The functions are found by running BERTH under build-support/hot-functions
# (a breakpoint on every function) through what a container manager does:
# spec, create, start, state, exec, kill, delete, run, list, features, and
# the failing paths of a missing container. It needs root (containers are
# created) and busybox-static. With valgrind installed, the data objects the
# same commands use are listed after the functions (build-support/hot-data.py;
# valgrind cannot follow berth's clone3, so this covers berth's own process,
# which is the one that counts). Run it through `make order-file` after changes
# that move much code; names that no longer exist are ignored by the linker,
# so a stale file only costs memory, never correctness.
set -eu

[ $# -eq 2 ] || { echo "usage: $0 BERTH OUT" >&2; exit 2; }
berth=$(realpath "$1")
out=$2
here=$(cd "$(dirname "$0")" && pwd)

work=$(mktemp -d /tmp/berth-order.XXXXXX)
root=$work/state
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
# small seccomp filter, as container managers send one. No resources: this
# host may have no cgroup v2 hierarchy to apply them in.
sh "$here/../scripts/make-bundle.sh" "$work/bundle" >/dev/null
(cd "$work/bundle" && rm config.json && "$berth" spec)
python3 - "$work/bundle/config.json" <<'EOF'
import json, sys
path = sys.argv[1]
config = json.load(open(path))
config["process"]["terminal"] = False
config["process"]["args"] = ["sleep", "30"]
config["linux"].pop("resources", None)
config["linux"]["seccomp"] = {
    "defaultAction": "SCMP_ACT_ALLOW",
    "architectures": ["SCMP_ARCH_X86_64"],
    "syscalls": [{"names": ["kexec_load", "reboot"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}],
}
json.dump(config, open(path, "w"), indent=2)
EOF

# Some commands fail on purpose (a missing container); each exit code is
# shown so that an unexpected failure is seen.
trace() {
    status=0
    "$work/hot-functions" "$work/symbols" "$work/order" -- "$berth" --root "$root" "$@" >/dev/null 2>"$work/stderr" || status=$?
    echo "  berth $*: exit $status $(head -n 1 "$work/stderr")"
}
set_args() {
    python3 - "$work/bundle/config.json" "$@" <<'EOF'
import json, sys
config = json.load(open(sys.argv[1]))
config["process"]["args"] = sys.argv[2:]
json.dump(config, open(sys.argv[1], "w"), indent=2)
EOF
}

# The commands a manager runs for every container (and exec, for health
# checks) come first, so that their functions are the ones packed
# together; the others follow.
trace --version
trace state missing
trace create --bundle "$work/bundle" one
trace start one
trace state one
trace exec one true
trace kill one KILL
sleep 0.2
trace delete one
set_args true
trace run --bundle "$work/bundle" two
set_args sleep 30
trace create --bundle "$work/bundle" four
trace list
trace delete --force four
mkdir "$work/spec" && (cd "$work/spec" && trace spec)
trace features
trace kill missing
trace delete missing
set_args true

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
    lackey --version
    lackey state missing
    lackey create --bundle "$work/bundle" three  # runs up to the clone valgrind refuses
    "$berth" --root "$root" create --bundle "$work/bundle" three >/dev/null 2>&1 </dev/null
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
