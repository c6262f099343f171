#!/bin/sh
# What the local driver's snapshot tests need on a fresh Debian 12 machine: mkfs.xfs, to make a small
# XFS with reflinks on a loop device (the local driver snapshots only where files can be cloned).
# Idempotent: does nothing when it is there. Needs root (as does mounting the loop device).
set -eu
. "$(dirname "$0")/../lib/debian-packages.sh"
install_packages xfsprogs
