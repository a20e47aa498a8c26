"""Shared by the integrity tests of issue 5 (concurrency, faults, bad input)."""

import pytest


@pytest.fixture
def figures(request):
    """Writes a test's measured figures (attempts, successes, sums...) to the terminal, so
    they show in CI's output whether the test passes or fails and whatever the capture mode."""
    tr = request.config.pluginmanager.get_plugin("terminalreporter")
    return lambda msg: tr.write_line(f"[figures] {request.node.nodeid}: {msg}") if tr else print(msg)
