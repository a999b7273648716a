#!/bin/sh
# stress.sh [HOLD] [CYCLES] — hold HOLD containers running at once, delete
# them, then run CYCLES create/start/kill/delete cycles, and check that
# nothing is left: no process, mount, cgroup or state directory. The
# figures go into the README's reliability section.
#
# BERTH names the binary (default .build/release/berth). Root only.
set -eu

berth=${BERTH:-.build/release/berth}
hold=${1:-1000}
cycles=${2:-1000}
here=$(dirname "$0")

work=$(mktemp -d /tmp/berth-stress.XXXXXX)
root=$work/state
tag=stress$$
# A sleep of a length no one else asks for finds the containers' processes.
seconds=9$$
sh "$here/make-bundle.sh" "$work/bundle" sleep "$seconds" >/dev/null

cleanup() {
    for dir in "$root"/*; do
        [ -d "$dir" ] && "$berth" --root "$root" delete --force "${dir##*/}" 2>/dev/null
    done
    rm -rf "$work"
}
trap cleanup EXIT

now() { date +%s.%N; }
elapsed() { echo "$1 $(now)" | awk '{ printf "%.1f", $2 - $1 }'; }

leftovers() {
    processes=$(pgrep -fc "^sleep $seconds\$" || true)
    mounts=$(grep -c "$work" /proc/self/mountinfo || true)
    cgroups=$(find /sys/fs/cgroup -maxdepth 3 -type d -name "$tag-*" 2>/dev/null | wc -l)
    states=$(find "$root" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
    echo "processes $processes, mounts $mounts, cgroups $cgroups, state entries $states"
    [ "$processes$mounts$cgroups$states" = 0000 ]
}

start=$(now)
i=0
while [ $i -lt "$hold" ]; do
    "$berth" --root "$root" create --bundle "$work/bundle" "$tag-h$i"
    "$berth" --root "$root" start "$tag-h$i"
    i=$((i + 1))
done
running=$("$berth" --root "$root" list --quiet | wc -l)
alive=$(pgrep -fc "^sleep $seconds\$" || true)
echo "held: $running containers listed, $alive of their processes alive, in $(elapsed "$start") s"
[ "$running" -eq "$hold" ] && [ "$alive" -ge "$hold" ]

start=$(now)
i=0
while [ $i -lt "$hold" ]; do
    "$berth" --root "$root" delete --force "$tag-h$i"
    i=$((i + 1))
done
echo "deleted $hold in $(elapsed "$start") s; left: $(leftovers)"

start=$(now)
i=0
while [ $i -lt "$cycles" ]; do
    id=$tag-c$i
    "$berth" --root "$root" create --bundle "$work/bundle" "$id"
    "$berth" --root "$root" start "$id"
    "$berth" --root "$root" kill "$id" KILL
    "$berth" --root "$root" delete --force "$id"
    i=$((i + 1))
done
echo "cycles: $cycles create/start/kill/delete in $(elapsed "$start") s; left: $(leftovers)"
leftovers >/dev/null
echo "stress: nothing left"
