# mk/load.mk — included by the Makefile (uses its VENV, PY, MANAGE, BIN, STAMP_*, DB_DRIVER).
