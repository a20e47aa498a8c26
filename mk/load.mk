# mk/load.mk — included by the Makefile (uses its VENV, PY, MANAGE, BIN, STAMP_*, DB_DRIVER).
#
# make load   a clinic's day under load (bench/locustfile.py; docs/performance.md, "Load test"):
#             gunicorn serves the app with the production settings against DATABASE_URL, locust
#             plays LOAD_USERS staff (receptionists and doctors, 35:15) for LOAD_MINUTES, then
#             prints p50/p95/p99 per page and overall and the errors, stops gunicorn, and fails
#             when a request failed or the overall p95 is above LOAD_P95_MS.
#
#   DATABASE_URL='mysql://root@127.0.0.1:3306/clinic_bench_1m?charset=utf8mb4' LOAD_KEYS=test make load
#   make load LOAD_MINUTES=0.5 LOAD_USERS=10            (a short try)
#
# The database must hold the staff accounts (default: seed_demo's bench_* users and its default
# password; the sample data's: LOAD_RECEPTIONISTS=resepsionis LOAD_DOCTORS=dokter,dokter2
# LOAD_PASSWORD=klinik-demo-2026), and the app needs the encryption keys the data was written
# with, in the environment or .env; LOAD_KEYS=test uses the test settings' fixed keys, which
# seed_demo's databases are encrypted with.

STAMP_LOAD = $(VENV)/.installed-load
LOAD_USERS ?= 50
LOAD_MINUTES ?= 5
LOAD_SPAWN_RATE ?= 2
LOAD_P95_MS ?= 100
LOAD_PORT ?= 8765
LOAD_WORKERS ?= $(shell echo $$(( $$(nproc) * 2 + 1 )))
LOAD_RECEPTIONISTS ?= bench_receptionist
LOAD_DOCTORS ?= bench_doctor,bench_dokter_00002,bench_dokter_00003,bench_dokter_00004,bench_dokter_00005
LOAD_PASSWORD ?= bench-demo-2026
LOAD_KEYS ?=
LOAD_DIR ?= /tmp/clinic-load-$(LOAD_PORT)
# The shared session cache production needs (Redis on this machine), under a key prefix of its own.
LOAD_REDIS_URL ?= redis://127.0.0.1:6379/14?key_prefix=clinic-load
export LOAD_RECEPTIONISTS LOAD_DOCTORS LOAD_PASSWORD LOAD_P95_MS

# The test settings' fixed keys, for seed_demo's databases only (never a real clinic's data).
LOAD_TEST_KEYS = $(PY) -c 'from clinic.settings.test import TEST_FIELD_ENCRYPTION_KEYS as f, TEST_BLIND_INDEX_KEY as b, TEST_AUDIT_KEY as a; print(f"export FIELD_ENCRYPTION_KEYS={f} BLIND_INDEX_KEY={b} AUDIT_KEY={a}")'

# GET a page of the app as the reverse proxy would pass it on (no curl needed).
LOAD_GET = $(PY) -c 'import sys, urllib.request as r; r.urlopen(r.Request(sys.argv[1], headers={"X-Forwarded-Proto": "https"}), timeout=30)'

.PHONY: load install-load

$(STAMP_LOAD): requirements-load.txt requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-load.txt
	@touch $@

install-load: $(STAMP_LOAD)

# The production settings, unchanged (connections kept 60 s, sessions cached in Redis: REDIS_URL,
# else LOAD_REDIS_URL), with a throwaway SECRET_KEY. HTTPS is the reverse proxy's
# part, which the load client plays (X-Forwarded-Proto, see bench/locustfile.py). The first
# requests of each worker compile templates: a few untimed requests for the login page warm them up. gunicorn is
# stopped whatever happens (trap); its log stays in $(LOAD_DIR)/gunicorn.log, locust's CSV
# files beside it.
load: $(STAMP_LOAD) $(DB_DRIVER)
	@[ -n "$$DATABASE_URL" ] || { echo "error: set DATABASE_URL to the database to load (docs/performance.md)" >&2; exit 1; }
	@mkdir -p $(LOAD_DIR)
	@set -e; \
	if [ "$(LOAD_KEYS)" = test ]; then eval "$$($(LOAD_TEST_KEYS))"; fi; \
	export DJANGO_SETTINGS_MODULE=clinic.settings.production ALLOWED_HOSTS=127.0.0.1 \
		REDIS_URL="$${REDIS_URL:-$(LOAD_REDIS_URL)}" \
		SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')"; \
	$(PY) -m bench.load_accounts; \
	$(MANAGE) collectstatic --no-input -v 0; \
	$(BIN)/gunicorn clinic.wsgi:application --bind 127.0.0.1:$(LOAD_PORT) --workers $(LOAD_WORKERS) \
		--no-control-socket > $(LOAD_DIR)/gunicorn.log 2>&1 & \
	server=$$!; \
	trap 'kill $$server 2>/dev/null; wait $$server 2>/dev/null || true' EXIT; \
	for i in $$(seq 1 60); do \
		$(LOAD_GET) http://127.0.0.1:$(LOAD_PORT)/healthz 2>/dev/null && break; \
		if [ $$i -eq 60 ] || ! kill -0 $$server 2>/dev/null; then \
			echo "error: gunicorn did not start; its log ($(LOAD_DIR)/gunicorn.log):" >&2; \
			tail -n 30 $(LOAD_DIR)/gunicorn.log >&2; exit 1; fi; \
		sleep 1; done; \
	for i in $$(seq 1 $$(( $(LOAD_WORKERS) * 3 ))); do \
		$(LOAD_GET) http://127.0.0.1:$(LOAD_PORT)/accounts/login/; done; \
	echo "gunicorn: $(LOAD_WORKERS) workers on 127.0.0.1:$(LOAD_PORT); locust: $(LOAD_USERS) users for $(LOAD_MINUTES) min; load average: $$(cut -d' ' -f1-3 /proc/loadavg)"; \
	status=0; \
	$(BIN)/locust -f bench/locustfile.py --headless --host http://127.0.0.1:$(LOAD_PORT) \
		--users $(LOAD_USERS) --spawn-rate $(LOAD_SPAWN_RATE) \
		--run-time $$($(PY) -c 'import sys; print(max(1, round(float(sys.argv[1]) * 60)))' $(LOAD_MINUTES))s \
		--only-summary --csv $(LOAD_DIR)/locust --loglevel WARNING || status=$$?; \
	echo "load average at the end: $$(cut -d' ' -f1-3 /proc/loadavg)"; \
	if grep -q "Traceback" $(LOAD_DIR)/gunicorn.log; then \
		echo "note: server errors in $(LOAD_DIR)/gunicorn.log"; status=1; fi; \
	exit $$status
