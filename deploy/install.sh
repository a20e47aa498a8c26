#!/usr/bin/env bash
# Sets up (first run) or upgrades (every later run) a Klinik server on Debian 12 / Ubuntu 24.04
# from the clone it lives in, which must be /opt/klinik/app. As root:
#
#     sudo KLINIK_DOMAIN=klinik.example.co.id /opt/klinik/app/deploy/install.sh
#
# docs/deploy.md walks through it. Safe to run again: nothing that exists is overwritten
# (/etc/klinik/klinik.env, the certificate, the database and its user keep what they have), and
# an upgrade takes a backup first, migrates while the running app keeps serving, adds the new
# static files beside the old ones, then reloads gunicorn gracefully (no request dropped) and
# restarts the task worker.
#
# Settings (environment):
#   KLINIK_DOMAIN     the site's name (first run; later read from the nginx site)
#   KLINIK_SKIP_APT=1 do not install Debian packages (they are there already)
#   KLINIK_NO_SYSTEMD=1  do not call systemctl (also automatic when systemd is not PID 1:
#                     containers, CI); the script then prints what it skipped
set -euo pipefail
umask 022

APP=/opt/klinik/app
VENV=/opt/klinik/venv
STATIC=/opt/klinik/static
ETC=/etc/klinik
ENV_FILE=$ETC/klinik.env
BACKUPS=/var/backups/klinik
USER_NAME=klinik
# Debian's own Python (python3-venv): not whatever `python3` a PATH finds first (pyenv, conda
# in root's home), which the klinik user could not run.
SYSTEM_PYTHON=/usr/bin/python3
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

say() { printf '\n==> %s\n' "$*"; }
note() { printf '    %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (sudo $0)"
[ "$HERE" = "$APP" ] || die "the clone must be $APP (it is $HERE): git clone <repository> $APP"

SYSTEMD=1
if [ "${KLINIK_NO_SYSTEMD:-0}" = 1 ] || [ "$(ps -p 1 -o comm= 2>/dev/null)" != systemd ]; then
    SYSTEMD=0
fi
FIRST_RUN=1
[ -f "$ENV_FILE" ] && FIRST_RUN=0

# --- 1. Debian packages -----------------------------------------------------------------------
say "1. System packages"
PKGS=(python3-venv python3-dev libmariadb-dev pkg-config gcc gettext git openssl ca-certificates
    mariadb-server mariadb-client redis-server nginx logrotate curl
    libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core tzdata)
if [ "${KLINIK_SKIP_APT:-0}" = 1 ]; then
    note "skipped (KLINIK_SKIP_APT=1)"
else
    MISSING=()
    for p in "${PKGS[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || MISSING+=("$p")
    done
    if [ ${#MISSING[@]} -gt 0 ]; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${MISSING[@]}"
    else
        note "all present"
    fi
fi

# --- 2. User and folders ---------------------------------------------------------------------
say "2. User $USER_NAME and folders"
if ! id "$USER_NAME" >/dev/null 2>&1; then
    adduser --system --group --home /opt/klinik --no-create-home --shell /usr/sbin/nologin "$USER_NAME"
fi
install -d -o root -g root -m 0755 /opt/klinik
install -d -o "$USER_NAME" -g "$USER_NAME" -m 0755 "$STATIC"
install -d -o "$USER_NAME" -g "$USER_NAME" -m 0700 "$BACKUPS"
install -d -o root -g "$USER_NAME" -m 0750 "$ETC"
install -d -o root -g root -m 0755 /var/www/letsencrypt
# The code belongs to root: the app cannot change itself.
note "code: $APP (owner root), static: $STATIC, backups: $BACKUPS, settings: $ENV_FILE"

# --- 3. Settings and the database (first run only) -------------------------------------------
say "3. Settings ($ENV_FILE) and database"
if [ "$FIRST_RUN" = 1 ]; then
    [ -n "${KLINIK_DOMAIN:-}" ] || die "first run: set KLINIK_DOMAIN (the name the staff type in the browser)"
    DB_PASSWORD=$("$SYSTEM_PYTHON" -c 'import secrets; print(secrets.token_hex(24))')
    SECRET=$("$SYSTEM_PYTHON" -c 'import secrets; print(secrets.token_urlsafe(50))')
    # The keys come from the app itself once the virtualenv exists (step 4): placeholders first.
    sed -e "s|^SECRET_KEY=.*|SECRET_KEY=$SECRET|" \
        -e "s|^ALLOWED_HOSTS=.*|ALLOWED_HOSTS=$KLINIK_DOMAIN|" \
        -e "s|klinik:CHANGE-ME@|klinik:$DB_PASSWORD@|" \
        "$APP/deploy/klinik.env.example" > "$ENV_FILE.new"
    chown root:"$USER_NAME" "$ENV_FILE.new"
    chmod 0640 "$ENV_FILE.new"
    # MariaDB through root's socket: the database and its user (password as in the file).
    mariadb --protocol=socket -u root <<SQL
CREATE DATABASE IF NOT EXISTS klinik CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'klinik'@'127.0.0.1' IDENTIFIED BY '$DB_PASSWORD';
CREATE USER IF NOT EXISTS 'klinik'@'localhost' IDENTIFIED BY '$DB_PASSWORD';
ALTER USER 'klinik'@'127.0.0.1' IDENTIFIED BY '$DB_PASSWORD';
ALTER USER 'klinik'@'localhost' IDENTIFIED BY '$DB_PASSWORD';
GRANT ALL PRIVILEGES ON klinik.* TO 'klinik'@'127.0.0.1';
GRANT ALL PRIVILEGES ON klinik.* TO 'klinik'@'localhost';
FLUSH PRIVILEGES;
SQL
    # Django converts dates to the clinic's time zone inside MariaDB: its time zone tables.
    if [ "$(mariadb -u root -N -e 'SELECT COUNT(*) FROM mysql.time_zone_name')" = 0 ]; then
        mariadb-tzinfo-to-sql /usr/share/zoneinfo 2>/dev/null | mariadb -u root mysql
    fi
    note "database klinik and user klinik ready; secrets written"
else
    note "$ENV_FILE exists: kept as it is (upgrade)"
fi

# --- 4. Virtualenv ---------------------------------------------------------------------------
say "4. Virtualenv $VENV"
# A virtualenv of another Python (moved, or made by hand) is made again.
if [ -x "$VENV/bin/python" ] && [ "$(readlink -f "$VENV/bin/python")" != "$(readlink -f "$SYSTEM_PYTHON")" ]; then
    note "$VENV was made with $(readlink -f "$VENV/bin/python"): made again with $SYSTEM_PYTHON"
    rm -rf "$VENV"
fi
[ -x "$VENV/bin/python" ] || "$SYSTEM_PYTHON" -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check --upgrade pip
"$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$APP/requirements-mysql.txt"
note "$("$VENV/bin/python" -c 'import django, gunicorn; print("Django", django.get_version(), "gunicorn", gunicorn.__version__)')"

if [ "$FIRST_RUN" = 1 ]; then
    KEYS=$(cd "$APP" && "$VENV/bin/python" manage.py generate_encryption_keys 2>/dev/null)
    FEK=$(printf '%s\n' "$KEYS" | sed -n 's/^FIELD_ENCRYPTION_KEYS=//p')
    BIK=$(printf '%s\n' "$KEYS" | sed -n 's/^BLIND_INDEX_KEY=//p')
    AK=$(printf '%s\n' "$KEYS" | sed -n 's/^AUDIT_KEY=//p')
    sed -i -e "s|^FIELD_ENCRYPTION_KEYS=.*|FIELD_ENCRYPTION_KEYS=$FEK|" \
        -e "s|^BLIND_INDEX_KEY=.*|BLIND_INDEX_KEY=$BIK|" \
        -e "s|^AUDIT_KEY=.*|AUDIT_KEY=$AK|" "$ENV_FILE.new"
    mv "$ENV_FILE.new" "$ENV_FILE"
    note "encryption keys written to $ENV_FILE: KEEP A COPY OFF THIS SERVER"
fi

# manage.py as the klinik user with the production settings and the env file (deploy/manage.sh).
manage() { "$APP/deploy/manage.sh" "$@"; }

# --- 5. Database: backup (upgrade), migrate, audit triggers ------------------------------------
say "5. Database"
if [ "$FIRST_RUN" = 0 ]; then
    BEFORE="$BACKUPS/pre-upgrade-$(date +%Y%m%d-%H%M%S).dump"
    manage backup "$BEFORE"
    note "backup before the upgrade: $BEFORE (docs/deploy.md, \"Rolling back\")"
fi
# The running app keeps serving meanwhile: a release's migrations only add (docs/deploy.md).
manage migrate --no-input
manage audit_protect


# --- 6. Static files and translations -----------------------------------------------------------
say "6. Static files and translations"
# Without --clear: the old hashed files stay, so pages of the running old code still find theirs.
manage collectstatic --no-input --verbosity 0
note "static files in $STATIC"
(cd "$APP" && env DJANGO_SETTINGS_MODULE=clinic.settings.test "$VENV/bin/python" manage.py compilemessages \
    --ignore=.venv --verbosity 0)
manage check --deploy --fail-level WARNING

# --- 7. TLS certificate, nginx, logrotate ----------------------------------------------------
say "7. nginx and the certificate"
install -d -o root -g root -m 0755 "$ETC/tls"
if [ ! -f "$ETC/tls/fullchain.pem" ]; then
    DOMAIN=${KLINIK_DOMAIN:?KLINIK_DOMAIN is needed to make the first certificate}
    # A self-signed certificate so nginx can start; replace it with the clinic's own or Let's
    # Encrypt's (docs/deploy.md step 4).
    openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=$DOMAIN" \
        -addext "subjectAltName=DNS:$DOMAIN" \
        -keyout "$ETC/tls/privkey.pem" -out "$ETC/tls/fullchain.pem" 2>/dev/null
    chmod 0600 "$ETC/tls/privkey.pem"
    note "self-signed certificate for $DOMAIN written (replace it: docs/deploy.md step 4)"
fi
SITE=/etc/nginx/sites-available/klinik
DOMAIN=${KLINIK_DOMAIN:-$(sed -n 's/^ *server_name \([^;]*\);/\1/p' "$SITE" 2>/dev/null | head -n 1)}
[ -n "$DOMAIN" ] || die "KLINIK_DOMAIN is not set and $SITE does not name the site"
sed "s/klinik\.example\.co\.id/$DOMAIN/g" "$APP/deploy/nginx/klinik.conf" > "$SITE.new"
mv "$SITE.new" "$SITE"
ln -sfn "$SITE" /etc/nginx/sites-enabled/klinik
install -m 0644 "$APP/deploy/logrotate/klinik" /etc/logrotate.d/klinik
nginx -t -q
note "nginx site $SITE for $DOMAIN"

# --- 8. systemd units --------------------------------------------------------------------------
say "8. Services"
UNITS=(klinik-web.socket klinik-web.service klinik-worker.service klinik-backup.service klinik-backup.timer
    klinik-audit-chain.service klinik-audit-chain.timer klinik-sessions.service klinik-sessions.timer)
for unit in "${UNITS[@]}"; do
    install -m 0644 "$APP/deploy/systemd/$unit" "/etc/systemd/system/$unit"
done
if [ "$SYSTEMD" = 0 ]; then
    note "systemd is not running here (PID 1 is $(ps -p 1 -o comm=)): units installed in /etc/systemd/system"
    note "but not started. On a real server this step runs:"
    note "  systemctl daemon-reload; systemctl enable --now klinik-web.socket klinik-worker.service"
    note "  klinik-backup.timer klinik-audit-chain.timer klinik-sessions.timer; systemctl reload nginx"
    exit 0
fi
systemctl daemon-reload
systemctl enable --now redis-server mariadb nginx
systemctl enable --now klinik-web.socket klinik-backup.timer klinik-audit-chain.timer klinik-sessions.timer
systemctl enable klinik-web.service klinik-worker.service
if systemctl is-active --quiet klinik-web.service; then
    # Graceful: new workers on the new code, the old ones finish their requests first.
    systemctl reload klinik-web.service
    note "gunicorn reloaded (no request dropped)"
else
    systemctl start klinik-web.service
fi
systemctl restart klinik-worker.service
systemctl reload nginx
# The site answers through nginx (the certificate may be self-signed still: -k).
for _ in $(seq 30); do
    if curl -fsk --resolve "$DOMAIN:443:127.0.0.1" "https://$DOMAIN/healthz" >/dev/null; then
        say "Done: https://$DOMAIN/ answers."
        [ "$FIRST_RUN" = 1 ] && note "next: deploy/manage.sh createsuperuser (docs/deploy.md step 5)"
        exit 0
    fi
    sleep 1
done
die "https://$DOMAIN/healthz does not answer: journalctl -u klinik-web -n 50"
