#!/bin/sh
# Starts a private libvirtd for tests: session mode, run as the unprivileged user nobody, all
# state under STATEDIR, QEMU in software emulation (the driver defines <domain type='qemu'>).
# Prints the URI to connect to and returns once the daemon answers:
#
#   qemu+unix:///session?socket=STATEDIR/run/libvirt/libvirt-sock
#
# STATEDIR must be short (<= 40 characters: QEMU's monitor socket path, limited to 108 bytes,
# lives under it) and reachable by nobody (not under a mode-700 home); it is created mode 755.
# Anything QEMU reads (kernels, initrds, disks, serial logs) must be reachable by nobody too.
# Idempotent: when a daemon started by this script already answers on STATEDIR, prints its URI.
# Stop it with stop-libvirtd.sh STATEDIR. Needs root (to switch to nobody) or to run as the
# user itself (then no switch happens).
set -eu

D=${1:?usage: start-libvirtd.sh STATEDIR}
case "$D" in /*) ;; *) D="$(pwd)/$D" ;; esac
if [ ${#D} -gt 40 ]; then
    echo "start-libvirtd.sh: state folder '$D' is longer than 40 characters" >&2
    exit 1
fi
SOCK="$D/run/libvirt/libvirt-sock"
URI="qemu+unix:///session?socket=$SOCK"
export LIBVIRT_AUTOSTART=0

answers() { virsh -q -c "$URI" uri >/dev/null 2>&1; }
if [ -f "$D/libvirtd.pid" ] && kill -0 "$(cat "$D/libvirtd.pid")" 2>/dev/null && answers; then
    echo "$URI"
    exit 0
fi

if [ "$(id -u)" = 0 ]; then
    RUNAS="setpriv --reuid=nobody --regid=nogroup --clear-groups"
    OWNER=nobody:nogroup
else
    RUNAS=""
    OWNER=""
fi

mkdir -p "$D"
chmod 755 "$D"
for sub in home cfg cfg/libvirt run run/libvirt cache data log pool; do mkdir -p "$D/$sub"; done
# STATEDIR/pool: a folder the daemon's user owns, for directory storage pools (pool-path).
[ -n "$OWNER" ] && chown -R "$OWNER" "$D/home" "$D/cfg" "$D/run" "$D/cache" "$D/data" "$D/log" "$D/pool"

cat > "$D/libvirtd.conf" <<EOF
unix_sock_dir = "$D/run/libvirt"
unix_sock_rw_perms = "0777"
unix_sock_ro_perms = "0777"
auth_unix_rw = "none"
auth_unix_ro = "none"
log_outputs = "3:file:$D/log/libvirtd.log"
EOF
# The session daemon reads its qemu.conf from XDG_CONFIG_HOME/libvirt. Without virtlogd,
# QEMU's output goes to plain files.
cat > "$D/cfg/libvirt/qemu.conf" <<EOF
stdio_handler = "file"
EOF
[ -n "$OWNER" ] && chown "$OWNER" "$D/cfg/libvirt/qemu.conf"
# The run folder is XDG_RUNTIME_DIR; the socket folder inside it must be usable by clients.
chmod 755 "$D/run"

env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$D/home" \
    XDG_CONFIG_HOME="$D/cfg" XDG_RUNTIME_DIR="$D/run" XDG_CACHE_HOME="$D/cache" \
    XDG_DATA_HOME="$D/data" LIBVIRT_AUTOSTART=0 \
    $RUNAS libvirtd -f "$D/libvirtd.conf" >"$D/log/stdout.log" 2>&1 &
echo $! > "$D/libvirtd.pid"

i=0
while ! answers; do
    i=$((i + 1))
    if [ $i -gt 300 ] || ! kill -0 "$(cat "$D/libvirtd.pid")" 2>/dev/null; then
        echo "start-libvirtd.sh: libvirtd did not answer on $SOCK; its log:" >&2
        tail -n 20 "$D/log/stdout.log" "$D/log/libvirtd.log" >&2 2>/dev/null || true
        exit 1
    fi
    sleep 0.1
done
echo "$URI"
