#!/usr/bin/env bash
# lab/galera-lab.sh — a three-node MariaDB Galera cluster on this machine (docs/scaling.md,
# "Galera"): every node takes writes, and a commit is certified by the whole cluster.
#
#   lab/galera-lab.sh start    set up and start the three nodes (idempotent), migrate through node 1,
#                              print DATABASE_URL=… for each node on stdout (node 1 first)
#   lab/galera-lab.sh urls     print them again
#   lab/galera-lab.sh smoke    a write on node 1 is read on node 3, one on node 3 on node 1, and
#                              the cluster has three synced members; exit 1 otherwise
#   lab/galera-lab.sh status   each node's cluster size, state and last committed sequence
#   lab/galera-lab.sh stop     shut the three down and delete the lab's data
#
# Runs as root on Debian with mariadb-server and galera-4 (the wsrep provider
# /usr/lib/galera/libgalera_smm.so) and rsync (the state transfer to a joining node). Nodes
# node1..node3 on 127.0.0.1:3311..3313; Galera's group communication on 4567/4577/4587, its
# incremental state transfer one port above each, the rsync state transfer on 4444/4454/4464.
# Data under ${GALERA_LAB_DIR:-/tmp/clinic-galera-lab}, nothing in the repository; the machine's
# own MariaDB (3306) is never touched. Node 1 starts a new cluster and gets the time zone tables,
# the database `clinic` and the application's account (clinic_app, password in
# $GALERA_LAB_DIR/credentials); nodes 2 and 3 join and receive all of it by state transfer.
# migrate: as in lab/replica-lab.sh (PYTHON, DJANGO_SETTINGS_MODULE, LAB_MIGRATE=0 skips it).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LAB_DIR=${GALERA_LAB_DIR:-/tmp/clinic-galera-lab}
HOST=127.0.0.1
NODES=(node1 node2 node3)
DATABASE=clinic
APP_USER=clinic_app
PROVIDER=/usr/lib/galera/libgalera_smm.so
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
SETTINGS=${DJANGO_SETTINGS_MODULE:-clinic.settings.test}
LAB_MIGRATE=${LAB_MIGRATE:-1}
READY=$LAB_DIR/ready
SYNC_TIMEOUT=120 # seconds for a joining node to receive the cluster's state and be Synced
LAB_NAME=galera-lab
# shellcheck source=lab/lib.sh
. "$ROOT/lab/lib.sh"

node_number() { echo "${1#node}"; }
node_port() { echo $((3310 + $(node_number "$1"))); }
gcomm_port() { echo $((4557 + 10 * $(node_number "$1"))); } # 4567, 4577, 4587
sst_port() { echo $((4434 + 10 * $(node_number "$1"))); }   # 4444, 4454, 4464

url() {
    load_credentials
    printf 'mysql://%s:%s@%s:%s/%s?charset=utf8mb4' "$APP_USER" "$APP_PASSWORD" "$HOST" \
        "$(node_port "$1")" "$DATABASE"
}

print_urls() {
    local node
    for node in "${NODES[@]}"; do echo "DATABASE_URL=$(url "$node")"; done
}

write_config() {
    local node=$1 dir members="" other
    dir=$(node_dir "$node")
    for other in "${NODES[@]}"; do members+="${members:+,}$HOST:$(gcomm_port "$other")"; done
    cat >"$dir/my.cnf" <<EOF
[mariadbd]
datadir = $dir/data
socket = $dir/mysqld.sock
pid-file = $dir/mysqld.pid
log-error = $dir/error.log
tmpdir = $dir/tmp
port = $(node_port "$node")
bind-address = $HOST
skip-name-resolve
character_set_server = utf8mb4
collation_server = utf8mb4_unicode_ci
# What Galera needs: row events, InnoDB, interleaved auto-increment locks.
binlog_format = ROW
default_storage_engine = InnoDB
innodb_autoinc_lock_mode = 2
innodb_buffer_pool_size = 64M
innodb_flush_log_at_trx_commit = 2
performance_schema = OFF
wsrep_on = ON
wsrep_provider = $PROVIDER
wsrep_cluster_name = clinic-galera-lab
wsrep_cluster_address = gcomm://$members
wsrep_node_name = $node
wsrep_node_address = $HOST:$(gcomm_port "$node")
wsrep_provider_options = "gmcast.listen_addr=tcp://$HOST:$(gcomm_port "$node");ist.recv_addr=$HOST:$(($(gcomm_port "$node") + 1));gcache.size=64M"
wsrep_sst_method = rsync
wsrep_sst_receive_address = $HOST:$(sst_port "$node")
EOF
}

wait_synced() { # a node is usable once it says Synced
    local node=$1 deadline=$((SECONDS + SYNC_TIMEOUT)) state=""
    until [ "$state" = Synced ]; do
        if [ $SECONDS -ge $deadline ]; then
            log_tail "$node"
            die "$node is '$state', not Synced, after $SYNC_TIMEOUT s"
        fi
        sleep 0.3
        state=$(value "$node" "SHOW STATUS LIKE 'wsrep_local_state_comment'" 2>/dev/null | cut -f2) || true
    done
}

create_accounts() { # on node 1: the others get them with the state transfer
    load_credentials
    sql node1 <<SQL
CREATE DATABASE $DATABASE CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER '$APP_USER'@'%' IDENTIFIED BY '$APP_PASSWORD';
GRANT ALL PRIVILEGES ON \`$DATABASE\`.* TO '$APP_USER'@'%';
GRANT ALL PRIVILEGES ON \`test\\_$DATABASE%\`.* TO '$APP_USER'@'%';
SQL
}

cmd_start() {
    [ "$(id -u)" = 0 ] || die "run as root (the servers run as the mysql user)"
    [ -x "$MARIADBD" ] || die "no $MARIADBD: apt-get install mariadb-server"
    [ -f "$PROVIDER" ] || die "no $PROVIDER: apt-get install galera-4"
    command -v rsync >/dev/null || die "no rsync (the state transfer to a joining node): apt-get install rsync"
    local node
    if [ -f "$READY" ]; then
        for node in "${NODES[@]}"; do
            node_up "$node" || die "$node is down: '$0 stop' then '$0 start' sets the cluster up anew"
        done
        print_urls
        return 0
    fi
    if [ -d "$LAB_DIR" ]; then
        say "an unfinished lab in $LAB_DIR: starting over"
        cmd_stop
    fi
    local t0=$SECONDS
    install -d -m 0755 "$LAB_DIR"
    make_credentials APP_PASSWORD
    prepare_time_zones
    for node in "${NODES[@]}"; do
        install -d -o mysql -g mysql -m 0750 "$(node_dir "$node")"
        write_config "$node"
    done
    # Only node 1 needs a data directory: the others receive its copy when they join.
    init_node node1
    start_node node1 --wsrep-new-cluster
    wait_synced node1
    load_time_zones node1
    create_accounts
    say "node1 has started the cluster ($((SECONDS - t0)) s)"
    for node in node2 node3; do # one at a time: each takes a full state transfer
        install -d -o mysql -g mysql -m 0750 "$(node_dir "$node")/data" "$(node_dir "$node")/tmp"
        start_node "$node"
        wait_synced "$node"
        say "$node has joined ($((SECONDS - t0)) s)"
    done
    migrate "$(url node1)"
    touch "$READY"
    say "ready in $((SECONDS - t0)) s"
    print_urls
}

cmd_stop() {
    local node
    for node in node3 node2 node1; do stop_node "$node"; done
    if [ -d "$LAB_DIR" ] && { [ -f "$LAB_DIR/credentials" ] || [ -d "$LAB_DIR/node1" ]; }; then
        rm -rf "$LAB_DIR"
    fi
    say "stopped"
}

status() {
    local node
    for node in "${NODES[@]}"; do
        if node_up "$node"; then
            echo "$node: up, $HOST:$(node_port "$node"), $(value "$node" "SHOW STATUS WHERE Variable_name IN \
                ('wsrep_cluster_size', 'wsrep_local_state_comment', 'wsrep_last_committed')" | tr '\t\n' '= ')"
        else
            echo "$node: down"
        fi
    done
}

smoke() { # what makes it a multi-primary cluster, checked with the application's account
    load_credentials
    local token size node
    token=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
    app() { # app NODE SQL
        mariadb --no-defaults -h "$HOST" -P "$(node_port "$1")" -u "$APP_USER" -p"$APP_PASSWORD" \
            --connect-timeout=5 -N -B "$DATABASE" -e "$2"
    }
    app node1 "CREATE TABLE IF NOT EXISTS galera_smoke (id INT AUTO_INCREMENT PRIMARY KEY,
        token CHAR(16) NOT NULL, written_on VARCHAR(8) NOT NULL)"
    app node1 "INSERT INTO galera_smoke (token, written_on) VALUES ('$token', 'node1')"
    # Galera applies asynchronously after certification: wsrep_sync_wait makes the read wait for it.
    local read="SET SESSION wsrep_sync_wait = 1; SELECT written_on FROM galera_smoke WHERE token = '$token'"
    [ "$(app node3 "$read")" = node1 ] || die "smoke: node 3 does not read what node 1 wrote"
    app node3 "UPDATE galera_smoke SET written_on = 'node3' WHERE token = '$token'"
    [ "$(app node1 "$read")" = node3 ] || die "smoke: node 1 does not read what node 3 wrote"
    app node2 "DROP TABLE galera_smoke"
    for node in "${NODES[@]}"; do
        size=$(value "$node" "SHOW STATUS LIKE 'wsrep_cluster_size'" | cut -f2)
        [ "$size" = 3 ] || die "smoke: $node sees a cluster of $size nodes, not 3"
    done
    echo "galera smoke: a write on node1 was read on node3, a write on node3 on node1;" \
        "cluster size 3 on every node"
}

need_lab() { [ -f "$READY" ] || die "no lab in $LAB_DIR: run '$0 start' first"; }

case "${1:-}" in
start) cmd_start ;;
stop) cmd_stop ;;
urls) need_lab && print_urls ;;
status) need_lab && status ;;
smoke) need_lab && smoke ;;
*)
    sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
