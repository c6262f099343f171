#!/bin/sh
# Stops the libvirtd that start-libvirtd.sh STATEDIR started, and the QEMU processes it ran
# (destroying every running domain first), then removes STATEDIR. Idempotent.
# Keeps STATEDIR when KEEP_STATE=1 (to read its logs).
set -eu

D=${1:?usage: stop-libvirtd.sh STATEDIR}
case "$D" in /*) ;; *) D="$(pwd)/$D" ;; esac
URI="qemu+unix:///session?socket=$D/run/libvirt/libvirt-sock"
export LIBVIRT_AUTOSTART=0

if [ -f "$D/libvirtd.pid" ]; then
    PID=$(cat "$D/libvirtd.pid")
    if kill -0 "$PID" 2>/dev/null; then
        for dom in $(virsh -q -c "$URI" list --name 2>/dev/null); do
            virsh -q -c "$URI" destroy "$dom" >/dev/null 2>&1 || true
        done
        kill "$PID" 2>/dev/null || true
        i=0
        while kill -0 "$PID" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
        kill -9 "$PID" 2>/dev/null || true
    fi
    rm -f "$D/libvirtd.pid"
fi
# QEMU processes of this daemon left behind (the daemon was killed hard): their pid files.
for pidfile in "$D"/run/libvirt/qemu/run/*.pid; do
    [ -f "$pidfile" ] && kill -9 "$(cat "$pidfile")" 2>/dev/null || true
done
if [ "${KEEP_STATE:-0}" != 1 ]; then
    rm -rf "$D"
fi
