# Clinic — developer commands. GNU make; needs Python 3.10+ with venv
# (Debian/Ubuntu: `sudo apt-get install python3-venv`). No root, no MySQL headers needed
# for SQLite: the MariaDB driver is only installed when DATABASE_URL is a mysql:// URL.
#
#   make run      create .venv, install, write development encryption keys to .env if it has
#                 none, migrate, load the sample data into a new database, serve
#                 http://127.0.0.1:8000
#   make test     run the test suite; DATABASE_URL picks the database:
#                   make test                                   (SQLite, in memory)
#                   DATABASE_URL=mysql://clinic:secret@127.0.0.1:3306/clinic?charset=utf8mb4 make test
#                   DATABASE_URL=postgres://clinic:secret@127.0.0.1:5432/clinic make test
#                 extra pytest options: make test PYTEST_ARGS="-k booking -x"
#   make lint     ruff (lint and format check) and import-linter (the apps' layers, .importlinter)
#   make help     list every target

PYTHON ?= python3
VENV = .venv
BIN = $(VENV)/bin
PY = $(BIN)/python
MANAGE = $(PY) manage.py
PYTEST_ARGS ?=
RUN_ADDR ?= 127.0.0.1:8000

# The sample data, in load order (fixtures/*.json, written by `make fixtures`).
FIXTURES = users patients scheduling records billing pharmacy

# Stamp files: each install step re-runs when its requirements file changes.
STAMP_BASE = $(VENV)/.installed-base
STAMP_DEV = $(VENV)/.installed-dev
STAMP_MYSQL = $(VENV)/.installed-mysql

# mysql://, mysql2://, mysqlgis:// need mysqlclient (requirements-mysql.txt): every target that
# touches the database installs it then.
ifneq ($(filter mysql%,$(DATABASE_URL)),)
DB_DRIVER = $(STAMP_MYSQL)
endif

.DEFAULT_GOAL := help
.PHONY: help venv install install-dev install-mysql run migrate sampledata compilemessages \
	test lint format fixtures messages reset-db clean distclean test-e2e dev-keys setup satusehat-mock

# Translation commands read no patient data: they run with the test settings, which carry their
# own encryption keys, so `make test` works without a .env.
I18N_SETTINGS = DJANGO_SETTINGS_MODULE=clinic.settings.test

help:
	@echo "make run        install, write dev encryption keys to .env if missing, migrate, load sample data into a new db,"
	@echo "                serve http://$(RUN_ADDR)"
	@echo "make setup      what 'make run' does before it serves (install, keys, migrate, sample data)"
	@echo "make test       run the tests (DATABASE_URL picks the database; PYTEST_ARGS passes options)"
	@echo "make lint       ruff check, ruff format --check and lint-imports (the apps' layers)"
	@echo "make format     ruff format, then ruff check --fix"
	@echo "make test-e2e   browser tests (e2e/) in Debian's Chromium: sudo apt-get install chromium"
	@echo "make install    create $(VENV) and install requirements.txt (alias: make venv)"
	@echo "make install-dev / install-mysql   add the test tools / the MariaDB driver"
	@echo "make fixtures   regenerate the sample data in fixtures/ (generate_sample_data)"
	@echo "make messages   update locale/id/LC_MESSAGES/django.po and compile it (needs gettext)"
	@echo "make reset-db   delete the SQLite file db.sqlite3 (the next 'make run' reloads the sample data)"
	@echo "make seed-demo PATIENTS=N   a synthetic clinic of N patients in DATABASE_URL's database (seed_demo)"
	@echo "make bench      the benchmark suite against DATABASE_URL (bench-compare: R_N; bench-ci: CI's small size)"
	@echo "make crawl OUT=dir   every staff page as each role on the sample data (crawl-compare OLD=dir NEW=dir)"
	@echo "make load       locust: 50 staff for 5 minutes against gunicorn (docs/performance.md)"
	@echo "make replica-lab / replica-lab-stop / replica-ci   a MariaDB primary + replica lab (as root; docs/scaling.md)"
	@echo "make galera-lab / galera-lab-stop                  a three-node Galera lab (as root)"
	@echo "make satusehat-mock  a local SATUSEHAT on 127.0.0.1:8090 knowing the sample data (SATUSEHAT_ENV=mock)"
	@echo "make clean      remove caches and collected static files"
	@echo "make distclean  clean, and remove $(VENV)"

# --- virtual environment ----------------------------------------------------------------

# A failed `python3 -m venv` (python3-venv missing) leaves a .venv without pip: remove it so
# the next try starts over.
$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' || \
		{ echo "error: $(PYTHON) is older than 3.10; Django 5.2 needs 3.10+ (make PYTHON=python3.12 ...)" >&2; exit 1; }
	@echo "$(PYTHON) -m venv $(VENV)"
	@$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
		echo "error: could not create $(VENV). On Debian/Ubuntu: sudo apt-get install python3-venv" >&2; \
		exit 1; }
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP_BASE): requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(STAMP_DEV): requirements-dev.txt requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

$(STAMP_MYSQL): requirements-mysql.txt requirements.txt | $(PY)
	@echo "$(PY) -m pip install --quiet -r requirements-mysql.txt"
	@$(PY) -m pip install --quiet -r requirements-mysql.txt || { \
		echo "error: mysqlclient did not build. It needs the MariaDB/MySQL client headers:" >&2; \
		echo "  sudo apt-get install libmariadb-dev pkg-config gcc python3-dev" >&2; \
		echo "  (or default-libmysqlclient-dev instead of libmariadb-dev)" >&2; exit 1; }
	@touch $@

venv install: $(STAMP_BASE)
install-dev: $(STAMP_DEV)
install-mysql: $(STAMP_MYSQL)

# --- running the app --------------------------------------------------------------------

# Patients' NIK, phone and email are stored encrypted (README.md, "Encryption"). For development,
# `make run` appends new keys to .env (mode 600; git ignores it) when neither the environment nor
# .env has them. Production sets FIELD_ENCRYPTION_KEYS, BLIND_INDEX_KEY and AUDIT_KEY in the environment.
KEY_VARS = FIELD_ENCRYPTION_KEYS BLIND_INDEX_KEY AUDIT_KEY
# manage.py loads the settings, and with a mysql:// DATABASE_URL those need the MariaDB driver:
# it is installed first (a fresh clone's `make run` stopped here with "Error loading MySQLdb").
dev-keys: $(STAMP_BASE) $(DB_DRIVER)
	@missing=""; for var in $(KEY_VARS); do \
		eval "value=\$${$$var:-}"; \
		if [ -z "$$value" ] && ! grep -qE "^[[:space:]]*(export[[:space:]]+)?$$var=[^[:space:]]" .env 2>/dev/null; then \
			missing="$$missing $$var"; fi; \
	done; \
	if [ -n "$$missing" ]; then \
		keys=$$($(MANAGE) generate_encryption_keys) || exit 1; \
		umask 077; \
		if [ -s .env ] && [ -n "$$(tail -c 1 .env)" ]; then echo >> .env; fi; \
		{ echo "# Development encryption keys, written by 'make run' on $$(date +%F). Losing them makes the"; \
		  echo "# encrypted data unreadable; never commit this file."; } >> .env; \
		for var in $$missing; do printf '%s\n' "$$keys" | grep "^$$var=" >> .env; done; \
		echo "Wrote development encryption keys to .env:$$missing"; \
		if [ -f db.sqlite3 ]; then \
			echo "note: db.sqlite3 already exists; if it holds data encrypted with other keys, 'make reset-db' starts over"; fi; \
	fi

migrate: $(STAMP_BASE) $(DB_DRIVER)
	$(MANAGE) migrate --no-input

# Loads the sample data only into a database that has neither users nor patients: loaddata
# writes rows by primary key and would overwrite rows someone made by hand.
sampledata: migrate
	@missing=""; for f in $(FIXTURES); do [ -f fixtures/$$f.json ] || missing="$$missing $$f.json"; done; \
	if [ -n "$$missing" ]; then \
		echo "note: sample data not loaded: fixtures/ lacks$$missing (make fixtures writes them)"; \
		exit 0; \
	fi; \
	state=$$($(MANAGE) shell -v 0 -c 'from accounts.models import User; from patients.models import Patient; print("has-data" if User.objects.exists() or Patient.objects.exists() else "empty")' | tail -n 1); \
	if [ "$$state" = "empty" ]; then \
		echo "New database: loading the sample data ($(FIXTURES))"; \
		$(MANAGE) loaddata $(FIXTURES) && $(MANAGE) shift_sample_data; \
	elif [ "$$state" = "has-data" ]; then \
		echo "note: the database already has users or patients: sample data not loaded again (make reset-db starts over on SQLite)"; \
	else \
		echo "error: could not tell whether the database is empty" >&2; exit 1; \
	fi

# GNU gettext (msgfmt) may be missing on a fresh machine: then skip, with a note.
compilemessages: $(STAMP_BASE)
	@if [ -z "$$(find locale -name '*.po' 2>/dev/null | head -n 1)" ]; then \
		echo "note: no .po files under locale/: nothing to compile"; \
	elif ! command -v msgfmt >/dev/null 2>&1; then \
		echo "note: msgfmt not found: .po files not compiled, the committed .mo files are used (sudo apt-get install gettext)"; \
	else \
		$(I18N_SETTINGS) $(MANAGE) compilemessages --ignore=$(VENV) --ignore=staticfiles; \
	fi

# Everything `make run` does before it serves (.ci/quickstart.py runs it on a fresh clone).
setup: dev-keys sampledata compilemessages

run: setup
	$(MANAGE) runserver $(RUN_ADDR)

# --- tests ------------------------------------------------------------------------------

test: $(STAMP_DEV) $(DB_DRIVER) compilemessages
	$(BIN)/pytest $(PYTEST_ARGS)

# --- lint ------------------------------------------------------------------------------

# ruff reads pyproject.toml, lint-imports reads .importlinter (the layers the apps import along).
# All three run even when one fails, so one run shows every problem.
lint: $(STAMP_DEV)
	@status=0; \
	for cmd in "ruff check ." "ruff format --check ." "lint-imports --no-logo"; do \
		echo "$(BIN)/$$cmd"; $(BIN)/$$cmd || status=1; \
	done; \
	exit $$status

format: $(STAMP_DEV)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# --- sample data and translations -------------------------------------------------------

# Writes fixtures/*.json only; the database is not touched.
fixtures: $(STAMP_DEV) $(DB_DRIVER) dev-keys
	$(MANAGE) generate_sample_data

# A local SATUSEHAT (satusehat/mock/) for demos: the platform's token, NIK look-ups and Bundle
# rules, knowing the sample data's patients, doctors and rooms. Point the app at it with
# SATUSEHAT_ENV=mock (README.md, "SATUSEHAT").
SATUSEHAT_MOCK_PORT ?= 8090
satusehat-mock: $(STAMP_BASE)
	$(PY) -m satusehat.mock --port $(SATUSEHAT_MOCK_PORT) --dataset fixtures/satusehat_mock.json

# The catalogue holds the Python strings (Django's makemessages) and the Jinja2 templates' strings
# (Babel, mapping in babel.cfg: makemessages cannot read Jinja2): both extracted to templates
# (.pot), joined, merged into locale/id/LC_MESSAGES/django.po and compiled.
POT_DIR = locale/.pot
messages: $(STAMP_DEV)
	@command -v msgmerge >/dev/null 2>&1 || \
		{ echo "error: GNU gettext is missing: sudo apt-get install gettext" >&2; exit 1; }
	mkdir -p $(POT_DIR)
	$(BIN)/pybabel --quiet extract --no-location -F babel.cfg -o $(POT_DIR)/jinja2.pot .
	$(I18N_SETTINGS) $(MANAGE) makemessages -l id --keep-pot --no-location --ignore=$(VENV) --ignore=staticfiles --ignore=fixtures
	msgcat --use-first --sort-output locale/django.pot $(POT_DIR)/jinja2.pot -o $(POT_DIR)/all.pot
	msgmerge --quiet --update --backup=none --no-location --sort-output locale/id/LC_MESSAGES/django.po $(POT_DIR)/all.pot
	rm -rf $(POT_DIR) locale/django.pot
	$(I18N_SETTINGS) $(MANAGE) compilemessages --ignore=$(VENV) --ignore=staticfiles

# --- housekeeping -----------------------------------------------------------------------

reset-db:
	@if [ -n "$$DATABASE_URL" ]; then \
		echo "error: DATABASE_URL is set; reset-db only deletes the SQLite file" >&2; exit 1; fi
	rm -f db.sqlite3

clean:
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
	rm -rf .pytest_cache .ruff_cache .import_linter_cache staticfiles test-results

distclean: clean
	rm -rf $(VENV)

# --- browser tests ----------------------------------------------------------------------

# e2e/: Playwright drives Debian's Chromium (sudo apt-get install chromium; never
# `playwright install`, no browser is downloaded). Not part of `make test`, so machines
# without Chromium still run the suite. Screenshots: test-results/e2e/<test>/.
STAMP_E2E = $(VENV)/.installed-e2e
E2E_CHROMIUM ?= /usr/bin/chromium
export E2E_CHROMIUM

$(STAMP_E2E): requirements-e2e.txt requirements-dev.txt requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-e2e.txt
	@touch $@

test-e2e: $(STAMP_E2E) $(DB_DRIVER) compilemessages
	@[ -x "$(E2E_CHROMIUM)" ] || { echo "error: no Chromium at $(E2E_CHROMIUM): sudo apt-get install chromium" \
		"(or make test-e2e E2E_CHROMIUM=/path/to/chromium)" >&2; exit 1; }
	$(BIN)/pytest e2e --screenshot=only-on-failure --output=test-results/e2e/failures $(PYTEST_ARGS)

# --- performance and scaling ------------------------------------------------------------

# seed_demo and the benchmark suite (mk/perf.mk), the locust load test (mk/load.mk), the
# MariaDB replica and Galera labs (mk/replica.mk).
include mk/perf.mk mk/load.mk mk/replica.mk
