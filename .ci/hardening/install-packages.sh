#!/bin/sh
# What the hostile-input tests need on a fresh Debian 12 machine: a second, unprivileged local
# user to attack from (the tests run the attacker as 'nobody' through setpriv, from util-linux),
# and Debian's psql client, which that user runs against the embedded PostgreSQL.
# Idempotent: does nothing when everything is there. Needs root.
set -eu

id nobody >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin nobody
getent group nogroup >/dev/null 2>&1 || groupadd --system nogroup
command -v setpriv >/dev/null 2>&1 || { echo "install-packages.sh: setpriv (util-linux) is missing" >&2; exit 1; }

. "$(dirname "$0")/../lib/debian-packages.sh"
install_packages postgresql-client
