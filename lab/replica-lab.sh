#!/usr/bin/env bash
# lab/replica-lab.sh — a MariaDB primary and a replica on this machine, for trying and testing the
# clinic's database router (core/db_router.py; docs/scaling.md) against real replication.
#
#   lab/replica-lab.sh start             set up and start both (idempotent), migrate the primary,
#                                        print DATABASE_URL=… and DATABASE_REPLICA_URLS=… on stdout
#   lab/replica-lab.sh urls              print the two lines again
#   lab/replica-lab.sh status            the servers, and the replica's threads, lag and GTIDs
#   lab/replica-lab.sh stop              shut both down and delete the lab's data
#   lab/replica-lab.sh stop-replica      shut the replica's server down (the primary goes on)
#   lab/replica-lab.sh start-replica     start it again; it catches up by itself
#   lab/replica-lab.sh stop-sql-thread   the replica still receives but no longer applies: lag
#   lab/replica-lab.sh start-sql-thread
#   lab/replica-lab.sh delay [SECS]      delayed replication: each transaction applied SECS (30)
#                                        late, so Seconds_Behind_Master climbs after a write
#   lab/replica-lab.sh no-delay
#   lab/replica-lab.sh wait-sync [SECS]  wait until the replica has applied everything the primary
#                                        has written (its GTID position); exit 1 after SECS (30)
#
# Runs as root on Debian with mariadb-server (/usr/sbin/mariadbd, mariadb-install-db); the
# servers run as the `mysql` user. The machine's own MariaDB (3306) is never touched: each lab
# server has its own data directory, socket, pid file, error log and port under
# ${LAB_DIR:-/tmp/clinic-replica-lab}, nothing in the repository.
#   primary 127.0.0.1:${LAB_PRIMARY_PORT:-3307}  server_id 1, binary log (ROW), gtid_strict_mode
#   replica 127.0.0.1:${LAB_REPLICA_PORT:-3308}  server_id 2, read_only, log_slave_updates,
#                                                replicates with MASTER_USE_GTID=slave_pos
# Accounts, made on the primary so that they replicate: clinic_app (the application's: ALL on
# clinic.* and test_clinic*.*, BINLOG MONITOR and SLAVE MONITOR to read the lag; not SUPER, not
# READ_ONLY ADMIN, so the replica's read_only refuses its writes) and clinic_repl (REPLICATION
# SLAVE). Their passwords are made at the first start and kept in $LAB_DIR/credentials (mode 600).
# root: only through each server's Unix socket.
#
# migrate uses PYTHON (default .venv/bin/python) with DJANGO_SETTINGS_MODULE (default
# clinic.settings.test, whose fixed encryption keys suit a lab); LAB_MIGRATE=0 skips it.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LAB_DIR=${LAB_DIR:-/tmp/clinic-replica-lab}
PRIMARY_PORT=${LAB_PRIMARY_PORT:-3307}
REPLICA_PORT=${LAB_REPLICA_PORT:-3308}
HOST=127.0.0.1
DATABASE=clinic
APP_USER=clinic_app
REPL_USER=clinic_repl
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
SETTINGS=${DJANGO_SETTINGS_MODULE:-clinic.settings.test}
LAB_MIGRATE=${LAB_MIGRATE:-1}
READY=$LAB_DIR/ready # written when `start` has finished once: the lab is set up
LAB_NAME=replica-lab
# shellcheck source=lab/lib.sh
. "$ROOT/lab/lib.sh"

node_port() { if [ "$1" = primary ]; then echo "$PRIMARY_PORT"; else echo "$REPLICA_PORT"; fi; }

url() { # url NODE
    load_credentials
    printf 'mysql://%s:%s@%s:%s/%s?charset=utf8mb4' "$APP_USER" "$APP_PASSWORD" "$HOST" \
        "$(node_port "$1")" "$DATABASE"
}

print_urls() {
    echo "DATABASE_URL=$(url primary)"
    echo "DATABASE_REPLICA_URLS=$(url replica)"
}

write_config() { # write_config NODE SERVER_ID
    local node=$1 server_id=$2 dir
    dir=$(node_dir "$node")
    {
        cat <<EOF
[mariadbd]
datadir = $dir/data
socket = $dir/mysqld.sock
pid-file = $dir/mysqld.pid
log-error = $dir/error.log
tmpdir = $dir/tmp
port = $(node_port "$node")
bind-address = $HOST
skip-name-resolve
server_id = $server_id
log_bin = $dir/data/binlog
binlog_format = ROW
gtid_strict_mode = 1
log_slave_updates = 1
character_set_server = utf8mb4
collation_server = utf8mb4_unicode_ci
# A lab: small and quick rather than durable.
innodb_buffer_pool_size = 64M
innodb_flush_log_at_trx_commit = 2
sync_binlog = 0
performance_schema = OFF
max_connections = 200
EOF
        if [ "$node" = replica ]; then
            cat <<EOF
relay_log = $dir/data/relay
read_only = 1
EOF
        fi
    } >"$dir/my.cnf"
}

create_accounts() { # on the primary, with binary logging: the replica gets them too
    load_credentials
    sql primary <<SQL
CREATE DATABASE $DATABASE CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER '$REPL_USER'@'%' IDENTIFIED BY '$REPL_PASSWORD';
GRANT REPLICATION SLAVE ON *.* TO '$REPL_USER'@'%';
CREATE USER '$APP_USER'@'%' IDENTIFIED BY '$APP_PASSWORD';
GRANT ALL PRIVILEGES ON \`$DATABASE\`.* TO '$APP_USER'@'%';
GRANT ALL PRIVILEGES ON \`test\\_$DATABASE%\`.* TO '$APP_USER'@'%';
GRANT BINLOG MONITOR, SLAVE MONITOR ON *.* TO '$APP_USER'@'%';
SQL
}

start_replication() {
    load_credentials
    sql replica <<SQL
SET GLOBAL gtid_slave_pos = '';
CHANGE MASTER TO MASTER_HOST = '$HOST', MASTER_PORT = $PRIMARY_PORT,
    MASTER_USER = '$REPL_USER', MASTER_PASSWORD = '$REPL_PASSWORD',
    MASTER_USE_GTID = slave_pos, MASTER_CONNECT_RETRY = 1;
START SLAVE;
SQL
}

set_delay() { # MASTER_DELAY needs the replication threads stopped
    [[ $1 =~ ^[0-9]+$ ]] || die "delay: a number of seconds, not '$1'"
    sql replica -e "STOP SLAVE; CHANGE MASTER TO MASTER_DELAY = $1; START SLAVE"
}

wait_sync() { # wait until the replica has applied the primary's GTID position
    local timeout=${1:-30} position result
    position=$(value primary 'SELECT @@gtid_binlog_pos')
    result=$(value replica "SELECT MASTER_GTID_WAIT('$position', $timeout)")
    if [ "$result" != 0 ]; then
        say "the replica has not reached the primary's position $position within $timeout s"
        status >&2
        return 1
    fi
}

cmd_start() {
    [ "$(id -u)" = 0 ] || die "run as root (the servers run as the mysql user)"
    [ -x "$MARIADBD" ] || die "no $MARIADBD: apt-get install mariadb-server"
    if [ -f "$READY" ]; then
        # Set up earlier: make sure both run, say where.
        start_node primary
        start_node replica
        print_urls
        return 0
    fi
    if [ -d "$LAB_DIR" ]; then
        say "an unfinished lab in $LAB_DIR: starting over"
        cmd_stop
    fi
    local t0=$SECONDS
    install -d -m 0755 "$LAB_DIR"
    make_credentials APP_PASSWORD REPL_PASSWORD
    prepare_time_zones
    write_config_and_init() { init_node "$1" && write_config "$1" "$2"; }
    write_config_and_init primary 1 &
    local init_primary=$!
    write_config_and_init replica 2 &
    local init_replica=$!
    wait "$init_primary" && wait "$init_replica" || die "could not initialise the data directories"
    start_node primary &
    local start_primary=$!
    start_node replica &
    local start_replica=$!
    wait "$start_primary" && wait "$start_replica" || die "could not start the servers"
    say "primary on $HOST:$PRIMARY_PORT, replica on $HOST:$REPLICA_PORT ($((SECONDS - t0)) s)"
    load_time_zones primary &
    local tz_primary=$!
    load_time_zones replica &
    local tz_replica=$!
    wait "$tz_primary" && wait "$tz_replica" || die "could not load the time zone tables"
    create_accounts
    start_replication
    wait_sync 30 || die "replication does not run"
    say "replication runs ($((SECONDS - t0)) s)"
    migrate "$(url primary)"
    wait_sync 60 || die "the replica did not apply the migrations"
    touch "$READY"
    say "ready in $((SECONDS - t0)) s"
    print_urls
}

cmd_stop() {
    stop_node replica
    stop_node primary
    # Only our own directory, and only if it looks like one of ours.
    if [ -d "$LAB_DIR" ] && { [ -f "$LAB_DIR/credentials" ] || [ -d "$LAB_DIR/primary" ]; }; then
        rm -rf "$LAB_DIR"
    fi
    say "stopped"
}

status() {
    local node
    for node in primary replica; do
        if node_up "$node"; then
            printf '%s: up, %s:%s, pid %s, server_id %s, read_only %s, gtid_binlog_pos %s\n' "$node" \
                "$HOST" "$(node_port "$node")" "$(node_pid "$node")" \
                $(value "$node" 'SELECT @@server_id, @@read_only, @@gtid_binlog_pos')
        else
            echo "$node: down"
        fi
    done
    if node_up replica; then
        sql replica -e 'SHOW SLAVE STATUS\G' |
            grep -E '^ *(Slave_(IO|SQL)_Running|Seconds_Behind_Master|SQL_Delay|Using_Gtid|Gtid_IO_Pos|Last_(IO|SQL)_Error):'
        echo "gtid_slave_pos: $(value replica 'SELECT @@gtid_slave_pos')"
    fi
}

need_lab() { [ -f "$READY" ] || die "no lab in $LAB_DIR: run '$0 start' first"; }

case "${1:-}" in
start) cmd_start ;;
stop) cmd_stop ;;
urls) need_lab && print_urls ;;
status) need_lab && status ;;
stop-replica) need_lab && stop_node replica && say "replica stopped" ;;
start-replica) need_lab && start_node replica && say "replica started" ;;
stop-sql-thread) need_lab && sql replica -e 'STOP SLAVE SQL_THREAD' && say "replica SQL thread stopped" ;;
start-sql-thread) need_lab && sql replica -e 'START SLAVE SQL_THREAD' && say "replica SQL thread started" ;;
delay) need_lab && set_delay "${2:-30}" && say "replica delayed by ${2:-30} s" ;;
no-delay) need_lab && set_delay 0 && say "replica no longer delayed" ;;
wait-sync) need_lab && wait_sync "${2:-30}" ;;
*)
    sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
