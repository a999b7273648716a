#!/bin/sh
# smoke.sh — check that the guest of vm/run-in-guest.sh can test cgroup v2.
#
#   vm/run-in-guest.sh -- vm/smoke.sh        (what `make test-vm` runs)
#
# Run as root in the guest, never on the host: it writes to the root cgroup
# of /sys/fs/cgroup, which on the host is not ours (it refuses to start when
# /sys/fs/cgroup is not cgroup2, i.e. on the hybrid-layout host).
#
# Checks: cgroup2 at /sys/fs/cgroup with the controllers berth uses enabled
# in the root; a child cgroup takes memory.max and pids.max, a process moved
# into it, freezes (cgroup.freeze → cgroup.events "frozen 1") and is killed
# by cgroup.kill; then a real runtime (crun) creates a container whose
# cgroup has the pids limit of its config.
#
# The container's bundle is made with scripts/make-bundle.sh. That takes ~10 s
# in the emulated guest (hundreds of `ln`), 0.3 s on the host: set
# BERTH_SMOKE_BUNDLE to a bundle made on the host in a shared directory (as
# `make test-vm` does) and only its config is copied and edited here.
set -eu

cg=/sys/fs/cgroup
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
failures=0

ok() { echo "ok   $*"; }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
check() {   # check DESCRIPTION COMMAND...
    d=$1; shift
    if "$@"; then ok "$d"; else fail "$d"; fi
}
# Wait up to 10 s (the guest is emulated: slow) for COMMAND to succeed.
eventually() {
    i=0
    while ! "$@"; do
        i=$((i + 1))
        [ $i -lt 100 ] || return 1
        sleep 0.1
    done
}
has_line() { grep -qx "$2" "$1"; }

echo "kernel $(uname -r), uptime $(cut -d' ' -f1 /proc/uptime) s"

fstype=$(stat -f -c %T $cg)
if [ "$fstype" != cgroup2fs ]; then
    echo "smoke: $cg is $fstype, not cgroup2: run me in the guest (vm/run-in-guest.sh)" >&2
    exit 1
fi
ok "$cg is cgroup2"

controllers=$(cat $cg/cgroup.subtree_control)
for c in memory pids cpu io cpuset hugetlb; do
    case " $controllers " in
        *" $c "*) ok "controller $c enabled in the root" ;;
        *) fail "controller $c not in the root's subtree_control ($controllers)" ;;
    esac
done

# --- a cgroup of our own --------------------------------------------------------
g=$cg/berth-smoke
[ ! -d $g ] || rmdir $g
mkdir $g
echo 32M >$g/memory.max
check "memory.max 32M reads back as 33554432" test "$(cat $g/memory.max)" = 33554432
echo 10 >$g/pids.max
check "pids.max reads back as 10" test "$(cat $g/pids.max)" = 10

# A process that moves itself into the cgroup, then sleeps.
sh -c "echo \$\$ >$g/cgroup.procs && exec sleep 300" &
pid=$!
if eventually has_line /proc/$pid/cgroup 0::/berth-smoke; then
    ok "process $pid is in /berth-smoke"
else
    fail "process $pid not in /berth-smoke: $(cat /proc/$pid/cgroup)"
fi
check "cgroup.events says populated 1" has_line $g/cgroup.events "populated 1"

echo 1 >$g/cgroup.freeze
check "cgroup.freeze 1 makes cgroup.events say frozen 1" eventually has_line $g/cgroup.events "frozen 1"
echo 0 >$g/cgroup.freeze
check "cgroup.freeze 0 thaws it" eventually has_line $g/cgroup.events "frozen 0"

echo 1 >$g/cgroup.kill
status=0
{ wait $pid; } 2>/dev/null || status=$?    # (no "Killed" from the shell)
check "cgroup.kill kills the process with SIGKILL (status $status)" test $status -eq 137
check "cgroup.events says populated 0" eventually has_line $g/cgroup.events "populated 0"
rmdir $g
check "the cgroup is removed" test ! -e $g

# --- a runtime creates a container with a cgroup limit ------------------------------
crun=/usr/bin/crun
if [ -x $crun ]; then
    $crun --version | head -n 1
    b=$(mktemp -d)
    trap 'rm -rf "$b"; rmdir $cg/berth-smoke-crun 2>/dev/null || true' EXIT
    src=${BERTH_SMOKE_BUNDLE:-}
    if [ -z "$src" ]; then
        src=$b/made
        "$repo/scripts/make-bundle.sh" "$src" true
    fi
    # A copy of the config, in a bundle of our own whose root is the shared
    # bundle's rootfs (an absolute root.path), plus a cgroup and a limit.
    /usr/bin/python3 - "$src" "$b/config.json" <<'EOF'
import json, os, sys
src, dst = sys.argv[1], sys.argv[2]
with open(os.path.join(src, "config.json")) as f:
    config = json.load(f)
config["root"]["path"] = os.path.join(os.path.abspath(src), config["root"]["path"])
config["linux"]["resources"] = {"pids": {"limit": 50}}
config["linux"]["cgroupsPath"] = "/berth-smoke-crun"
with open(dst, "w") as f:
    json.dump(config, f, indent=2)
EOF
    cc=$cg/berth-smoke-crun
    # create: the init exists, in its cgroup, waiting for start.
    if $crun create --bundle "$b" smoke; then
        ok "crun create"
        check "crun made $cc with pids.max 50" test "$(cat $cc/pids.max 2>/dev/null)" = 50
        init=$($crun state smoke | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
        check "the container's init is in $cc" has_line $cc/cgroup.procs "$init"
        check "crun start" $crun start smoke
        check "the container stops" eventually sh -c "$crun state smoke | grep -q '\"stopped\"'"
        check "crun delete" $crun delete smoke
        check "crun removed $cc" test ! -e $cc
    else
        fail "crun create"
    fi
    status=0
    $crun run --bundle "$b" smoke-run || status=$?
    check "crun run of the bundle exits 0 (status $status)" test $status -eq 0
else
    echo "skip crun: $crun not installed"
fi

echo "uptime $(cut -d' ' -f1 /proc/uptime) s"
if [ $failures -ne 0 ]; then
    echo "smoke: $failures check(s) failed" >&2
    exit 1
fi
echo "smoke: all checks passed"
