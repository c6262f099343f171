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
#   DUPLEX_JAVA_OPTS is passed through (e.g. -Xshare:off to see the archive's share, or
#   -Dduplex.internal.debug.startup=true on one command to see its phases on stderr).
#   BENCH_SERVER_URL (optional): also measures the remote transport, 'duplex --server URL ...',
#   against a running 'duplex server' whose inventory holds the same pair 'kv' (set it up there);
#   BENCH_SERVER_OPTS adds options to those commands (e.g. '--token-file FILE'). Not DUPLEX_SERVER_*:
#   duplex reads DUPLEX_SERVER_URL itself (the in-process rows would go remote) and refuses DUPLEX_* names it does not know.
# The cpu column (user + system, median) is less disturbed by a loaded machine than the wall clock;
# it needs /usr/bin/time (Debian package 'time') and shows n/a without it.
set -eu
install=$(cd "$1" && pwd -P)
runs=${2:-20}
duplex="$install/bin/duplex"
[ -x "$duplex" ] || { echo "cli-latency: no bin/duplex under $install; give the unpacked tarball's folder" >&2; exit 2; }

DUPLEX_HOME=$(mktemp -d /tmp/duplex-bench-XXXXXX)
export DUPLEX_HOME
export DUPLEX_DB_IDLE_STOP=PT30M
# the idle watcher may still write its log for a moment after the server stopped: one retry
trap '"$duplex" db stop --force >/dev/null 2>&1 || true; rm -rf "$DUPLEX_HOME" 2>/dev/null || { sleep 3; rm -rf "$DUPLEX_HOME"; }' EXIT

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
# (either place will do: 'ls A B' fails when one of them has none, which waited the whole 240 s)
archived() { ls "$install"/lib/duplex-*.jsa >/dev/null 2>&1 || ls "$DUPLEX_HOME"/cds/duplex-*.jsa >/dev/null 2>&1; }
while [ "$i" -lt 240 ] && ! archived; do
  sleep 1; i=$((i + 1))
done
ls "$install"/lib/duplex-*.jsa "$DUPLEX_HOME"/cds/duplex-*.jsa 2>/dev/null | sed 's/^/archive: /' || echo "archive: none (measuring without)"
"$duplex" db status | grep -q 'server.*running' || { echo "cli-latency: the embedded PostgreSQL is not running after setup" >&2; exit 1; }

# one command, RUNS times; prints "median p90 cpu-median" in ms
measure() {
  i=0
  : > "$DUPLEX_HOME/times"
  : > "$DUPLEX_HOME/cpu"
  while [ "$i" -lt "$runs" ]; do
    t0=$(date +%s%N)
    if [ -x /usr/bin/time ]; then
      /usr/bin/time -f '%U %S' -a -o "$DUPLEX_HOME/cpu" "$@" >/dev/null 2>&1 || true
    else
      "$@" >/dev/null 2>&1 || true
    fi
    t1=$(date +%s%N)
    echo $(( (t1 - t0) / 1000000 )) >> "$DUPLEX_HOME/times"
    i=$((i + 1))
  done
  cpu=$(awk '/^[0-9.]+ [0-9.]+$/ { printf "%d\n", ($1 + $2) * 1000 }' "$DUPLEX_HOME/cpu" | sort -n | awk '{ v[NR] = $1 } END {
    if (NR == 0) { print "n/a"; exit }
    print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }')
  sort -n "$DUPLEX_HOME/times" | awk -v cpu="$cpu" '{ v[NR] = $1 } END {
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    p = int(0.9 * NR + 0.999999); if (p < 1) p = 1
    printf "%8d %8d %8s\n", m, v[p], cpu }'
}

printf '%-34s %8s %8s %8s\n' "command ($runs runs)" "median" "p90" "cpu"
row() { label=$1; shift; printf '%-34s %s\n' "$label" "$(measure "$@")"; }
row "duplex --version" "$duplex" --version
row "duplex vm list" "$duplex" vm list
row "duplex pair list" "$duplex" pair list
row "duplex upgrade status kv" "$duplex" upgrade status kv
if command -v virsh >/dev/null 2>&1; then
  row "virsh -c test:///default list" virsh -c test:///default list
else
  printf '%-34s %8s %8s %8s\n' "virsh -c test:///default list" "n/a" "n/a" "n/a"
fi
# --- optional: the remote transport (duplex --server URL), only when BENCH_SERVER_URL is set ---
if [ -n "${BENCH_SERVER_URL:-}" ]; then
  # shellcheck disable=SC2086 # BENCH_SERVER_OPTS is a list of options
  row "remote: duplex vm list" "$duplex" --server "$BENCH_SERVER_URL" ${BENCH_SERVER_OPTS:-} vm list
  # shellcheck disable=SC2086
  row "remote: duplex pair list" "$duplex" --server "$BENCH_SERVER_URL" ${BENCH_SERVER_OPTS:-} pair list
  # shellcheck disable=SC2086
  row "remote: duplex upgrade status kv" "$duplex" --server "$BENCH_SERVER_URL" ${BENCH_SERVER_OPTS:-} upgrade status kv
fi
# --- end of the optional remote part ---
# where one warm 'vm list' spends its time (wall and CPU per start-up phase: StartupTrace), for the table's notes
echo "phases of one 'duplex vm list':"
DUPLEX_JAVA_OPTS="${DUPLEX_JAVA_OPTS:-} -Dduplex.internal.debug.startup=true" "$duplex" vm list 2>&1 >/dev/null | sed -n 's/^duplex: startup /  /p'
if [ -n "${BENCH_SERVER_URL:-}" ]; then
  echo "phases of one 'duplex --server URL vm list':"
  # shellcheck disable=SC2086
  DUPLEX_JAVA_OPTS="${DUPLEX_JAVA_OPTS:-} -Dduplex.internal.debug.startup=true" "$duplex" --server "$BENCH_SERVER_URL" ${BENCH_SERVER_OPTS:-} vm list 2>&1 >/dev/null \
    | sed -n 's/^duplex: startup /  /p'
fi
echo "(ms, wall clock; java: $(${JAVA_HOME:+$JAVA_HOME/bin/}java -version 2>&1 | head -n 1); load: $(cut -d' ' -f1-3 /proc/loadavg))"
