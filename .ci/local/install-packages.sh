#!/bin/sh
# What the local driver's snapshot tests need on a fresh Debian 12 machine: mkfs.xfs, to make a small
# XFS with reflinks on a loop device (the local driver snapshots only where files can be cloned).
# Idempotent: does nothing when it is there. Needs root (as does mounting the loop device).
set -eu
command -v mkfs.xfs >/dev/null 2>&1 && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "install-packages.sh: mkfs.xfs is missing (apt-get install xfsprogs, as root)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive DEBCONF_NOWARNINGS=yes
apt_get() { apt-get -q -o DPkg::Lock::Timeout=600 "$@"; }
apt_get install -y --no-install-recommends xfsprogs >/dev/null 2>&1 \
    || { apt_get update -qq >/dev/null && apt_get install -y --no-install-recommends xfsprogs >/dev/null; }
