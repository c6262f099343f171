#!/bin/sh
# Runs the KVM driver's two test tiers on this machine, as CI does (.ci/run runs the whole
# build): installs the Debian packages (root), then the drivers/kvm tests with CI=true so a
# skipped live tier fails, and prints the per-operation timings the live tests measured.
#   fast tier: the contract kit on libvirt's test hypervisor (KvmTestHypervisorContractTest, KvmTestNodeFileTest)
#   live tier: a session libvirtd as nobody + QEMU guests v1/v2 (KvmLive*, KvmZeroCopyUpgradeLiveTest, ...)
set -eu
cd "$(dirname "$0")/../.."
start=$(date +%s)
sh .ci/kvm/install-packages.sh
echo "== packages ready after $(( $(date +%s) - start )) s"
CI=true ./mvnw -q -B install -pl api,drivers/tck -DskipTests
CI=true ./mvnw -B install -pl drivers/kvm "$@"
grep -h 'KVM live' drivers/kvm/target/surefire-reports/*-output.txt || true
echo "== KVM tiers done in $(( $(date +%s) - start )) s"
