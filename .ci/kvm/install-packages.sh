#!/bin/sh
# Installs the Debian 12 packages the KVM driver's live test tier needs:
# libvirtd + the QEMU driver (run in session mode as nobody, QEMU in TCG emulation),
# qemu-img for volumes, busybox-static for the guest's initramfs, OVMF for the UEFI
# variable store template, libvirt0 (the native library libvirt-java loads by JNA), and
# xfsprogs: the snapshot tests put a pool on a small XFS with reflinks (a loop mount).
# Idempotent: does nothing when everything is already installed. Needs root.
set -eu

PACKAGES="libvirt0 libvirt-clients libvirt-daemon libvirt-daemon-driver-qemu \
qemu-system-x86 qemu-utils busybox-static ovmf xz-utils xfsprogs"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
    echo "install-packages.sh: missing packages:$missing (run as root)" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive DEBCONF_NOWARNINGS=yes
apt_get() { apt-get -q -o DPkg::Lock::Timeout=600 "$@"; }

# Update the package lists only when needed: when a package is unknown to them, or when
# installing from them fails (stale lists name versions the mirror no longer has).
if ! apt-cache show $missing >/dev/null 2>&1; then
    apt_get update -qq >/dev/null
fi
if ! apt_get install -y -qq --no-install-recommends $missing >/dev/null; then
    apt_get update -qq >/dev/null
    apt_get install -y -qq --no-install-recommends $missing >/dev/null
fi
