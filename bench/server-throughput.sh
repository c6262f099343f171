#!/bin/sh
# Server throughput: requests/s and latency percentiles of GET /api/v1/pairs with 200 pairs in the
# inventory (local driver: 400 VMs on 400 volumes, not started), measured with Debian's wrk on
# loopback for DURATION (default 30s) over CONNECTIONS connections (default 4), with a viewer token.
# Goal (issue 11): >= 2,000 requests/s at p99 <= 50 ms. Timings on a loaded machine are noisy;
# compare on a quiet one.
#
# Usage: bench/server-throughput.sh INSTALL_DIR [DURATION] [CONNECTIONS]
#   INSTALL_DIR  the unpacked tarball (holding bin/duplex), e.g. after
#                ./mvnw -o -B -q -pl dist -am package -DskipTests
#                tar xzf dist/target/duplex-*.tar.gz -C /tmp
#   Needs wrk (apt-get install -y wrk) and curl. PAIRS (default 200) and PORT (default 18443) may be set;
#   SERVER_JAVA_OPTS goes to the server's JVM only, e.g. to profile it under the load (-Xshare:off: JDK 17's
#   JFR crashed in a class-load hook with the launcher's class-data-sharing archive):
#   SERVER_JAVA_OPTS="-Xshare:off -XX:StartFlightRecording=filename=/tmp/server.jfr,dumponexit=true,settings=profile"
# The inventory is made in-process (bench/server-throughput-seed.java) in about a minute; it also reports
# the CPU time per request of the server's JVM and of the embedded PostgreSQL during the measured run.
set -eu
install=$(cd "$1" && pwd -P)
here=$(cd "$(dirname "$0")" && pwd -P)
duration=${2:-30s}
connections=${3:-4}
pairs=${PAIRS:-200}
port=${PORT:-18443}
duplex="$install/bin/duplex"
[ -x "$duplex" ] || { echo "server-throughput: no bin/duplex under $install; give the unpacked tarball's folder" >&2; exit 2; }
command -v wrk >/dev/null 2>&1 || { echo "server-throughput: wrk is not installed; apt-get install -y wrk" >&2; exit 2; }
command -v curl >/dev/null 2>&1 || { echo "server-throughput: curl is not installed; apt-get install -y curl" >&2; exit 2; }

DUPLEX_HOME=$(mktemp -d /tmp/duplex-bench-XXXXXX)
export DUPLEX_HOME
export DUPLEX_DB_IDLE_STOP=PT30M
umask 077 # the tokens below are secrets
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  "$duplex" db stop --force >/dev/null 2>&1 || true
  rm -rf "$DUPLEX_HOME"
}
trap cleanup EXIT
base="http://127.0.0.1:$port"

java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
admin=$("$duplex" token create bench-admin --role admin 2>/dev/null) # also starts the embedded database the server joins

# The inventory: one endpoint, one tiny image, and per pair two volumes, two VMs, the pair, made in-process
# through the engine's services (the same checks, driver calls, rows and audit as through the API, without a
# round trip and a request per object). Through the API one by one it took minutes to half an hour.
start=$(date +%s)
image="$DUPLEX_HOME/idle-image"
mkdir -p "$image"
printf 'version=1\ncommand=exec sleep 600\n' > "$image/duplex-image.properties"
"$java" -cp "$install/lib/*" "$here/server-throughput-seed.java" "$install" "$image" "$pairs" >"$DUPLEX_HOME/seed.log" 2>&1 \
  || { echo "server-throughput: seeding the inventory failed; its log:" >&2; cat "$DUPLEX_HOME/seed.log" >&2; exit 1; }
echo "inventory: $pairs pairs ($((pairs * 2)) VMs, $((pairs * 2)) volumes) created through the engine's services in $(( $(date +%s) - start )) s"

DUPLEX_JAVA_OPTS="${DUPLEX_JAVA_OPTS:-} ${SERVER_JAVA_OPTS:-}" "$duplex" server --port "$port" >"$DUPLEX_HOME/server.log" 2>&1 &
server_pid=$!
i=0
until curl -fs "$base/health/ready" >/dev/null 2>&1; do
  i=$((i + 1))
  if [ "$i" -gt 240 ] || ! kill -0 "$server_pid" 2>/dev/null; then
    echo "server-throughput: the server did not become ready; its log:" >&2; cat "$DUPLEX_HOME/server.log" >&2; exit 1
  fi
  sleep 0.5
done

viewer=$(curl -fs -X POST -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
    --data '{"name":"bench-viewer","role":"viewer"}' "$base/api/v1/tokens" | sed -n 's/.*"secret":"\([^"]*\)".*/\1/p')
[ -n "$viewer" ] || { echo "server-throughput: could not create the viewer token" >&2; exit 1; }
bytes=$(curl -fs -H "Authorization: Bearer $viewer" "$base/api/v1/pairs" | wc -c)
echo "GET /api/v1/pairs answers $bytes bytes"

# CPU time (ms) of the server's JVM, and of the embedded PostgreSQL (postmaster and its backends), so far.
ticks=$(getconf CLK_TCK)
cpu_ms() { # PID...: user + system time of those processes
  for p in "$@"; do cat "/proc/$p/stat" 2>/dev/null; done | sed 's/^.*) //' | awk -v t="$ticks" '{ s += $12 + $13 } END { printf "%d", s * 1000 / t }'
}
postmaster=$(head -n 1 "$(find "$DUPLEX_HOME" -name postmaster.pid | head -n 1)")
database_cpu_ms() { cpu_ms "$postmaster" $(ps -o pid= --ppid "$postmaster"); }

# warm-up (JIT, connection pool), then the measured run
wrk -t 2 -c "$connections" -d 5s -H "Authorization: Bearer $viewer" "$base/api/v1/pairs" >/dev/null
server_before=$(cpu_ms "$server_pid"); database_before=$(database_cpu_ms)
wrk -t 2 -c "$connections" -d "$duration" --latency -H "Authorization: Bearer $viewer" "$base/api/v1/pairs" | tee "$DUPLEX_HOME/wrk.txt"
server_cpu=$(( $(cpu_ms "$server_pid") - server_before )); database_cpu=$(( $(database_cpu_ms) - database_before ))

rps=$(awk '/^Requests\/sec:/ { print $2 }' "$DUPLEX_HOME/wrk.txt")
p99=$(awk '$1 == "99%" { print $2 }' "$DUPLEX_HOME/wrk.txt")
errors=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$DUPLEX_HOME/wrk.txt")
p50=$(awk '$1 == "50%" { print $2 }' "$DUPLEX_HOME/wrk.txt")
requests=$(awk '/requests in/ { print $1 }' "$DUPLEX_HOME/wrk.txt")
echo "GET /api/v1/pairs, $pairs pairs, $connections connections, $duration: ${rps} requests/s, p50 ${p50}, p99 ${p99}${errors:+, NON-2xx: $errors} (goal >= 2000 requests/s, p99 <= 50ms)"
echo "CPU per request: server JVM $(awk -v c="$server_cpu" -v n="$requests" 'BEGIN { printf "%.3f", c / n }') ms, PostgreSQL $(awk -v c="$database_cpu" -v n="$requests" 'BEGIN { printf "%.3f", c / n }') ms ($requests requests)"
echo "(java: $(${JAVA_HOME:+$JAVA_HOME/bin/}java -version 2>&1 | head -n 1); cores: $(nproc); load: $(cut -d' ' -f1-3 /proc/loadavg))"
