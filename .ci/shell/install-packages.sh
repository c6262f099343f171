#!/bin/sh
# What the release's shell-file tests need on a fresh Debian 12 machine: bash (there), zsh to load
# the completion script through bashcompinit, and man (man-db, with col from bsdextrautils) to
# render the man pages. Idempotent: does nothing when everything is there. Needs root.
set -eu
. "$(dirname "$0")/../lib/debian-packages.sh"
install_packages zsh man-db bsdextrautils
