#!/bin/sh
# Runs the pair by hand, without Duplex: fill both databases, start A (ACT) and B (SBY), put the
# service address in front, drive load through it, switch over to B, and compare the checksums.
# Usage: ./try-pair.sh [DB_SIZE]   (after ../../mvnw -q -B -o package; needs curl)
set -eu
JAR="$(cd "$(dirname "$0")" && pwd)/target/kv.jar"
SIZE="${1:-64MiB}"
WORK="$(mktemp -d)"
JAVA="java -Xshare:auto -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx64m -cp $JAR"
A=127.0.0.1:18181 B=127.0.0.1:18182 VIP=18180 ADMIN=18189
# POST /role needs the pair's role token; one random token for both, so each can ask the other to step down.
ROLE_TOKEN=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n'); export ROLE_TOKEN
trap 'kill $(cat "$WORK"/*.pid) 2>/dev/null || true; echo "logs in $WORK"' EXIT
wait_http() { until curl -sf "$1" >/dev/null 2>&1; do sleep 0.05; done; }

$JAVA dev.duplex.example.kv.KvServer fill --dir "$WORK/dbA" --bytes "$SIZE"
$JAVA dev.duplex.example.kv.KvServer fill --dir "$WORK/dbB" --bytes "$SIZE"
KV_PORT=18181 KV_DATA_DIR="$WORK/dbA" KV_PEER=$B KV_ROLE=ACT KV_VERSION=v1 DUPLEX_VM_NAME=A \
  $JAVA dev.duplex.example.kv.KvServer >"$WORK/A.log" 2>&1 & echo $! >"$WORK/A.pid"
KV_PORT=18182 KV_DATA_DIR="$WORK/dbB" KV_PEER=$A KV_VERSION=v1 DUPLEX_VM_NAME=B \
  $JAVA dev.duplex.example.kv.KvServer >"$WORK/B.log" 2>&1 & echo $! >"$WORK/B.pid"
$JAVA dev.duplex.example.kv.ServiceAddress --listen $VIP --backend $A --admin $ADMIN >"$WORK/vip.log" 2>&1 &
echo $! >"$WORK/vip.pid"
wait_http "http://$A/health"; wait_http "http://$B/health"; wait_http "http://127.0.0.1:$ADMIN/backend"
before=$(curl -s "http://$A/checksum")
echo "before:    $before"

$JAVA dev.duplex.example.kv.LoadClient --target 127.0.0.1:$VIP --rate 100 --seconds 4 --verify true \
  >"$WORK/load.log" 2>&1 & echo $! >"$WORK/load.pid"
sleep 2
echo "switchover: $(curl -s -XPOST -H "Authorization: Bearer $ROLE_TOKEN" "http://$B/role?to=ACT")"
curl -s -XPOST "http://127.0.0.1:$ADMIN/repoint?to=$B" >/dev/null
wait "$(cat "$WORK/load.pid")" || true
echo "load:      $(tail -1 "$WORK/load.log")"
curl -s -XPOST "http://$A/resync?wait_ms=10000" >/dev/null
seq=$(echo "$before" | sed 's/.*"seq":\([0-9]*\).*/\1/')
echo "A prefix:  $(curl -s "http://$A/checksum?upto=$seq")"
echo "A now:     $(curl -s "http://$A/checksum")"
echo "B now:     $(curl -s "http://$B/checksum")"
