#!/bin/sh
# Issue 15 item 4: the fleet simulation at 1,000 and then 10,000 pairs, max-in-flight 200 (the real
# engine and job queue on an embedded PostgreSQL of its own, a platform whose operations take
# configured times). Prints each run's report and keeps it in OUT.
# Usage: bench/scripts/fleet-simulation.sh [OUT_DIR] [PAIRS...]   (after ./mvnw -o -B -q -pl bench -am package -DskipTests)
# Each run gets a fresh work folder under OUT_DIR (its embedded PostgreSQL stops when the run ends).
set -eu
cd "$(dirname "$0")/../.."
OUT="${1:-fleet-simulation-$(date +%Y%m%d-%H%M%S)}"
[ $# -gt 0 ] && shift
PAIRS="${*:-1000 10000}"
JAR=bench/target/duplex-bench.jar
[ -f "$JAR" ] || { echo "no $JAR: run ./mvnw -o -B -q -pl bench -am package -DskipTests first" >&2; exit 1; }
umask 077
mkdir -p "$OUT"
for n in $PAIRS; do
  echo "== $n pairs, max-in-flight 200"
  java -cp "$JAR" dev.duplex.bench.fleet.FleetSimulation --pairs "$n" --in-flight 200 --work "$OUT/work-$n" 2>&1 | tee "$OUT/fleet-$n.txt"
  rm -rf "$OUT/work-$n"
done
echo "reports in $OUT"
