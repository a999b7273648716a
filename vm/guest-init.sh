#!/bin/busybox sh
# shellcheck shell=dash  # busybox ash: shellcheck checks it as dash
# guest-init.sh — /init of the cgroup-v2 test guest (runs as PID 1).
#
# prepare-assets.sh copies this file into the initramfs as /init, next to
# busybox-static and the modules listed in /lib/modules/order. It runs twice:
#
#   stage 1 (no argument), in the initramfs: load the modules, build the new
#     root — the host's / shared read-only over 9p, under an overlay whose
#     upper is a tmpfs so the guest can write — mount /proc /sys /dev
#     /sys/fs/cgroup /tmp /run and the read-write shares in it, then
#     switch_root. A real root mount is needed: in an initramfs root,
#     pivot_root(2) in the runtime under test fails with EINVAL.
#
#   stage 2 (argument "stage2"), PID 1 in the new root: run the command that
#     vm/run-in-guest.sh wrote to the io share, its stdout and stderr on two
#     virtio-serial ports, write its exit status to the io share, power off.
#
# Anything that goes wrong here shows on the serial console (ttyS0), which
# run-in-guest.sh saves and prints when no exit status came back.
#
# Only busybox applets are used, called through the busybox binary this
# script knows, not whatever the host's root has in its PATH.
set -u

msize=512000                    # 9p message size: fewer round trips per read
p9="trans=virtio,version=9p2000.L,msize=$msize"

die() {
    echo "guest-init: $*" >&2
    # The host sees no exit status and reports the console; power off now
    # rather than waiting for the host's timeout.
    ${bb:-/bin/busybox} sync
    ${bb:-/bin/busybox} poweroff -f
    exit 1
}

stage1() {
    /bin/busybox --install -s /bin
    export PATH=/bin
    mount -t proc proc /proc
    mount -t sysfs sysfs /sys
    mount -t devtmpfs devtmpfs /dev

    # The order matters: insmod does not resolve dependencies.
    while read -r m; do
        insmod "/lib/modules/$m.ko" || die "insmod $m failed"
    done </lib/modules/order

    # The io share: the command, its configuration, and where the exit status
    # goes. config sets SHARES ("tag path" lines: the read-write shares).
    mkdir -p /io
    mount -t 9p -o "$p9" berthio /io || die "cannot mount the io share"
    # shellcheck source=/dev/null  # written by run-in-guest.sh at boot
    . /io/config

    # The host's root, read-only. cache=loose: it does not change under us
    # (as far as the tests care), and caching makes it much faster.
    mount -t 9p -o "ro,$p9,cache=loose" hostroot /lower || die "cannot mount the host root"
    mount -t tmpfs -o mode=0755 tmpfs /rw
    mkdir -p /rw/upper /rw/work
    mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay /newroot ||
        die "cannot mount the overlay root"

    n=/newroot
    mount -t proc -o nosuid,nodev,noexec proc $n/proc
    mount -t sysfs -o nosuid,nodev,noexec sysfs $n/sys
    # With cgroup_no_v1=all on the kernel command line no v1 hierarchy can
    # take a controller, so the v2 hierarchy has them all. nsdelegate makes
    # cgroup namespaces delegation boundaries; memory_recursiveprot is what
    # systemd mounts with, so tests see the same semantics as on real hosts.
    mount -t cgroup2 -o nosuid,nodev,noexec,nsdelegate,memory_recursiveprot cgroup2 $n/sys/fs/cgroup ||
        die "cannot mount cgroup2"
    # One controller a write, so that one missing controller (rdma, misc are
    # optional) does not make the whole write fail.
    for c in cpuset cpu io memory hugetlb pids rdma misc; do
        echo "+$c" >$n/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null ||
            echo "guest-init: cannot enable the $c controller" >&2
    done

    mount -t devtmpfs -o nosuid devtmpfs $n/dev
    mkdir -p $n/dev/pts $n/dev/shm $n/dev/mqueue
    mount -t devpts -o nosuid,noexec,gid=5,mode=0620,ptmxmode=0666 devpts $n/dev/pts
    mount -t tmpfs -o nosuid,nodev,mode=1777 shm $n/dev/shm
    mount -t mqueue -o nosuid,nodev,noexec mqueue $n/dev/mqueue
    # devtmpfs has no /dev/fd & co.; shells and many scripts use them.
    ln -sf /proc/self/fd $n/dev/fd
    ln -sf /proc/self/fd/0 $n/dev/stdin
    ln -sf /proc/self/fd/1 $n/dev/stdout
    ln -sf /proc/self/fd/2 $n/dev/stderr
    mount -t tmpfs -o nosuid,nodev,mode=1777 tmpfs $n/tmp
    mount -t tmpfs -o nosuid,nodev,mode=0755 tmpfs $n/run

    # Our own tools in the new root: busybox and this script, for stage 2.
    mkdir -p $n/run/berth-vm/io $n/run/berth-vm/bin
    cp /bin/busybox /init $n/run/berth-vm/
    mount --move /io $n/run/berth-vm/io

    # The guest kernel's modules at /lib/modules/VERSION, so that
    # `busybox modprobe` (and the kernel's own module requests, see stage 2)
    # can load modules the initramfs did not.
    VERSION=$(cat /VERSION)
    mkdir -p "$n/lib/modules/$VERSION"
    mount -t 9p -o "ro,$p9,cache=loose" modules "$n/lib/modules/$VERSION" ||
        echo "guest-init: cannot mount the modules share" >&2

    # The read-write shares (the checkout) at the same absolute paths as on
    # the host. cache=mmap: no page cache for data, so what the guest writes
    # is on the host at once, but mmap works (the Swift test runner and
    # linkers need it).
    echo "$SHARES" | while read -r tag path; do
        [ -n "$tag" ] || continue
        mkdir -p "$n$path"
        mount -t 9p -o "$p9,cache=mmap" "$tag" "$n$path" || die "cannot mount $path"
    done

    ip link set lo up
    hostname berth-vm

    umount /proc /sys
    umount /dev 2>/dev/null || true
    # shellcheck disable=SC2093  # switch_root returns only when it failed
    exec switch_root /newroot /run/berth-vm/busybox sh /run/berth-vm/init stage2
    die "switch_root failed"
}

# The /dev node of the virtio-serial port named NAME (no udev to make
# /dev/virtio-ports/NAME links).
port() {
    for f in /sys/class/virtio-ports/*/name; do
        if [ "$($bb cat "$f")" = "$1" ]; then
            d=${f%/name}
            echo "/dev/${d##*/}"
            return 0
        fi
    done
    return 1
}

stage2() {
    bb=/run/berth-vm/busybox
    io=/run/berth-vm/io

    # Module requests from the kernel (e.g. for a filesystem or netfilter
    # module a test needs) go to `busybox modprobe`; the host has no kmod.
    $bb ln -sf $bb /run/berth-vm/bin/modprobe
    echo /run/berth-vm/bin/modprobe >/proc/sys/kernel/modprobe

    out=$(port berth.stdout) || die "no berth.stdout port"
    err=$(port berth.stderr) || die "no berth.stderr port"

    # The command in the background, PID 1 (this shell) waiting for it: the
    # shell reaps every child while it waits, so processes orphaned by the
    # command (a detached container's init, say) do not stay zombies.
    # env -i: the command gets only what run-in-guest.sh put in io/cmd.
    # The host's /bin/sh, not busybox's: Debian's busybox prefers its own
    # applets to the programs in PATH, and the command must see the host's.
    $bb env -i /bin/sh $io/cmd </dev/null >"$out" 2>"$err" &
    wait $!
    rc=$?

    echo "$rc" >$io/rc.tmp && $bb mv $io/rc.tmp $io/rc
    $bb sync
    $bb poweroff -f
    # With -no-reboot qemu exits on a reboot too, should poweroff fail.
    $bb reboot -f
}

case ${1:-} in
    stage2) stage2 ;;
    *) stage1 ;;
esac
