#!/bin/bash
# Stops every process openstack-up.sh started, by the PIDs it recorded in STATE/pids (each a
# session leader: its workers are stopped with it), newest first; then removes nothing: the
# caller deletes STATE.
set -u
STATE=${1:?usage: openstack-down.sh STATE_DIR}
[ -f "$STATE/pids" ] || exit 0
pids=$(tac "$STATE/pids" | awk '{print $1}')
for pid in $pids; do kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null; done
deadline=$(( $(date +%s) + 20 ))
for pid in $pids; do
    while kill -0 -- "-$pid" 2>/dev/null && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null || true
done
exit 0
