#!/bin/sh
# Runs the KVM driver's two test tiers on this machine, as CI does (.ci/run runs the whole
# build): installs the Debian packages (root), then the drivers/kvm tests with CI=true so a
# skipped live tier fails, and prints the per-operation timings the live tests measured.
#   fast tier: the contract kit on libvirt's test hypervisor (KvmTestHypervisorContractTest, KvmTestNodeFileTest)
#   live tier: a session libvirtd as nobody + QEMU guests v1/v2 (KvmLive*, KvmZeroCopyUpgradeLiveTest,
#              KvmPairUpgradeLiveTest: the engine's RollingUpgrade on a pair of guests,
#              KvmUefiPairUpgradeLiveTest: the same with OVMF guests keeping their NVRAM,
#              KvmNvramRangedUploadLiveTest: NVRAM patches by ranged upload, with timings, ...)
# then the CLI against a real libvirtd (cli: KvmCliLiveTest).
set -eu
cd "$(dirname "$0")/../.."
start=$(date +%s)
sh .ci/kvm/install-packages.sh
echo "== packages ready after $(( $(date +%s) - start )) s"
# -am: what drivers/kvm needs from this checkout (api, the contract kit, and the engine its
# end-to-end upgrade test drives), so a fresh machine needs nothing in ~/.m2 beforehand.
CI=true ./mvnw -q -B install -pl drivers/kvm -am -DskipTests
CI=true ./mvnw -B install -pl drivers/kvm "$@"
grep -h 'KVM live' drivers/kvm/target/surefire-reports/*-output.txt || true
CI=true ./mvnw -q -B install -pl cli -am -DskipTests
CI=true ./mvnw -B install -pl cli -Dtest=KvmCliLiveTest -Dsurefire.failIfNoSpecifiedTests=false
echo "== KVM tiers done in $(( $(date +%s) - start )) s"
