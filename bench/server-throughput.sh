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
#   SERVER_JAVA_OPTS goes to the server's JVM only, e.g. to profile it under the load:
#   SERVER_JAVA_OPTS=-XX:StartFlightRecording=filename=/tmp/server.jfr,dumponexit=true,settings=profile
set -eu
install=$(cd "$1" && pwd -P)
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

admin=$("$duplex" token create bench-admin --role admin 2>/dev/null)
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

post() { # PATH BODY: fails the bench on anything but 201
  code=$(curl -s -o "$DUPLEX_HOME/last" -w '%{http_code}' -X POST -H "Authorization: Bearer $admin" \
      -H 'Content-Type: application/json' --data "$2" "$base$1")
  [ "$code" = 201 ] || { echo "server-throughput: POST $1 answered $code: $(cat "$DUPLEX_HOME/last")" >&2; exit 1; }
}

# The inventory, through the API: one endpoint, one tiny image, and per pair two volumes, two VMs, the pair.
start=$(date +%s)
image="$DUPLEX_HOME/idle-image"
mkdir -p "$image"
printf 'version=1\ncommand=exec sleep 600\n' > "$image/duplex-image.properties"
post /api/v1/endpoints '{"name":"lab","driver":"local"}'
post /api/v1/images "{\"name\":\"idle-1\",\"endpoint\":\"lab\",\"version\":\"1\",\"source\":\"$image\"}"
p=0
while [ "$p" -lt "$pairs" ]; do
  for s in 0 1; do
    post /api/v1/volumes "{\"name\":\"db-$p-$s\",\"endpoint\":\"lab\",\"sizeBytes\":65536,\"purpose\":\"database\"}"
    post /api/v1/vms "{\"name\":\"vm-$p-$s\",\"endpoint\":\"lab\",\"image\":\"idle-1\",\"links\":[{\"volume\":\"db-$p-$s\",\"mountPath\":\"db\"}],\"properties\":{\"env.KV_PORT\":\"$((20000 + 2 * p + s))\"}}"
  done
  post /api/v1/pairs "{\"name\":\"pair-$p\",\"system0\":\"vm-$p-0\",\"system1\":\"vm-$p-1\",\"roleController\":{\"type\":\"http\",\"member.vm-$p-0.port\":\"$((20000 + 2 * p))\",\"member.vm-$p-1.port\":\"$((20001 + 2 * p))\",\"token\":\"bench-secret\"},\"resyncGate\":{\"timeout-ms\":\"120000\"}}"
  p=$((p + 1))
done
echo "inventory: $pairs pairs ($((pairs * 2)) VMs, $((pairs * 2)) volumes) created through the API in $(( $(date +%s) - start )) s"

viewer=$(curl -fs -X POST -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
    --data '{"name":"bench-viewer","role":"viewer"}' "$base/api/v1/tokens" | sed -n 's/.*"secret":"\([^"]*\)".*/\1/p')
[ -n "$viewer" ] || { echo "server-throughput: could not create the viewer token" >&2; exit 1; }
bytes=$(curl -fs -H "Authorization: Bearer $viewer" "$base/api/v1/pairs" | wc -c)
echo "GET /api/v1/pairs answers $bytes bytes"

# warm-up (JIT, connection pool), then the measured run
wrk -t 2 -c "$connections" -d 5s -H "Authorization: Bearer $viewer" "$base/api/v1/pairs" >/dev/null
wrk -t 2 -c "$connections" -d "$duration" --latency -H "Authorization: Bearer $viewer" "$base/api/v1/pairs" | tee "$DUPLEX_HOME/wrk.txt"

rps=$(awk '/^Requests\/sec:/ { print $2 }' "$DUPLEX_HOME/wrk.txt")
p99=$(awk '$1 == "99%" { print $2 }' "$DUPLEX_HOME/wrk.txt")
errors=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$DUPLEX_HOME/wrk.txt")
echo "GET /api/v1/pairs, $pairs pairs, $connections connections, $duration: ${rps} requests/s, p99 ${p99}${errors:+, NON-2xx: $errors} (goal >= 2000 requests/s, p99 <= 50ms)"
echo "(java: $(${JAVA_HOME:+$JAVA_HOME/bin/}java -version 2>&1 | head -n 1); cores: $(nproc); load: $(cut -d' ' -f1-3 /proc/loadavg))"
