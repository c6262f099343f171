#!/bin/bash
# Starts an OpenStack Zed subset from the Debian bookworm packages on 127.0.0.1 for the
# OpenStack driver's tests: MariaDB, RabbitMQ, Keystone, Glance (file store), Placement,
# Neutron (API only, no agents), Nova (API, conductor, scheduler, compute with the fake
# driver) and Cinder (API, scheduler, volume with the fake driver). All state, logs and
# configuration live in STATE (the one argument, an empty folder); every process started is
# recorded in STATE/pids and openstack-down.sh stops them by PID. Waits until nova-compute
# and cinder-volume report up, then writes STATE/peer.env (the endpoint and credentials the
# tests use). Needs root (MariaDB and RabbitMQ run as root inside STATE).
set -euo pipefail
STATE=$(realpath "${1:?usage: openstack-up.sh STATE_DIR}")
HERE=$(dirname "$(realpath "$0")")
PY=/usr/bin/python3   # a pyenv python3 on PATH lacks the OpenStack libraries
START=$(date +%s)
mkdir -p "$STATE"/{etc,log,run,mysql,rabbit,glance/images,glance/staging,glance/tasks,nova/instances,cinder,lock,keystone}
chmod 700 "$STATE"
PIDS="$STATE/pids"
: > "$PIDS"
DB_PASSWORD=duplex-db
SERVICE_PASSWORD=duplex-service
ADMIN_PASSWORD=duplex-admin
USER_PASSWORD=duplex-user
KEYSTONE=http://127.0.0.1:5000
RABBIT=rabbit://guest:guest@127.0.0.1:5672/

say() { echo "openstack-up: $* ($(( $(date +%s) - START )) s)"; }
fail() { echo "openstack-up: $*; logs in $STATE/log" >&2; exit 1; }

# Runs a service in its own session (so its workers can be stopped with it) and records its PID.
run() {
    local name=$1; shift
    setsid "$@" > "$STATE/log/$name.log" 2>&1 < /dev/null &
    echo "$! $name" >> "$PIDS"
}

wait_for() {
    local what=$1 seconds=$2; shift 2
    local deadline=$(( $(date +%s) + seconds ))
    until "$@" > /dev/null 2>&1; do
        [ "$(date +%s)" -lt "$deadline" ] || fail "$what not ready after $seconds s"
        sleep 0.5
    done
}

http_up() { curl -s -o /dev/null -m 5 "$1"; }

# ---- MariaDB
cat > "$STATE/etc/my.cnf" <<CNF
[mysqld]
datadir = $STATE/mysql
socket = $STATE/run/mysqld.sock
pid-file = $STATE/run/mysqld.pid
bind-address = 127.0.0.1
port = 3306
user = root
skip-name-resolve
innodb_buffer_pool_size = 64M
innodb_flush_log_at_trx_commit = 0
max_connections = 500
log-error = $STATE/log/mysqld.err
[client]
socket = $STATE/run/mysqld.sock
CNF
mariadb-install-db --defaults-file="$STATE/etc/my.cnf" --user=root --auth-root-authentication-method=normal \
    > "$STATE/log/mariadb-install-db.log" 2>&1 || fail "mariadb-install-db failed"
run mariadb /usr/sbin/mariadbd --defaults-file="$STATE/etc/my.cnf"

# ---- RabbitMQ (epmd first, bound to loopback)
export HOME="$STATE/rabbit"
run epmd epmd -address 127.0.0.1
run rabbitmq env HOME="$STATE/rabbit" RABBITMQ_NODENAME=rabbit@localhost RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
    RABBITMQ_MNESIA_BASE="$STATE/rabbit/mnesia" RABBITMQ_LOG_BASE="$STATE/log/rabbit" \
    RABBITMQ_PID_FILE="$STATE/run/rabbit.pid" RABBITMQ_DIST_PORT=25672 ERL_EPMD_ADDRESS=127.0.0.1 \
    /usr/lib/rabbitmq/bin/rabbitmq-server

wait_for "MariaDB" 60 mariadb --defaults-file="$STATE/etc/my.cnf" -uroot -e 'select 1'
{
    for db in keystone glance placement neutron nova_api nova nova_cell0 cinder; do
        echo "CREATE DATABASE $db;"
    done
    echo "CREATE USER 'duplex'@'127.0.0.1' IDENTIFIED BY '$DB_PASSWORD';"
    echo "CREATE USER 'duplex'@'localhost' IDENTIFIED BY '$DB_PASSWORD';"
    echo "GRANT ALL ON *.* TO 'duplex'@'127.0.0.1'; GRANT ALL ON *.* TO 'duplex'@'localhost';"
} | mariadb --defaults-file="$STATE/etc/my.cnf" -uroot
say "MariaDB up"
db() { echo "mysql+pymysql://duplex:$DB_PASSWORD@127.0.0.1/$1"; }

authtoken() {
    cat <<INI
[keystone_authtoken]
www_authenticate_uri = $KEYSTONE
auth_url = $KEYSTONE
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = duplex-service
password = $SERVICE_PASSWORD
service_token_roles_required = true

[oslo_messaging_notifications]
driver = noop

[oslo_concurrency]
lock_path = $STATE/lock
INI
}
service_auth() {   # [section] password auth for a service-to-service client
    cat <<INI
[$1]
auth_url = $KEYSTONE
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = duplex-service
password = $SERVICE_PASSWORD
region_name = RegionOne
INI
}

# ---- configuration files
mkdir -p "$STATE"/etc/{keystone,glance,placement,neutron/plugins/ml2,nova,cinder}
cat > "$STATE/etc/keystone/keystone.conf" <<INI
[DEFAULT]
log_dir = $STATE/log
[database]
connection = $(db keystone)
[token]
provider = fernet
[fernet_tokens]
key_repository = $STATE/keystone/fernet-keys
[credential]
key_repository = $STATE/keystone/credential-keys
INI
cat > "$STATE/etc/glance/glance-api.conf" <<INI
[DEFAULT]
bind_host = 127.0.0.1
bind_port = 9292
workers = 1
enabled_backends = fs:file
log_file = $STATE/log/glance-api.file.log
[database]
connection = $(db glance)
[glance_store]
default_backend = fs
[fs]
filesystem_store_datadir = $STATE/glance/images
[os_glance_staging_store]
filesystem_store_datadir = $STATE/glance/staging
[os_glance_tasks_store]
filesystem_store_datadir = $STATE/glance/tasks
[paste_deploy]
flavor = keystone
config_file = /etc/glance/glance-api-paste.ini
$(authtoken)
INI
cat > "$STATE/etc/placement/placement.conf" <<INI
[DEFAULT]
log_dir = $STATE/log
[placement_database]
connection = $(db placement)
[api]
auth_strategy = keystone
$(authtoken)
INI
cat > "$STATE/etc/neutron/neutron.conf" <<INI
[DEFAULT]
bind_host = 127.0.0.1
bind_port = 9696
core_plugin = ml2
# The L3 plugin (routers, floating IPs) without its agent: the API and its bookkeeping only, for
# the floating-IP role controller's tests.
service_plugins = router
auth_strategy = keystone
api_workers = 1
rpc_workers = 0
rpc_state_report_workers = 0
notify_nova_on_port_status_changes = false
notify_nova_on_port_data_changes = false
transport_url = $RABBIT
api_paste_config = /etc/neutron/api-paste.ini
state_path = $STATE/neutron
[database]
connection = $(db neutron)
[agent]
root_helper =
$(authtoken)
INI
cat > "$STATE/etc/neutron/plugins/ml2/ml2_conf.ini" <<INI
[ml2]
type_drivers = flat
tenant_network_types =
mechanism_drivers =
extension_drivers =
[ml2_type_flat]
flat_networks = *
INI
cat > "$STATE/etc/nova/nova.conf" <<INI
[DEFAULT]
transport_url = $RABBIT
compute_driver = fake.FakeDriver
enabled_apis = osapi_compute
osapi_compute_listen = 127.0.0.1
osapi_compute_listen_port = 8774
osapi_compute_workers = 1
host = duplex-peer
my_ip = 127.0.0.1
state_path = $STATE/nova
instances_path = $STATE/nova/instances
[api]
auth_strategy = keystone
[api_database]
connection = $(db nova_api)
[database]
connection = $(db nova)
[conductor]
workers = 1
[scheduler]
workers = 1
discover_hosts_in_cells_interval = -1
[wsgi]
api_paste_config = /etc/nova/api-paste.ini
[vnc]
enabled = false
[glance]
region_name = RegionOne
$(service_auth placement)
$(service_auth neutron)
$(service_auth cinder)
os_region_name = RegionOne
$(service_auth service_user)
send_service_user_token = true
$(authtoken)
INI
cat > "$STATE/etc/cinder/cinder.conf" <<INI
[DEFAULT]
transport_url = $RABBIT
enabled_backends = fake
osapi_volume_listen = 127.0.0.1
osapi_volume_listen_port = 8776
osapi_volume_workers = 1
host = duplex-peer
state_path = $STATE/cinder
auth_strategy = keystone
api_paste_config = /etc/cinder/api-paste.ini
glance_api_servers = http://127.0.0.1:9292
[fake]
volume_driver = cinder.tests.fake_driver.FakeLoggingVolumeDriver
volume_backend_name = fake
[database]
connection = $(db cinder)
$(service_auth nova)
$(authtoken)
INI

# ---- schemas, in parallel
NOVA="--config-file $STATE/etc/nova/nova.conf"
sync() { local name=$1; shift; "$@" > "$STATE/log/sync-$name.log" 2>&1 || { echo "$name" >> "$STATE/run/sync-failed"; }; }
syncs=""
sync keystone keystone-manage --config-file "$STATE/etc/keystone/keystone.conf" db_sync &
syncs="$syncs $!"
sync glance glance-manage --config-file "$STATE/etc/glance/glance-api.conf" db_sync &
syncs="$syncs $!"
sync placement placement-manage --config-file "$STATE/etc/placement/placement.conf" db sync &
syncs="$syncs $!"
sync neutron neutron-db-manage --config-file "$STATE/etc/neutron/neutron.conf" \
    --config-file "$STATE/etc/neutron/plugins/ml2/ml2_conf.ini" upgrade heads &
syncs="$syncs $!"
sync nova sh -c "nova-manage $NOVA api_db sync && nova-manage $NOVA cell_v2 map_cell0 \
    && nova-manage $NOVA cell_v2 create_cell --name=cell1 && nova-manage $NOVA db sync" &
syncs="$syncs $!"
sync cinder cinder-manage --config-file "$STATE/etc/cinder/cinder.conf" db sync &
syncs="$syncs $!"
wait $syncs   # not the services started above
[ ! -e "$STATE/run/sync-failed" ] || fail "schema sync failed: $(tr '\n' ' ' < "$STATE/run/sync-failed")"
say "schemas ready"

# ---- Keystone, served by uWSGI (Connection: close: keep-alive gives connection resets)
KS="--config-file $STATE/etc/keystone/keystone.conf"
keystone-manage $KS fernet_setup --keystone-user root --keystone-group root > "$STATE/log/keystone-setup.log" 2>&1
keystone-manage $KS credential_setup --keystone-user root --keystone-group root >> "$STATE/log/keystone-setup.log" 2>&1
keystone-manage $KS bootstrap --bootstrap-password "$ADMIN_PASSWORD" --bootstrap-admin-url "$KEYSTONE/v3/" \
    --bootstrap-internal-url "$KEYSTONE/v3/" --bootstrap-public-url "$KEYSTONE/v3/" \
    --bootstrap-region-id RegionOne >> "$STATE/log/keystone-setup.log" 2>&1
# Debian names the plugin by Python version (python311) and adds python3 as an alternative.
UWSGI_PYTHON=python3
[ -e /usr/lib/uwsgi/plugins/python3_plugin.so ] || UWSGI_PYTHON=$(basename "$(ls /usr/lib/uwsgi/plugins/python3*_plugin.so | head -1)" _plugin.so)
uwsgi_ini() {   # name port wsgi-file config-dir-variable config-dir config-file
    cat > "$STATE/etc/$1-uwsgi.ini" <<INI
[uwsgi]
plugins = $UWSGI_PYTHON
http-socket = 127.0.0.1:$2
wsgi-file = $3
master = true
processes = 2
threads = 1
lazy-apps = true
die-on-term = true
add-header = Connection: close
env = $4=$5
env = ${4%_DIR}_FILES=$6
INI
}
uwsgi_ini keystone 5000 /usr/bin/keystone-wsgi-public OS_KEYSTONE_CONFIG_DIR "$STATE/etc/keystone" keystone.conf
uwsgi_ini placement 8778 /usr/bin/placement-api OS_PLACEMENT_CONFIG_DIR "$STATE/etc/placement" placement.conf
run keystone uwsgi-core --ini "$STATE/etc/keystone-uwsgi.ini"
run placement uwsgi-core --ini "$STATE/etc/placement-uwsgi.ini"

# ---- the other services
run glance-api glance-api --config-file "$STATE/etc/glance/glance-api.conf"
run neutron-server neutron-server --config-file "$STATE/etc/neutron/neutron.conf" \
    --config-file "$STATE/etc/neutron/plugins/ml2/ml2_conf.ini"
# rabbitmqctl would need the server's Erlang cookie; the AMQP port answering is what the services need.
wait_for "RabbitMQ" 120 bash -c 'exec 3<>/dev/tcp/127.0.0.1/5672'
say "RabbitMQ up"

wait_for "Keystone" 90 http_up "$KEYSTONE/v3"
say "Keystone up"
export OS_AUTH_URL=$KEYSTONE/v3 OS_USERNAME=admin OS_PASSWORD=$ADMIN_PASSWORD OS_PROJECT_NAME=admin \
    OS_USER_DOMAIN_NAME=Default OS_PROJECT_DOMAIN_NAME=Default OS_REGION_NAME=RegionOne OS_IDENTITY_API_VERSION=3
$PY "$HERE/catalog.py" register "$SERVICE_PASSWORD" "$USER_PASSWORD" > "$STATE/log/catalog.log" 2>&1 \
    || fail "registering the catalog failed"
say "catalog registered"
# Nova and Cinder services refuse to run when their service user is not yet in Keystone.
run nova-api nova-api $NOVA
run nova-conductor nova-conductor $NOVA
run nova-scheduler nova-scheduler $NOVA
run nova-compute $PY -c 'import sys; from nova.cmd.compute import main; sys.argv[0] = "nova-compute"; sys.exit(main())' $NOVA
CINDER="--config-file $STATE/etc/cinder/cinder.conf"
run cinder-api cinder-api $CINDER
run cinder-scheduler cinder-scheduler $CINDER
run cinder-volume cinder-volume $CINDER

for port in 9292 8778 9696 8774 8776; do
    wait_for "the API on port $port" 180 http_up "http://127.0.0.1:$port/"
done
say "APIs up"
$PY "$HERE/catalog.py" await-services > "$STATE/log/await.log" 2>&1 || fail "nova-compute or cinder-volume not up"
nova-manage $NOVA cell_v2 discover_hosts > "$STATE/log/discover-hosts.log" 2>&1
$PY "$HERE/catalog.py" flavor >> "$STATE/log/await.log" 2>&1 || fail "creating the flavor failed"

cat > "$STATE/peer.env" <<ENV
OS_AUTH_URL=$KEYSTONE/v3
OS_PROJECT_NAME=duplex
OS_DOMAIN_NAME=Default
OS_USERNAME=duplex
OS_PASSWORD=$USER_PASSWORD
OS_ADMIN_PASSWORD=$ADMIN_PASSWORD
OS_FLAVOR=duplex.tiny
ENV
chmod 600 "$STATE/peer.env"
say "OpenStack ready"
