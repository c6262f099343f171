#!/bin/sh
# What the bench module's tests need on a fresh Debian 12 machine: Python 3 with its full
# standard library (the light application of the real-fleet benchmark imports http.server,
# http.client, hashlib), not only python3-minimal. Idempotent; needs root to install.
set -eu
. "$(dirname "$0")/../lib/debian-packages.sh"
install_packages python3
