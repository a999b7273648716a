#!/bin/sh
# prepare-assets.sh — make the kernel and initramfs of the cgroup-v2 test guest.
#
# The development and CI machines have a hybrid cgroup layout, so real
# cgroup v2 limits can only be tested inside a guest kernel (see vm/README.md).
# This script makes everything vm/run-in-guest.sh boots, under vm-assets/
# (ignored by git, cached between runs):
#
#   vm-assets/VERSION        the guest kernel's version, e.g. 6.1.0-56-amd64
#   vm-assets/vmlinux        the uncompressed kernel (booted directly via PVH)
#   vm-assets/initramfs.cpio busybox-static + the modules the guest needs + /init
#   vm-assets/linux/         the kernel .deb extracted with dpkg-deb -x,
#                            with a modules.dep made by `busybox depmod`
#
# It is idempotent: when the assets exist and vm/guest-init.sh has not
# changed since the initramfs was built, it only checks and exits (< 1 s,
# without asking apt anything). `--refresh` re-resolves the kernel package
# (to pick up a newer Debian kernel ABI) and rebuilds everything.
#
# Needs root (apt-get install) the first time; downloads only from Debian's
# mirrors.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
assets=${BERTH_VM_ASSETS:-$repo/vm-assets}
init_script=$here/guest-init.sh

# The modules the initramfs loads, in dependency order (measured; see
# /work/shared/notes/cgroup-v2-guest.md): virtio transport, the two
# virtio-serial ports for output, virtio-blk for the io.max disk, 9p for the
# shared host root and checkout, overlay for the writable root.
MODULES="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci
virtio_console virtio_blk netfs fscache 9pnet 9pnet_virtio 9p overlay"

refresh=no
case ${1:-} in
    --refresh) refresh=yes ;;
    "") ;;
    *) echo "usage: $0 [--refresh]" >&2; exit 2 ;;
esac

log() { echo "prepare-assets: $*" >&2; }

# --- fast path: everything is there and up to date --------------------------
# shellcheck disable=SC3013  # -nt: dash (Debian's /bin/sh) and busybox sh have it
up_to_date() {
    [ -s "$assets/VERSION" ] && [ -s "$assets/vmlinux" ] && [ -s "$assets/initramfs.cpio" ] &&
        [ -d "$assets/linux/lib/modules/$(cat "$assets/VERSION")" ] &&
        # Rebuild the initramfs when its /init changed (make-style mtime check).
        [ ! "$init_script" -nt "$assets/initramfs.cpio" ] &&
        [ ! "$0" -nt "$assets/initramfs.cpio" ] &&
        command -v qemu-system-x86_64 >/dev/null 2>&1 && [ -x /bin/busybox ]
}
if [ $refresh = no ] && up_to_date; then
    exit 0
fi

# --- host packages -----------------------------------------------------------
# qemu-system-x86 runs the guest; busybox-static is the initramfs's userland;
# cpio packs it; xz-utils unpacks the kernel (and .ko.xz modules if any).
missing=""
for p in qemu-system-x86 busybox-static cpio xz-utils; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
        missing="$missing $p"
done
apt_updated=no
apt_update_if_needed() {
    # Only when the package lists are missing or do not know the package:
    # apt-get update costs seconds and network.
    if [ $apt_updated = no ] && ! apt-cache show "$1" >/dev/null 2>&1; then
        log "apt-get update"
        apt-get update -q >&2
        apt_updated=yes
    fi
}
if [ -n "$missing" ]; then
    for p in $missing; do apt_update_if_needed "$p"; done
    log "installing:$missing"
    # shellcheck disable=SC2086  # a list of package names, one word each
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >&2
fi

mkdir -p "$assets"
tmp=$(mktemp -d "$assets/.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- the kernel package --------------------------------------------------------
# linux-image-amd64 is a metapackage; its one dependency is the versioned
# image, e.g. linux-image-6.1.0-56-amd64. The generic flavour, not -cloud-,
# because only the generic one has 9p.
if [ $refresh = yes ] || [ ! -s "$assets/VERSION" ]; then
    apt_update_if_needed linux-image-amd64
    pkg=$(apt-cache depends linux-image-amd64 | sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n 1)
    [ -n "$pkg" ] || { log "cannot resolve the dependency of linux-image-amd64"; exit 1; }
    version=${pkg#linux-image-}
else
    version=$(cat "$assets/VERSION")
    pkg=linux-image-$version
fi

if [ ! -d "$assets/linux/lib/modules/$version" ]; then
    log "downloading $pkg"
    (cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "$pkg" >&2)
    log "extracting $pkg"
    rm -rf "$assets/linux"
    dpkg-deb -x "$tmp"/"$pkg"_*.deb "$tmp/linux"
    # The .deb ships no modules.dep and kmod is not installed: busybox makes
    # one (plus modules.alias/.symbols), so `busybox modprobe` works in the
    # guest for modules the initramfs does not load.
    /bin/busybox depmod -b "$tmp/linux" "$version"
    mv "$tmp/linux" "$assets/linux"
    rm -f "$assets/vmlinux" "$assets/initramfs.cpio"
fi
kroot=$assets/linux
mdir=$kroot/lib/modules/$version

# --- the uncompressed kernel ----------------------------------------------------
# qemu can boot an ELF vmlinux directly through its PVH entry point, which
# skips the bzImage's real-mode setup and self-decompression: ~4 s less per
# boot under TCG. The bzImage's payload is an xz stream: find its magic
# (FD 37 7A 58 5A 00) and decompress from there; xz stops at the stream's end
# and complains about the trailing bytes, which is fine if an ELF came out.
if [ ! -s "$assets/vmlinux" ]; then
    bz=$kroot/boot/vmlinuz-$version
    offset=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$bz" | head -n 1 | cut -d: -f1)
    [ -n "$offset" ] || { log "no xz stream in $bz"; exit 1; }
    tail -c +"$((offset + 1))" "$bz" | xz -dc >"$tmp/vmlinux" 2>/dev/null || true
    if [ "$(head -c 4 "$tmp/vmlinux" | od -An -c | tr -d ' ')" != '177ELF' ]; then
        log "the payload of $bz is not an ELF"
        exit 1
    fi
    mv "$tmp/vmlinux" "$assets/vmlinux"
fi

# --- the initramfs --------------------------------------------------------------
# busybox-static (its applets are linked at boot by /init), the modules in
# load order (decompressed if Debian ships them as .ko.xz: insmod of an
# uncompressed file needs no decompression support), and /init.
build_initramfs() {
    root=$tmp/initramfs
    mkdir -p "$root/bin" "$root/lib/modules" "$root/proc" "$root/sys" "$root/dev" \
             "$root/newroot" "$root/lower" "$root/rw"
    cp /bin/busybox "$root/bin/busybox"
    cp "$init_script" "$root/init"
    chmod 0755 "$root/init"
    : >"$root/lib/modules/order"
    for m in $MODULES; do
        f=$(find "$mdir/kernel" -name "$m.ko" -o -name "$m.ko.xz" -o -name "$m.ko.zst" | head -n 1)
        if [ -z "$f" ]; then
            # Not a module: it must be built into this kernel.
            if grep -q "/$m.ko\$" "$mdir/modules.builtin"; then
                continue
            fi
            log "module $m is neither in $mdir nor built in"
            exit 1
        fi
        case $f in
            *.xz) xz -dc "$f" >"$root/lib/modules/$m.ko" ;;
            *.zst) zstd -qdc "$f" >"$root/lib/modules/$m.ko" ;;
            *) cp "$f" "$root/lib/modules/$m.ko" ;;
        esac
        echo "$m" >>"$root/lib/modules/order"
    done
    echo "$version" >"$root/VERSION"
    # Uncompressed: the kernel unpacks it faster than a gzip one under TCG,
    # and it is only a few MB.
    (cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$tmp/initramfs.cpio"
    mv "$tmp/initramfs.cpio" "$assets/initramfs.cpio"
}
build_initramfs

echo "$version" >"$assets/VERSION.new"
mv "$assets/VERSION.new" "$assets/VERSION"
log "ready: kernel $version in $assets"
