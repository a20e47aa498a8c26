#!/usr/bin/env bash
# manage.py on the server, as the klinik user with the production settings and
# /etc/klinik/klinik.env, as the klinik-* units run it. As root:
#
#     sudo /opt/klinik/app/deploy/manage.sh createsuperuser
#     sudo /opt/klinik/app/deploy/manage.sh showmigrations
#
# The env file is read line by line as systemd's EnvironmentFile= reads it (values may contain
# spaces; no shell quoting or expansion).
set -euo pipefail
APP=/opt/klinik/app
VENV=/opt/klinik/venv
ENV_FILE=${KLINIK_ENV_FILE:-/etc/klinik/klinik.env}
[ "$(id -u)" -eq 0 ] || { echo "error: run as root (sudo $0 ...)" >&2; exit 1; }
[ -r "$ENV_FILE" ] || { echo "error: $ENV_FILE is missing: run deploy/install.sh first" >&2; exit 1; }
vars=(DJANGO_SETTINGS_MODULE=clinic.settings.production PYTHONDONTWRITEBYTECODE=1 LANG=C.UTF-8)
while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in '' | '#'*) continue ;; esac
    vars+=("$line")
done < "$ENV_FILE"
cd "$APP"

exec runuser -u klinik -- env -i PATH=/usr/bin:/bin HOME=/opt/klinik "${vars[@]}" "$VENV/bin/python" manage.py "$@"
