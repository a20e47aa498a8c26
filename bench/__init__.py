"""The benchmark suite (`make bench`, `manage.py bench`; docs/performance.md).

targets.py finds the users and rows the pages need, scenarios.py lists the pages, measure.py
times one page and its SQL, suite.py runs them all, report.py prints and compares, ci.py is the
small self-checking run CI does (`make bench-ci`)."""
