#!/bin/sh
# Installs the Debian 12 packages the KVM driver's live test tier needs:
# libvirtd + the QEMU driver (run in session mode as nobody, QEMU in TCG emulation),
# qemu-img for volumes, busybox-static for the guest's initramfs, OVMF for the UEFI
# variable store template, libvirt0 (the native library libvirt-java loads by JNA), and
# xfsprogs: the snapshot tests put a pool on a small XFS with reflinks (a loop mount).
# Idempotent: does nothing when everything is already installed. Needs root.
set -eu
. "$(dirname "$0")/../lib/debian-packages.sh"
install_packages libvirt0 libvirt-clients libvirt-daemon libvirt-daemon-driver-qemu \
    qemu-system-x86 qemu-utils busybox-static ovmf xz-utils xfsprogs
