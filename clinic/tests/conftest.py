"""Shared by the integrity tests of issue 5 (concurrency, faults, bad input)."""

import contextlib

import pytest


@pytest.fixture
def figures(request):
    """Writes a test's measured figures (attempts, successes, sums...) to the terminal, so
    they show in CI's output whether the test passes or fails.

    Output capture is suspended around each line: the terminal reporter alone would write into
    the test's captured output, shown only for a failure."""
    tr = request.config.pluginmanager.get_plugin("terminalreporter")
    capman = request.config.pluginmanager.get_plugin("capturemanager")

    def write(msg):
        if tr is None:
            print(msg)
            return
        with capman.global_and_fixture_disabled() if capman else contextlib.nullcontext():
            tr.ensure_newline()
            tr.write_line(f"[figures] {request.node.nodeid}: {msg}")

    return write
