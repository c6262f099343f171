#!/bin/sh
# Installs the Debian 12 packages the OpenStack driver's tests start their peer from: an
# OpenStack Zed subset (Keystone, Glance, Placement, Neutron API, Nova without nova-compute,
# Cinder) plus MariaDB and RabbitMQ. nova-compute is left out on purpose: it pulls KVM; the
# tests run Nova's compute service from python3-nova with the fake driver instead.
# The packaged services must not start at install time (the tests start their own copies on
# 127.0.0.1 with state in a temporary folder), so a policy-rc.d that refuses every start is
# put in place for the install when the machine has none.
# Idempotent and quiet: does nothing when everything is already installed. Needs root.
set -eu

PACKAGES="keystone glance-api placement-api nova-api nova-conductor nova-scheduler python3-nova \
cinder-api cinder-scheduler cinder-volume rabbitmq-server mariadb-server python3-pymysql \
python3-openstackclient neutron-api neutron-rpc-server uwsgi-core uwsgi-plugin-python3"

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

policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod 755 "$policy"
    trap 'rm -f "$policy"' EXIT INT TERM
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
