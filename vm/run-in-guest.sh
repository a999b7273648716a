#!/bin/sh
# run-in-guest.sh — run a command as root in a throw-away cgroup-v2 guest.
#
#   vm/run-in-guest.sh [--timeout SECONDS] [--env NAME[=VALUE]]... [--share DIR]...
#                      [--verbose] -- COMMAND [ARGS...]
#
# The host has a hybrid cgroup layout, so berth's cgroup v2 code can only be
# tested for real in a guest kernel. This boots one under qemu (see
# vm/README.md for how and why), with:
#   - the host's / shared read-only, under a tmpfs overlay (writes vanish);
#   - the repository checkout (and each --share DIR) shared read-write at the
#     same absolute path, so results and built binaries are shared;
#   - cgroup2 at /sys/fs/cgroup with every controller enabled in the root;
#   - a 1 GiB virtio-blk null disk, /dev/vda, for io.max tests.
# COMMAND runs with the caller's cwd (it must exist in the guest: under the
# checkout or a --share, or on the host's root outside /tmp, /run, /dev),
# PATH, CI and BERTH_* passed through (plus --env ones), no stdin. Its stdout
# and stderr come back on ours, and this script exits with its exit status,
# or 124 when the timeout (default 600 s, boot included) expires, or 125 when
# the guest died without reporting one.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
assets=${BERTH_VM_ASSETS:-$repo/vm-assets}

usage() {
    sed -n '4,5p' "$0" | sed 's/^# *//' >&2
    exit 2
}

timeout_s=600
verbose=no
envs=""          # extra NAME or NAME=VALUE, one a line
shares=$repo     # read-write shares, one a line
while [ $# -gt 0 ]; do
    case $1 in
        --timeout) [ $# -ge 2 ] || usage; timeout_s=$2; shift 2 ;;
        --timeout=*) timeout_s=${1#*=}; shift ;;
        --env|-e) [ $# -ge 2 ] || usage; envs="$envs
$2"; shift 2 ;;
        --share) [ $# -ge 2 ] || usage
                 [ -d "$2" ] || { echo "$0: --share $2: not a directory" >&2; exit 2; }
                 shares="$shares
$(cd "$2" && pwd -P)"; shift 2 ;;
        --verbose|-v) verbose=yes; shift ;;
        --) shift; break ;;
        -h|--help) usage ;;
        *) break ;;
    esac
done
[ $# -ge 1 ] || usage
command_line="$*"
case $timeout_s in
    ''|*[!0-9]*) echo "$0: --timeout wants whole seconds" >&2; exit 2 ;;
esac

# Builds the assets when missing; a no-op (well under a second) otherwise.
"$here/prepare-assets.sh"
version=$(cat "$assets/VERSION")

# --- a private temp dir, removed (and qemu stopped) on any exit ---------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/berth-vm.XXXXXX")
qemu_pid="" out_pid="" err_pid=""
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
    # Only the processes this script started, by pid. `timeout` passes the
    # TERM on to qemu.
    for p in $qemu_pid $out_pid $err_pid; do kill "$p" 2>/dev/null || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# Single-quote a string for sh.
q() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }

# --- the io share: what to run, and where the exit status comes back -----------
io=$tmp/io
mkdir "$io"
# config is sourced by the guest's /init: SHARES lists "tag path" lines, the
# tags being those of the -fsdev options below (same order).
share_list=$(i=0; echo "$shares" | while read -r d; do echo "share$i $d"; i=$((i + 1)); done)
printf 'SHARES=%s\n' "$(q "$share_list")" >"$io/config"

# export_var NAME: a line that exports NAME with its value here, if it is set.
export_var() {
    case $1 in
        ''|[0-9]*|*[!A-Za-z0-9_]*) echo "$0: not a variable name: $1" >&2; exit 2 ;;
    esac
    eval "[ -n \"\${$1+set}\" ]" || return 0
    eval "printf 'export %s=%s\\n' \"\$1\" \"\$(q \"\${$1}\")\""
}

# The command's script, run by the guest's PID 1 under `env -i`: the
# environment (HOME, PATH, CI, BERTH_*, --env ones), the cwd, the command.
{
    echo "export HOME=/root"
    for name in PATH CI $(env | sed -n 's/^\(BERTH_[A-Za-z0-9_]*\)=.*/\1/p'); do
        export_var "$name"
    done
    echo "$envs" | while IFS= read -r e; do
        case $e in
            "") ;;
            *=*) printf 'export %s=%s\n' "${e%%=*}" "$(q "${e#*=}")" ;;
            *) export_var "$e" ;;
        esac
    done
    cwd=$(pwd)
    printf 'cd %s || { echo "run-in-guest: the guest has no %s: use --share for a directory outside the checkout" >&2; exit 125; }\n' "$(q "$cwd")" "$cwd"
    printf 'exec'
    for a in "$@"; do printf ' %s' "$(q "$a")"; done
    echo
} >"$io/cmd"

# --- output -----------------------------------------------------------------------
# qemu writes each virtio-serial port into a FIFO that a `cat` copies to our
# stdout or stderr: that works whatever they are (pipe, file, tty, socket).
mkfifo "$tmp/stdout" "$tmp/stderr"
cat "$tmp/stdout" &
out_pid=$!
cat "$tmp/stderr" >&2 &
err_pid=$!

# --- the machine ---------------------------------------------------------------------
# TCG unless /dev/kvm is a real KVM: on these machines it is backed by a
# nested "PVM" module with which qemu fails or crawls.
if [ -e /dev/kvm ] && { [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; }; then
    accel="-accel kvm -cpu host"
else
    # `max`: every CPU feature TCG emulates, so host binaries built for a
    # newer baseline than qemu64's still run.
    accel="-accel tcg -cpu max"
fi
# qboot starts faster than SeaBIOS (~0.4 s under TCG); the vmlinux is booted
# through its PVH entry point, without the bzImage's decompression.
bios=""
[ -f /usr/share/qemu/qboot.rom ] && bios="-bios /usr/share/qemu/qboot.rom"

# The guest's serial console (kernel messages, /init's errors): a file shown
# when something goes wrong, or with --verbose our stderr (append=on: when
# stderr is a file, qemu must not truncate it).
if [ $verbose = yes ]; then
    console="-chardev file,id=con,path=/dev/stderr,append=on -serial chardev:con"
    quiet=""
else
    console="-chardev file,id=con,path=$tmp/console.log -serial chardev:con"
    quiet="quiet"
fi

fs="security_model=passthrough,multidevs=remap"
# shellcheck disable=SC2086  # $accel, $bios and $console are lists of qemu options
set -- $accel $bios \
    -machine q35 -smp 2 -m 2G \
    -nodefaults -no-user-config -display none -no-reboot $console \
    -kernel "$assets/vmlinux" -initrd "$assets/initramfs.cpio" \
    -append "console=ttyS0 $quiet panic=-1 cgroup_no_v1=all rdinit=/init" \
    -device virtio-serial-pci,id=vser \
    -chardev file,id=out,path="$tmp/stdout" -device virtserialport,bus=vser.0,chardev=out,name=berth.stdout \
    -chardev file,id=err,path="$tmp/stderr" -device virtserialport,bus=vser.0,chardev=err,name=berth.stderr \
    -fsdev local,id=hostroot,path=/,readonly=on,$fs -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
    -fsdev local,id=berthio,path="$io",$fs -device virtio-9p-pci,fsdev=berthio,mount_tag=berthio \
    -fsdev local,id=modules,path="$assets/linux/lib/modules/$version",readonly=on,$fs \
    -device virtio-9p-pci,fsdev=modules,mount_tag=modules \
    -drive if=none,id=nulldisk,driver=null-co,size=1G,read-zeroes=on -device virtio-blk-pci,drive=nulldisk
i=0
for d in $(echo "$shares" | tr '\n' ' '); do
    # (paths with spaces are not supported as shares: qemu's option syntax)
    set -- "$@" -fsdev local,id=share$i,path="$d",$fs -device virtio-9p-pci,fsdev=share$i,mount_tag=share$i
    i=$((i + 1))
done

# Always under `timeout`: on an internal error qemu pauses the guest instead
# of exiting. In the background, so that our traps run on a signal.
timeout --kill-after=5 "$timeout_s" qemu-system-x86_64 "$@" </dev/null &
qemu_pid=$!
status=0
wait $qemu_pid || status=$?
qemu_pid=""

# If qemu died before opening the FIFOs, their readers still wait in open():
# an O_RDWR open never blocks and lets them see end-of-file.
exec 3<>"$tmp/stdout" 4<>"$tmp/stderr"
exec 3>&- 4>&-
wait $out_pid $err_pid 2>/dev/null || true
out_pid="" err_pid=""

if [ $status -eq 124 ] || [ $status -eq 137 ]; then
    echo "run-in-guest: timed out after ${timeout_s} s: $command_line" >&2
    [ -f "$tmp/console.log" ] && tail -n 30 "$tmp/console.log" >&2
    exit 124
fi
if [ -f "$io/rc" ]; then
    exit "$(cat "$io/rc")"
fi
echo "run-in-guest: the guest exited (qemu status $status) without an exit status; console:" >&2
[ -f "$tmp/console.log" ] && tail -n 40 "$tmp/console.log" >&2
exit 125
