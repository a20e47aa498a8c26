# mk/perf.mk — included by the Makefile (uses its VENV, PY, MANAGE, BIN, STAMP_*, DB_DRIVER).

# --- the benchmark suite (bench/, docs/performance.md) ---------------------------------------
# Runs against the database DATABASE_URL names, under clinic.settings.bench (production
# middleware, DEBUG off, the test settings' fixed encryption keys, which seed_demo encrypts with).
#   make bench                                   the table; BENCH_ARGS="-k 100 --only board" passes options
#   make bench BENCH_JSON=results/1m-mariadb.json  also write the results as JSON
#   make bench-compare SMALL=10k.json BIG=1m.json  R_N = p50 big / p50 small per page
#   make bench-ci                                two small seeded sizes in a throwaway test database;
#                                                fails on an error or a query count that grows
BENCH_SETTINGS = DJANGO_SETTINGS_MODULE=clinic.settings.bench
BENCH_ARGS ?=
BENCH_JSON ?=
.PHONY: bench bench-compare bench-ci

bench: $(STAMP_BASE) $(DB_DRIVER)
	$(BENCH_SETTINGS) $(MANAGE) bench $(if $(BENCH_JSON),--json $(BENCH_JSON)) $(BENCH_ARGS)

bench-compare: $(STAMP_BASE)
	@[ -n "$(SMALL)" ] && [ -n "$(BIG)" ] || { echo "usage: make bench-compare SMALL=small.json BIG=big.json" >&2; exit 2; }
	$(BENCH_SETTINGS) $(MANAGE) bench --compare $(SMALL) $(BIG)

bench-ci: $(STAMP_BASE) $(DB_DRIVER)
	$(BENCH_SETTINGS) $(MANAGE) bench --ci $(BENCH_ARGS)

# --- synthetic data of any size (manage.py seed_demo, sampledata/seed/) --------------------------
# Into the database DATABASE_URL names; refuses one with clinic data unless SEED_ARGS has --flush.
#   make seed-demo PATIENTS=10000
#   make seed-demo PATIENTS=1000000 SEED_ARGS="--flush --password bench-demo-2026"
# Staff users bench_admin, bench_receptionist, bench_doctor; password bench-demo-2026 unless
# --password. Uses the encryption keys of the environment (the test settings' keys by default here).
PATIENTS ?= 10000
SEED_ARGS ?=
SEED_SETTINGS ?= DJANGO_SETTINGS_MODULE=clinic.settings.test
.PHONY: seed-demo

seed-demo: $(STAMP_DEV) $(DB_DRIVER)
	$(SEED_SETTINGS) $(MANAGE) seed_demo --patients $(PATIENTS) $(SEED_ARGS)

# --- the page crawl: every staff page's HTML as each role (bench/crawl.py, docs/crawl.md) -----
# Each crawl loads the sample data into its own temporary SQLite database under a frozen clock.
#   make crawl OUT=/tmp/crawl-before                         crawl into a new, empty folder
#   make crawl-compare OLD=/tmp/crawl-before NEW=/tmp/crawl-after   whitespace aside; fails on a difference
.PHONY: crawl crawl-compare

crawl: $(STAMP_DEV) compilemessages
	@[ -n "$(OUT)" ] || { echo "usage: make crawl OUT=dir" >&2; exit 2; }
	$(PY) bench/crawl.py $(OUT)

crawl-compare: $(PY)
	@[ -n "$(OLD)" ] && [ -n "$(NEW)" ] || { echo "usage: make crawl-compare OLD=dir NEW=dir" >&2; exit 2; }
	$(PY) bench/crawl_compare.py $(OLD) $(NEW)
