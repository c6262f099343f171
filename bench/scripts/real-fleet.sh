#!/bin/sh
# Issue 15 item 5: a real fleet on this machine. 50 pairs (and one more, upgraded alone first to
# measure one pair's time) of the light application (a Python 3 stdlib process per member) on the
# local driver, upgraded v1 -> v2 by the engine's fleet service at max-in-flight 10 under a client
# load through every pair's active. Prints the report and the row of the "Real fleet" table in
# docs/benchmarks.md, and keeps them in OUT. Exits non-zero when a request failed after retry, a
# write was lost, a checksum differs or a pair was not upgraded.
# Usage: bench/scripts/real-fleet.sh [OUT_DIR] [RealFleet options: --pairs 50 --in-flight 10 --rate 2 ...]
#        (after ./mvnw -o -B -q -pl bench -am package -DskipTests; needs python3)
# The run's Duplex home (embedded PostgreSQL, the members' folders) is under OUT/work, deleted at the end.
set -eu
cd "$(dirname "$0")/../.."
OUT="${1:-real-fleet-$(date +%Y%m%d-%H%M%S)}"
[ $# -gt 0 ] && shift
JAR=bench/target/duplex-bench.jar
[ -f "$JAR" ] || { echo "no $JAR: run ./mvnw -o -B -q -pl bench -am package -DskipTests first" >&2; exit 1; }
umask 077
mkdir -p "$OUT"
status=0
java -cp "$JAR" dev.duplex.bench.fleet.RealFleet --work "$OUT/work" "$@" > "$OUT/real-fleet.txt" 2>&1 || status=$?
cat "$OUT/real-fleet.txt"
rm -rf "$OUT/work"
echo "report in $OUT/real-fleet.txt"
exit $status
