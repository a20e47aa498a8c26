# mk/replica.mk — included by the Makefile (uses its VENV, PY, MANAGE, BIN, STAMP_*, DB_DRIVER).
#
# The MariaDB replica lab (lab/replica-lab.sh, docs/scaling.md): a primary and a read-only replica
# on this machine, with GTID replication, for the database router (core/db_router.py).
#   make replica-lab        start it (as root; idempotent), migrate the primary, print its URLs
#   make replica-lab-stop   stop it and delete its data
#   make replica-ci         a lab of its own (other ports, other directory), the integration tests
#                           clinic/tests/replica/ against it, then stop it whatever happened; the
#                           exit status is the tests'
#   make galera-lab / galera-lab-stop   the three-node Galera cluster (below)

REPLICA_LAB = lab/replica-lab.sh
REPLICA_TESTS = clinic/tests/replica
# replica-ci's own lab: a developer's lab on 3307/3308 keeps running, and is not wiped.
REPLICA_CI_LAB_DIR ?= /tmp/clinic-replica-ci
REPLICA_CI_PORTS ?= 3317 3318

.PHONY: replica-lab replica-lab-stop replica-ci

replica-lab: $(STAMP_DEV) $(STAMP_MYSQL)
	@PYTHON=$(PY) ./$(REPLICA_LAB) start
	@echo
	@echo "Run the app against it (make run loads the sample data into the lab's primary):"
	@printf '%s\n' "  export \$$(./$(REPLICA_LAB) urls | tr '\n' ' ') REPLICA_TRACE_HEADER=1" "  make run"
	@echo "Status: ./$(REPLICA_LAB) status    Lag: ./$(REPLICA_LAB) stop-sql-thread    Stop: make replica-lab-stop"

replica-lab-stop:
	@./$(REPLICA_LAB) stop

# set -f: the URLs hold a '?', which an unquoted expansion would otherwise try as a file pattern.
# REPLICA_CHECK_SECONDS=0 REPLICA_RETRY_SECONDS=0: the router re-reads the replica's health (and
# retries one that did not answer) on each request, so a test sees the replica stop, lag or come
# back at once instead of after the production intervals; REPLICA_TRACE_HEADER=1: each response
# names the aliases that served its reads (X-Clinic-Read-DB).
replica-ci: $(STAMP_DEV) $(STAMP_MYSQL)
	@set -f; \
	export LAB_DIR=$(REPLICA_CI_LAB_DIR) LAB_PRIMARY_PORT=$(word 1,$(REPLICA_CI_PORTS)) \
		LAB_REPLICA_PORT=$(word 2,$(REPLICA_CI_PORTS)); \
	trap './$(REPLICA_LAB) stop' EXIT; trap 'exit 130' INT TERM; \
	urls=$$(PYTHON=$(PY) ./$(REPLICA_LAB) start) || exit 1; \
	env $$urls CLINIC_REPLICA_LAB=1 REPLICA_CHECK_SECONDS=0 REPLICA_RETRY_SECONDS=0 REPLICA_TRACE_HEADER=1 \
		$(BIN)/pytest $(REPLICA_TESTS) --create-db $(PYTEST_ARGS)

# The Galera lab (lab/galera-lab.sh): three nodes of one multi-primary cluster, 127.0.0.1:3311-3313,
# from Debian's galera-4 (apt-get install galera-4 rsync). `make galera-lab` starts it (as root;
# idempotent), migrates through node 1, prints a URL per node and runs its smoke test: a write on
# node 1 is read on node 3 and the other way round, three synced members.
GALERA_LAB = lab/galera-lab.sh

.PHONY: galera-lab galera-lab-stop

galera-lab: $(STAMP_DEV) $(STAMP_MYSQL)
	@PYTHON=$(PY) ./$(GALERA_LAB) start
	@./$(GALERA_LAB) smoke
	@echo "Status: ./$(GALERA_LAB) status    Stop: make galera-lab-stop"

galera-lab-stop:
	@./$(GALERA_LAB) stop
