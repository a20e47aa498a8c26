# lab/lib.sh — what the MariaDB labs (lab/replica-lab.sh, lab/galera-lab.sh) share: one mariadbd
# per node, each with its own directory $LAB_DIR/NODE (data, my.cnf, socket, pid file, error log,
# tmp), run as the mysql user; root only through the node's Unix socket.
# The sourcing script sets ROOT, LAB_NAME (for messages), LAB_DIR, PYTHON, SETTINGS and LAB_MIGRATE,
# and defines node_port NODE.
# shellcheck shell=bash

MARIADBD=/usr/sbin/mariadbd
START_TIMEOUT=60 # seconds for a server to answer on its socket
STOP_TIMEOUT=60  # seconds for a server to shut down after SIGTERM, before SIGKILL

say() { printf '%s: %s\n' "$LAB_NAME" "$*" >&2; }
die() { say "error: $*"; exit 1; }

node_dir() { echo "$LAB_DIR/$1"; }
sql() { # sql NODE [mariadb options...] — root through the node's socket; SQL on stdin or -e
    local node=$1
    shift
    mariadb --no-defaults --protocol=SOCKET -S "$(node_dir "$node")/mysqld.sock" -u root \
        --connect-timeout=5 "$@"
}
value() { sql "$1" -N -B -e "$2"; } # one value, no headers

node_pid() { # the server's pid if it runs, else nothing
    local pidfile
    pidfile="$(node_dir "$1")/mysqld.pid"
    [ -s "$pidfile" ] || return 0
    local pid
    pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null && grep -q mariadbd "/proc/$pid/comm" 2>/dev/null; then
        echo "$pid"
    fi
}
node_up() { [ -n "$(node_pid "$1")" ] && sql "$1" -e 'SELECT 1' >/dev/null 2>&1; }

log_tail() { tail -n 20 "$(node_dir "$1")/error.log" 2>/dev/null >&2 || true; }

init_node() { # a fresh data directory (no binary log yet: it starts with the server)
    local node=$1 dir
    dir=$(node_dir "$node")
    install -d -o mysql -g mysql -m 0750 "$dir" "$dir/tmp"
    # Its own tmpdir: two bootstraps at once in /tmp have been seen to trip over each other's
    # temporary tables.
    mariadb-install-db --no-defaults --datadir="$dir/data" --tmpdir="$dir/tmp" --user=mysql \
        --auth-root-authentication-method=socket --skip-test-db >"$dir/install.log" 2>&1 ||
        { cat "$dir/install.log" >&2; die "mariadb-install-db failed for the $node"; }
}

start_node() { # start_node NODE [mariadbd options...]; returns once it answers
    local node=$1 dir
    shift
    dir=$(node_dir "$node")
    if node_up "$node"; then return 0; fi
    [ -z "$(node_pid "$node")" ] || die "the $node runs (pid $(node_pid "$node")) but does not answer"
    # Only what this start writes to the error log counts (a restart appends to it).
    local log_start
    log_start=$(($(stat -c %s "$dir/error.log" 2>/dev/null || echo 0) + 1))
    # setsid: the server outlives this script and the make or test run that started it.
    setsid "$MARIADBD" --defaults-file="$dir/my.cnf" --user=mysql "$@" </dev/null >/dev/null 2>&1 &
    local deadline=$((SECONDS + START_TIMEOUT))
    until sql "$node" -e 'SELECT 1' >/dev/null 2>&1; do
        if tail -c "+$log_start" "$dir/error.log" 2>/dev/null | grep -q '\[ERROR\] Aborting'; then
            tail -c "+$log_start" "$dir/error.log" | tail -n 20 >&2
            die "the $node did not start (port $(node_port "$node") taken?)"
        fi
        if [ $SECONDS -ge $deadline ]; then
            log_tail "$node"
            die "the $node did not answer within $START_TIMEOUT s"
        fi
        sleep 0.2
    done
}

stop_node() { # SIGTERM is a clean shutdown; SIGKILL only if it hangs
    local node=$1 pid
    pid=$(node_pid "$node")
    [ -n "$pid" ] || return 0
    kill -TERM "$pid"
    local deadline=$((SECONDS + STOP_TIMEOUT))
    while kill -0 "$pid" 2>/dev/null; do
        if [ $SECONDS -ge $deadline ]; then
            say "the $node did not stop within $STOP_TIMEOUT s: SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
        fi
        sleep 0.2
    done
}


make_credentials() { # make_credentials NAME... — a new random password for each, in $LAB_DIR/credentials
    local name
    (
        umask 077
        for name in "$@"; do
            # Letters and digits only: django-environ reads a value starting with $ as a reference.
            printf '%s=%s\n' "$name" "$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
        done >"$LAB_DIR/credentials"
    )
}

load_credentials() {
    # shellcheck source=/dev/null
    . "$LAB_DIR/credentials"
}

# Django converts datetimes to Asia/Jakarta inside MariaDB (__date lookups): that needs the time
# zone tables, empty in a new server. prepare_time_zones once, then load_time_zones NODE for each
# (in parallel if need be), outside the binary log: a replica loads its own rather than replaying.
prepare_time_zones() { mysql_tzinfo_to_sql /usr/share/zoneinfo >"$LAB_DIR/tz.sql" 2>/dev/null; }
load_time_zones() {
    { echo "SET SESSION sql_log_bin = 0;"; cat "$LAB_DIR/tz.sql"; } | sql "$1" mysql
}

migrate() { # migrate DATABASE_URL — the clinic's schema, with PYTHON and DJANGO_SETTINGS_MODULE
    [ "$LAB_MIGRATE" = 1 ] || { say "LAB_MIGRATE=$LAB_MIGRATE: not migrating"; return 0; }
    [ -x "$PYTHON" ] || die "no $PYTHON: run 'make install-dev install-mysql' first (or LAB_MIGRATE=0)"
    say "manage.py migrate ($SETTINGS)"
    (cd "$ROOT" && env -u DATABASE_REPLICA_URLS DATABASE_URL="$1" \
        DJANGO_SETTINGS_MODULE="$SETTINGS" "$PYTHON" manage.py migrate --no-input -v 0)
}
