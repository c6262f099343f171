#!/bin/sh
# Builds the KVM driver's test guest from Debian packages into OUTDIR:
#
#   OUTDIR/v1/{vmlinuz,initrd.img,cmdline}   "software v1": writes a marker to its database disk
#   OUTDIR/v2/{vmlinuz,initrd.img,cmdline}   "software v2": reads the marker back
#
# Each version folder is an image source for the KVM driver (a direct-boot kernel + initrd).
# The kernel is Debian's cloud kernel (apt-get download + dpkg-deb -x, cached in OUTDIR/cache);
# the initramfs is busybox-static plus the few kernel modules the guest needs. The guest prints
# to its serial console (ttyS0), which the driver sends to a <serial type='file'> log:
#
#   DUPLEX version=v1 marker=<marker>       (v1, after writing "DUPLEX-MARKER <marker>" at offset 0)
#   DUPLEX version=v2 marker=<marker>       (v2, the marker it read at offset 0)
#   DUPLEX ready                            (both, then idle until the ACPI power button)
#
# v1 takes its marker from the kernel command line (duplex.marker=...) or makes one up. The
# database disk is the virtio disk whose serial is duplex.db=... (default "vdb", the driver sets
# a disk's serial to its link's mount path), else the first virtio disk.
#
# Idempotent and cached: when OUTDIR already holds a build made by this same script, it does
# nothing. Needs busybox-static, cpio-free (uses busybox cpio), apt-get and dpkg-deb.
set -eu

OUT=${1:?usage: build-guest.sh OUTDIR}
SELF=$(readlink -f "$0")
STAMP=$(sha256sum "$SELF" | cut -c1-16)
BUSYBOX=/bin/busybox
MODULES="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_blk button evdev"

if [ -f "$OUT/.built-$STAMP" ] && [ -f "$OUT/v1/initrd.img" ] && [ -f "$OUT/v2/initrd.img" ]; then
    exit 0
fi
[ -x "$BUSYBOX" ] || { echo "build-guest.sh: $BUSYBOX missing (install busybox-static)" >&2; exit 1; }

umask 022
mkdir -p "$OUT/cache"
chmod 755 "$OUT" "$OUT/cache"

# 1. The cloud kernel: the package the linux-image-cloud-amd64 meta-package depends on now.
kernel_package() {
    apt-cache depends linux-image-cloud-amd64 2>/dev/null \
        | awk '/Depends: linux-image-[0-9].*-cloud-amd64$/ {print $2; exit}'
}
PKG=$(kernel_package || true)
if [ -z "$PKG" ]; then
    apt-get -q -o DPkg::Lock::Timeout=600 update -qq >/dev/null
    PKG=$(kernel_package)
fi
DEB=$(ls "$OUT/cache/${PKG}"_*.deb 2>/dev/null | head -n1 || true)
if [ -z "$DEB" ]; then
    # apt-get download warns that _apt cannot write here and downloads as root: harmless
    (cd "$OUT/cache" && apt-get -q download "$PKG" >/dev/null 2>&1) || true
    if [ -z "$(ls "$OUT/cache/${PKG}"_*.deb 2>/dev/null)" ]; then
        apt-get -q -o DPkg::Lock::Timeout=600 update -qq >/dev/null
        PKG=$(kernel_package)
        (cd "$OUT/cache" && apt-get -q download "$PKG" >/dev/null 2>&1)
    fi
    DEB=$(ls "$OUT/cache/${PKG}"_*.deb | head -n1)
fi
KROOT="$OUT/cache/kernel"
rm -rf "$KROOT"
dpkg-deb -x "$DEB" "$KROOT"
KVER=$(ls "$KROOT/lib/modules" | head -n1)
VMLINUZ="$KROOT/boot/vmlinuz-$KVER"

# 2. Modules: copy (and decompress) the ones that are modules in this kernel; built-in ones
#    (the virtio core in 6.12) are skipped. The guest loads them in the order of MODULES.
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$STAGE/base/lib/modules" "$STAGE/base/bin" "$STAGE/base/etc"
: > "$STAGE/base/etc/modules"
for m in $MODULES; do
    f=$(find "$KROOT/lib/modules/$KVER" -name "$m.ko" -o -name "$m.ko.xz" -o -name "$m.ko.zst" | head -n1)
    [ -n "$f" ] || continue
    case "$f" in
        *.xz) xz -dc "$f" > "$STAGE/base/lib/modules/$m.ko" ;;
        *.zst) zstd -qdc "$f" > "$STAGE/base/lib/modules/$m.ko" ;;
        *) cp "$f" "$STAGE/base/lib/modules/$m.ko" ;;
    esac
    echo "$m" >> "$STAGE/base/etc/modules"
done
cp "$BUSYBOX" "$STAGE/base/bin/busybox"

cat > "$STAGE/base/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox mkdir -p /proc /sys /dev /tmp /sbin /usr/bin /usr/sbin
/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s
mount -t sysfs sysfs /sys
mount -t devtmpfs dev /dev
exec >/dev/ttyS0 2>&1
VERSION=$(cat /etc/duplex-version)
echo "DUPLEX boot version=$VERSION kernel=$(uname -r)"
for m in $(cat /etc/modules); do insmod /lib/modules/$m.ko 2>/dev/null; done

arg() { for a in $(cat /proc/cmdline); do case "$a" in "$1="*) echo "${a#*=}"; return;; esac; done; echo "$2"; }
WANT=$(arg duplex.db vdb)
DB=""
# virtio_blk probes the disks as it loads; give their sysfs entries up to 3 s to appear.
i=0
while [ $i -lt 30 ] && ! ls /sys/block/vd* >/dev/null 2>&1; do i=$((i + 1)); sleep 0.1; done
for s in /sys/block/vd*/serial; do
    [ -f "$s" ] && [ "$(cat "$s")" = "$WANT" ] && DB=/dev/$(basename "$(dirname "$s")")
done
if [ -z "$DB" ]; then
    for d in /sys/block/vd*; do [ -e "$d" ] && DB=/dev/$(basename "$d") && break; done
fi
i=0
while [ -n "$DB" ] && [ ! -b "$DB" ] && [ $i -lt 50 ]; do i=$((i + 1)); sleep 0.1; done

if [ -z "$DB" ]; then
    echo "DUPLEX version=$VERSION error=no-database-disk"
elif [ "$VERSION" = v1 ]; then
    MARKER=$(arg duplex.marker "marker-$(cat /proc/sys/kernel/random/uuid)")
    printf 'DUPLEX-MARKER %s\n' "$MARKER" | dd of="$DB" bs=512 count=1 conv=sync,notrunc 2>/dev/null
    sync
    echo "DUPLEX version=v1 marker=$MARKER disk=$DB"
else
    LINE=$(dd if="$DB" bs=512 count=1 2>/dev/null | tr -d '\000' | head -n1)
    case "$LINE" in
        "DUPLEX-MARKER "*) echo "DUPLEX version=$VERSION marker=${LINE#DUPLEX-MARKER } disk=$DB" ;;
        *) echo "DUPLEX version=$VERSION marker=none disk=$DB" ;;
    esac
fi
echo "DUPLEX ready"

# Power off on the ACPI power button (virsh shutdown): any event on the "Power Button" input
# device (button.ko makes it, evdev.ko gives it a /dev/input/event node; evdev refuses reads smaller than one event, hence bs=64). Other input devices
# (the PS/2 mouse) send events at start, so they are not watched.
for n in /sys/class/input/event*/device/name; do
    case "$(cat "$n" 2>/dev/null)" in
        "Power Button"*)
            e=/dev/input/$(basename "$(dirname "$(dirname "$n")")")
            (while :; do
                 [ -c "$e" ] && [ "$(dd if="$e" bs=64 count=1 2>/dev/null | wc -c)" -gt 0 ] && break
                 sleep 0.2
             done; echo "DUPLEX power-button $e"; touch /tmp/poweroff) & ;;
    esac
done
while [ ! -e /tmp/poweroff ]; do sleep 0.2; done
echo "DUPLEX poweroff version=$VERSION"
sync
poweroff -f
INIT
chmod 755 "$STAGE/base/init"

# 3. One initramfs per software version; each version folder is self-contained.
for v in v1 v2; do
    rm -rf "$STAGE/$v"
    cp -a "$STAGE/base" "$STAGE/$v"
    echo "$v" > "$STAGE/$v/etc/duplex-version"
    mkdir -p "$OUT/$v"
    (cd "$STAGE/$v" && find . | "$BUSYBOX" cpio -o -H newc 2>/dev/null | gzip -1) > "$OUT/$v/initrd.img.tmp"
    mv "$OUT/$v/initrd.img.tmp" "$OUT/$v/initrd.img"
    cp "$VMLINUZ" "$OUT/$v/vmlinuz"
    echo "console=ttyS0 panic=-1 quiet" > "$OUT/$v/cmdline"
    chmod 755 "$OUT/$v"
    chmod 644 "$OUT/$v/initrd.img" "$OUT/$v/vmlinuz" "$OUT/$v/cmdline"
done
rm -rf "$KROOT"
rm -f "$OUT"/.built-*
echo "$KVER" > "$OUT/.built-$STAMP"
