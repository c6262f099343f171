#!/bin/sh
# What the hostile-input tests need on a fresh Debian 12 machine: a second, unprivileged local
# user to attack from (the tests run the attacker as 'nobody' through setpriv, from util-linux),
# and Debian's psql client, which that user runs against the embedded PostgreSQL.
# Idempotent: does nothing when everything is there. Needs root.
set -eu

id nobody >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin nobody
getent group nogroup >/dev/null 2>&1 || groupadd --system nogroup
command -v setpriv >/dev/null 2>&1 || { echo "install-packages.sh: setpriv (util-linux) is missing" >&2; exit 1; }

command -v psql >/dev/null 2>&1 && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "install-packages.sh: psql is missing (apt-get install postgresql-client, as root)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive DEBCONF_NOWARNINGS=yes
apt_get() { apt-get -q -o DPkg::Lock::Timeout=600 "$@"; }
apt_get install -y --no-install-recommends postgresql-client >/dev/null 2>&1 \
    || { apt_get update -qq >/dev/null && apt_get install -y --no-install-recommends postgresql-client >/dev/null; }
