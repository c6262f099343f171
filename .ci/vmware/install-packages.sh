#!/bin/sh
# Installs the Debian 12 packages the VMware driver's tests need to build their peer:
# govmomi's vSphere API simulator (vcsim) is only packaged as a Go library, so the tests
# compile a small Go main against it offline (golang-go + golang-github-vmware-govmomi-dev).
# Idempotent: does nothing when everything is already installed. Needs root.
set -eu

PACKAGES="golang-go golang-github-vmware-govmomi-dev"

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
