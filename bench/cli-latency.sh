#!/bin/sh
# CLI latency: wall-clock milliseconds of short commands on an unpacked Duplex tarball, each run
# RUNS times (default 20) against an embedded PostgreSQL that is already running (the state a
# user is in from the second command on), side by side with virsh on libvirt's test driver.
# Prints median and p90 per command. Timings on a loaded machine are noisy; compare on a quiet one.
#
# Usage: bench/cli-latency.sh INSTALL_DIR [RUNS]
#   INSTALL_DIR  the unpacked tarball (holding bin/duplex), e.g. after
#                ./mvnw -o -B -q -pl dist -am package -DskipTests
#                tar xzf dist/target/duplex-*.tar.gz -C /tmp
#   DUPLEX_JAVA_OPTS is passed through (e.g. -Xshare:off to see the archive's share).
set -eu
install=$(cd "$1" && pwd -P)
runs=${2:-20}
duplex="$install/bin/duplex"
[ -x "$duplex" ] || { echo "cli-latency: no bin/duplex under $install; give the unpacked tarball's folder" >&2; exit 2; }

DUPLEX_HOME=$(mktemp -d /tmp/duplex-bench-XXXXXX)
export DUPLEX_HOME
export DUPLEX_DB_IDLE_STOP=PT30M
trap '"$duplex" db stop --force >/dev/null 2>&1 || true; rm -rf "$DUPLEX_HOME"' EXIT

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# A small inventory (one endpoint, two images, volumes and VMs, a pair) so that the lists list something.
setup() {
  "$duplex" endpoint add lab --driver local
  "$duplex" image register kv-1 --endpoint lab --version v1 --source "$install/examples/images/v1"
  "$duplex" volume create db-0 --endpoint lab --size 1GiB
  "$duplex" volume create db-1 --endpoint lab --size 1GiB
  "$duplex" vm create kv-0 --endpoint lab --image kv-1 --link db-0:db -p env.KV_PORT=7000 -p env.ROLE_TOKEN=bench
  "$duplex" vm create kv-1 --endpoint lab --image kv-1 --link db-1:db -p env.KV_PORT=7001 -p env.ROLE_TOKEN=bench
  "$duplex" pair create kv --system0 kv-0 --system1 kv-1 --active 0 \
      --role-controller type=http --role-controller member.kv-0.port=7000 --role-controller member.kv-1.port=7001
}
start=$(now_ms)
setup >"$DUPLEX_HOME/setup.log" 2>&1 || { echo "cli-latency: setting up the inventory failed; see $DUPLEX_HOME/setup.log" >&2; cat "$DUPLEX_HOME/setup.log" >&2; exit 1; }
echo "setup (first command starts the embedded PostgreSQL): $(( $(now_ms) - start )) ms"
# the first command makes the class-data-sharing archive in the background: measure with it
i=0
while [ "$i" -lt 240 ] && ! ls "$install"/lib/duplex-*.jsa "$DUPLEX_HOME"/cds/duplex-*.jsa >/dev/null 2>&1; do
  sleep 1; i=$((i + 1))
done
ls "$install"/lib/duplex-*.jsa "$DUPLEX_HOME"/cds/duplex-*.jsa 2>/dev/null | sed 's/^/archive: /' || echo "archive: none (measuring without)"
"$duplex" db status | grep -q 'server.*running' || { echo "cli-latency: the embedded PostgreSQL is not running after setup" >&2; exit 1; }

# one command, RUNS times; prints "median p90" in ms
measure() {
  i=0
  : > "$DUPLEX_HOME/times"
  while [ "$i" -lt "$runs" ]; do
    t0=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    t1=$(date +%s%N)
    echo $(( (t1 - t0) / 1000000 )) >> "$DUPLEX_HOME/times"
    i=$((i + 1))
  done
  sort -n "$DUPLEX_HOME/times" | awk '{ v[NR] = $1 } END {
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    p = int(0.9 * NR + 0.999999); if (p < 1) p = 1
    printf "%8d %8d\n", m, v[p] }'
}

printf '%-34s %8s %8s\n' "command ($runs runs)" "median" "p90"
row() { label=$1; shift; printf '%-34s %s\n' "$label" "$(measure "$@")"; }
row "duplex --version" "$duplex" --version
row "duplex vm list" "$duplex" vm list
row "duplex pair list" "$duplex" pair list
row "duplex upgrade status kv" "$duplex" upgrade status kv
if command -v virsh >/dev/null 2>&1; then
  row "virsh -c test:///default list" virsh -c test:///default list
else
  printf '%-34s %8s %8s\n' "virsh -c test:///default list" "n/a" "n/a"
fi
echo "(ms, wall clock; java: $(${JAVA_HOME:+$JAVA_HOME/bin/}java -version 2>&1 | head -n 1); load: $(cut -d' ' -f1-3 /proc/loadavg))"
