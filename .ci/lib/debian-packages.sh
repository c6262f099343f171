# Sourced by the .ci/*/install-packages.sh scripts: installs Debian 12 packages a test tier needs.
# install_packages PKG...: does nothing when every package is installed; otherwise needs root,
# waits for another apt's lock (CI installs OpenStack beside the build), and updates the package
# lists only when needed: when a package is unknown to them, or when installing from them fails
# (stale lists name versions the mirror no longer has).
install_packages() {
    missing=""
    for p in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
            missing="$missing $p"
        fi
    done
    [ -z "$missing" ] && return 0
    if [ "$(id -u)" != 0 ]; then
        echo "install-packages.sh: missing packages:$missing (run as root)" >&2
        return 1
    fi
    export DEBIAN_FRONTEND=noninteractive DEBCONF_NOWARNINGS=yes
    # shellcheck disable=SC2086 # the package list is meant to split
    if ! apt-cache show $missing >/dev/null 2>&1; then
        apt-get -q -o DPkg::Lock::Timeout=600 update -qq >/dev/null
    fi
    # shellcheck disable=SC2086
    if ! apt-get -q -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $missing >/dev/null; then
        apt-get -q -o DPkg::Lock::Timeout=600 update -qq >/dev/null
        apt-get -q -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $missing >/dev/null
    fi
}
