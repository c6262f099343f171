#!/bin/sh
# Installs the Debian 12 packages the VMware driver's tests need to build their peer:
# govmomi's vSphere API simulator (vcsim) is only packaged as a Go library, so the tests
# compile a small Go main against it offline (golang-go + golang-github-vmware-govmomi-dev).
# Idempotent: does nothing when everything is already installed. Needs root.
set -eu
. "$(dirname "$0")/../lib/debian-packages.sh"
install_packages golang-go golang-github-vmware-govmomi-dev
