"""gunicorn's settings for Klinik (docs/deploy.md). The klinik-web unit starts
`gunicorn -c /opt/klinik/app/deploy/gunicorn.conf.py clinic.wsgi`.

Socket-activated: systemd (klinik-web.socket) holds /run/klinik/gunicorn.sock and hands it to
gunicorn, so requests wait in the socket's queue while gunicorn restarts instead of failing.
Without systemd, KLINIK_BIND says where to listen (e.g. unix:/run/klinik/gunicorn.sock).
`systemctl reload klinik-web` (SIGHUP) starts new workers on the new code and stops the old ones
once they have finished their requests: the upgrade path (deploy/install.sh).
"""

import multiprocessing
import os

# Ignored when systemd passes the socket (LISTEN_FDS).
bind = [os.environ.get("KLINIK_BIND", "unix:/run/klinik/gunicorn.sock")]
# Each worker handles one request at a time; 2 per core plus 1, at most 9, unless set.
workers = int(os.environ.get("GUNICORN_WORKERS") or min(2 * multiprocessing.cpu_count() + 1, 9))
# A request that takes longer is killed (the worker restarts); a PDF receipt takes ~1 s.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# Time an old worker gets to finish its requests after a reload or stop.
graceful_timeout = 30
# Keep-alive with nginx on the same machine.
keepalive = 5
# Workers are replaced after this many requests (bounded memory growth).
max_requests = 2000
max_requests_jitter = 200
# Not preloaded: a reload (SIGHUP) then loads the new code in the new workers.
preload_app = False
# Logs to the journal (stdout/stderr of the unit); one access line per request.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# gunicorn sees nginx through a unix socket (no address): the access log shows nginx's X-Real-IP.
access_log_format = '%({x-real-ip}i)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
# gunicorn 25.1+ opens a control socket in $XDG_RUNTIME_DIR or ~/.gunicorn by default; the unit's
# ProtectHome= forbids the second, and systemctl's signals (reload, stop) do the same job.
control_socket_disable = True
# The client's real address comes from nginx's X-Forwarded-For (AUDIT_TRUSTED_PROXIES=1), read by
# the app itself (audit.services.client_ip); gunicorn only trusts the scheme header from nginx on
# this machine.
forwarded_allow_ips = "127.0.0.1,::1"
proc_name = "klinik-web"
