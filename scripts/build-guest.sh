#!/usr/bin/env bash
# Builds Flotilla's test guest under build/guest/ of the repository:
#   vmlinux        the same kernel uncompressed (ELF, boots by PVH: much faster -kernel under TCG)
#   vmlinuz        Debian's linux-image-6.1.0-*-amd64 kernel (unpacked with dpkg-deb, not installed)
#   initramfs.gz   busybox-static + /init (scripts/guest/init) + virtio/button/evdev modules
#                  + flotilla-guest (scripts/guest/flotilla-guest.c, gcc -static)
#   disk.img       a raw, BIOS-bootable disk (FAT + syslinux) holding the same kernel and
#                  initramfs, default command line "console=ttyS0 quiet" (idle mode)
#   cmdline        the recommended kernel command line for -append
#
# Usage: scripts/build-guest.sh [--force] [--no-disk] [--refresh]
#   --force    rebuild everything (reusing downloaded packages)
#   --refresh  look up the current kernel package again (otherwise the cached .deb is reused)
#   --no-disk  skip disk.img
# Idempotent: when the inputs have not changed it only prints where things are.
# Downloaded packages are cached in build/guest/cache/.
set -euo pipefail

die() { echo "build-guest: ERROR: $*" >&2; exit 1; }
log() { echo "build-guest: $*" >&2; }

FORCE=0 REFRESH=0 DISK=1
for a in "$@"; do
    case "$a" in
        --force) FORCE=1 ;;
        --refresh) REFRESH=1 ;;
        --no-disk) DISK=0 ;;
        -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
        *) die "unknown option $a (see --help)" ;;
    esac
done

SCRIPTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$SCRIPTS/.." && pwd)
SRC=$SCRIPTS/guest
OUT=$REPO/build/guest
CACHE=$OUT/cache
mkdir -p "$OUT" "$CACHE"

report() {
    echo "kernel:    $OUT/vmlinux (uncompressed ELF with PVH note: fastest -kernel under TCG)"
    echo "           $OUT/vmlinuz (bzImage, $(cat "$OUT/kernel-version"))"
    echo "initramfs: $OUT/initramfs.gz"
    [ -f "$OUT/disk.img" ] && echo "disk:      $OUT/disk.img (raw, BIOS/syslinux boot)"
    echo "cmdline:   $(cat "$OUT/cmdline")"
    echo "example:   qemu-system-x86_64 -nodefaults -no-user-config -accel tcg -display none -m 128 \\"
    echo "             -kernel $OUT/vmlinux -initrd $OUT/initramfs.gz \\"
    echo "             -append '$(cat "$OUT/cmdline") flotilla.mode=idle' -serial stdio \\"
    echo "             -device virtio-balloon-pci"
}

# Everything that determines the output, except the kernel package (tracked separately).
inputs_hash() {
    { cat "$0" "$SRC/init" "$SRC/modules" "$SRC/flotilla-guest.c" "$SRC/acpi/PWRF-00000080";
      echo "disk=$DISK"; command -v busybox; busybox 2>/dev/null | awk 'NR == 1'; } | sha256sum | cut -d' ' -f1
}
HASH=$(inputs_hash)
if [ $FORCE = 0 ] && [ $REFRESH = 0 ] && [ -f "$OUT/stamp" ] && [ "$(cat "$OUT/stamp")" = "$HASH" ] \
        && [ -f "$OUT/vmlinuz" ] && [ -f "$OUT/vmlinux" ] && [ -f "$OUT/initramfs.gz" ] && { [ $DISK = 0 ] || [ -f "$OUT/disk.img" ]; }; then
    report
    exit 0
fi
rm -f "$OUT/stamp"

for tool in dpkg-deb cpio gzip xz gcc busybox apt-get; do
    command -v "$tool" >/dev/null || die "$tool is missing (apt-get install busybox-static cpio gcc libc6-dev)"
done
[ -n "$(busybox --list | grep -x acpid)" ] || die "busybox lacks acpid"
ldd "$(command -v busybox)" >/dev/null 2>&1 && die "busybox is dynamically linked; install busybox-static"

# Fetches a Debian package into the cache with apt-get download; prints the .deb path.
fetch_deb() {
    local pkg=$1 deb
    deb=$(ls "$CACHE/${pkg}"_*.deb 2>/dev/null | head -1 || true)
    if [ -z "$deb" ]; then
        deb=$(ls /var/cache/apt/archives/"${pkg}"_*.deb 2>/dev/null | head -1 || true)
        if [ -n "$deb" ]; then cp "$deb" "$CACHE/"; else
            log "downloading $pkg"
            (cd "$CACHE" && apt-get download -o APT::Sandbox::User=root "$pkg" >&2) \
                || die "could not fetch Debian package '$pkg' (apt-get download failed; try apt-get update)"
        fi
        deb=$(ls "$CACHE/${pkg}"_*.deb 2>/dev/null | head -1 || true)
        [ -n "$deb" ] || die "apt-get download $pkg produced no .deb in $CACHE"
    fi
    echo "$deb"
}

# ---- kernel -----------------------------------------------------------------------------
KPKG=
if [ $REFRESH = 0 ]; then
    KPKG=$(cd "$CACHE" && ls linux-image-6.1.0-*-amd64_*.deb 2>/dev/null | sort -V | tail -1 | cut -d_ -f1 || true)
fi
if [ -z "$KPKG" ]; then
    KPKG=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-6\.1\.0-[0-9]+-amd64$/ && !k {k = $2} END {print k}' || true)
    [ -n "$KPKG" ] || KPKG=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64$' 2>/dev/null | awk '{print $1}' | sort -V | tail -1 || true)
    [ -n "$KPKG" ] || die "cannot find a linux-image-6.1.0-*-amd64 package (apt-get update?)"
fi
KDEB=$(fetch_deb "$KPKG")
KVER=${KPKG#linux-image-}
log "kernel package $KPKG ($KDEB)"

WORK=$OUT/work
rm -rf "$WORK"
mkdir -p "$WORK/kernel"
# Only the kernel image and the modules we need.
dpkg-deb --fsys-tarfile "$KDEB" | tar -x -C "$WORK/kernel" --wildcards \
    "./boot/vmlinuz-*" "./lib/modules/$KVER/kernel/drivers/virtio/*" "./lib/modules/$KVER/kernel/drivers/block/virtio_blk.ko*" \
    "./lib/modules/$KVER/kernel/drivers/net/*failover.ko*" "./lib/modules/$KVER/kernel/drivers/net/virtio_net.ko*" \
    "./lib/modules/$KVER/kernel/net/core/failover.ko*" "./lib/modules/$KVER/kernel/drivers/acpi/button.ko*" \
    "./lib/modules/$KVER/kernel/drivers/input/evdev.ko*" "./lib/modules/$KVER/kernel/drivers/misc/pvpanic/*" \
    || die "unpacking $KDEB failed"
cp "$WORK/kernel/boot/vmlinuz-$KVER" "$OUT/vmlinuz.tmp" && mv "$OUT/vmlinuz.tmp" "$OUT/vmlinuz"
echo "$KVER" > "$OUT/kernel-version"
# The bzImage is xz-compressed, and xz decompression under TCG costs ~3.5 s per boot. The kernel
# has CONFIG_PVH, so QEMU can boot the uncompressed ELF vmlinux directly (-kernel vmlinux):
# guest userspace in ~2.8 s instead of ~6.5 s here.
xzoff=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$OUT/vmlinuz" | head -1 | cut -d: -f1 || true)
[ -n "$xzoff" ] || die "no xz payload found in vmlinuz-$KVER (kernel not xz-compressed?)"
# (like the kernel's scripts/extract-vmlinux: xz complains about what follows the stream; the
# ELF check and readelf's PVH note check are what count)
(tail -c +$((xzoff + 1)) "$OUT/vmlinuz" | xz -dcq --single-stream > "$OUT/vmlinux.tmp") 2>/dev/null || true
[ "$(head -c 4 "$OUT/vmlinux.tmp" | tail -c 3)" = ELF ] || die "extracted vmlinux is not an ELF file"
if command -v readelf >/dev/null; then
    readelf -n "$OUT/vmlinux.tmp" | grep -c 'Unknown note type: (0x00000012)' >/dev/null || die "vmlinux has no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY)"
fi
mv "$OUT/vmlinux.tmp" "$OUT/vmlinux"

# ---- initramfs --------------------------------------------------------------------------
R=$WORK/root
mkdir -p "$R"/{bin,sbin,etc/acpi/PWRF,lib/modules,proc,sys,dev,tmp,run,var/log,root}
cp "$(command -v busybox)" "$R/bin/busybox"
for app in $(busybox --list); do
    [ "$app" = busybox ] || ln -sf busybox "$R/bin/$app"
done
while read -r m; do
    [ -n "$m" ] || continue
    f=$(find "$WORK/kernel/lib/modules/$KVER" -name "$m.ko" -o -name "$m.ko.xz" -o -name "$m.ko.zst" -o -name "$m.ko.gz" | awk 'NR == 1' || true)
    [ -n "$f" ] || die "module $m not found in $KPKG"
    case "$f" in
        *.xz) xz -dc "$f" > "$R/lib/modules/$m.ko" ;;
        *.zst) zstd -dcq "$f" > "$R/lib/modules/$m.ko" ;;
        *.gz) gzip -dc "$f" > "$R/lib/modules/$m.ko" ;;
        *) cp "$f" "$R/lib/modules/$m.ko" ;;
    esac
done < "$SRC/modules"
cp "$SRC/modules" "$R/etc/modules"
cp "$SRC/init" "$R/init"
cp "$SRC/acpi/PWRF-00000080" "$R/etc/acpi/PWRF/00000080"
chmod 755 "$R/init" "$R/etc/acpi/PWRF/00000080"
gcc -static -O2 -s -Wall -o "$R/bin/flotilla-guest" "$SRC/flotilla-guest.c" || die "compiling flotilla-guest.c failed (apt-get install gcc libc6-dev)"
(cd "$R" && find . -print0 | sort -z | cpio --null -o -H newc --owner 0:0 --quiet) | gzip -6 > "$OUT/initramfs.gz.tmp"
mv "$OUT/initramfs.gz.tmp" "$OUT/initramfs.gz"
echo "console=ttyS0 quiet panic=-1" > "$OUT/cmdline"

# ---- BIOS-bootable disk (FAT superfloppy + syslinux, no partition table) ------------------
if [ $DISK = 1 ]; then
    T=$WORK/tools
    mkdir -p "$T"
    for p in syslinux syslinux-common mtools; do
        deb=$(fetch_deb "$p")
        dpkg-deb -x "$deb" "$T" || die "unpacking $deb failed"
    done
    export PATH="$T/usr/bin:$PATH"
    IMG=$OUT/disk.img.tmp
    rm -f "$IMG"
    size_mib=$(( ( $(stat -c %s "$OUT/vmlinuz") + $(stat -c %s "$OUT/initramfs.gz") ) / 1048576 + 16 ))
    truncate -s "${size_mib}M" "$IMG"
    export MTOOLS_SKIP_CHECK=1
    mformat -i "$IMG" -T $(( size_mib * 2048 )) -h 64 -s 32 -v FLOTILLA :: || die "mformat failed"
    "$T/usr/bin/syslinux" --install "$IMG" || die "syslinux --install failed"
    cat > "$WORK/syslinux.cfg" <<CFG
DEFAULT flotilla
PROMPT 0
TIMEOUT 0
LABEL flotilla
  KERNEL vmlinuz
  INITRD initrd.gz
  APPEND $(cat "$OUT/cmdline")
CFG
    # syslinux 6 --install also puts ldlinux.c32 there; -o overwrites it with the packaged one anyway
    mcopy -o -i "$IMG" "$OUT/vmlinuz" ::vmlinuz || die "mcopy vmlinuz failed"
    mcopy -o -i "$IMG" "$OUT/initramfs.gz" ::initrd.gz || die "mcopy initrd failed"
    mcopy -o -i "$IMG" "$WORK/syslinux.cfg" ::syslinux.cfg || die "mcopy syslinux.cfg failed"
    mcopy -o -i "$IMG" "$T/usr/lib/syslinux/modules/bios/ldlinux.c32" ::ldlinux.c32 || die "mcopy ldlinux.c32 failed"
    mv "$IMG" "$OUT/disk.img"
fi

rm -rf "$WORK"
echo "$HASH" > "$OUT/stamp"
report
