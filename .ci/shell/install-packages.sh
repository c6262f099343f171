#!/bin/sh
# What the release's shell-file tests need on a fresh Debian 12 machine: bash (there), zsh to load
# the completion script through bashcompinit, and man (man-db) to render the man pages.
# Idempotent: does nothing when everything is there. Needs root.
set -eu
command -v zsh >/dev/null 2>&1 && command -v man >/dev/null 2>&1 && command -v col >/dev/null 2>&1 && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "install-packages.sh: zsh or man is missing (apt-get install zsh man-db bsdextrautils, as root)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive DEBCONF_NOWARNINGS=yes
apt_get() { apt-get -q -o DPkg::Lock::Timeout=600 "$@"; }
apt_get install -y --no-install-recommends zsh man-db bsdextrautils >/dev/null 2>&1 \
    || { apt_get update -qq >/dev/null && apt_get install -y --no-install-recommends zsh man-db bsdextrautils >/dev/null; }
