"""Markup lives in templates and the code uses Django's public API only: no Python module of the
apps builds page markup (mark_safe, format_html, format_html_join), and nothing reaches into the
ORM's SQL compiler (its sql package, its as-sql and results-iterator methods)."""

import re

from clinic.tests.test_self_contained import REPO, tracked_files

# Spelled in pieces so that this file does not match itself.
MARKUP_IN_PYTHON = re.compile(
    r"\b(" + "|".join(("mark" + "_safe", "format" + "_html", "format" + "_html_join")) + r")\b"
)
ORM_INTERNALS = re.compile(r"(django\.db\.models\." + "sql" + r"\b|\." + "as_sql" + r"\(|\." + "results_iter" + r"\()")


def python_files(*, tests: bool) -> list[str]:
    return [name for name in tracked_files() if name.endswith(".py") and ("/tests/" in name) == tests]


def matches(names: list[str], pattern: re.Pattern) -> list[str]:
    found = []
    for name in names:
        for number, line in enumerate((REPO / name).read_text(encoding="utf-8").splitlines(), start=1):
            if pattern.search(line):
                found.append(f"{name}:{number}: {line.strip()}")
    return found


def test_it_builds_no_markup_in_python_outside_the_tests():
    assert matches(python_files(tests=False), MARKUP_IN_PYTHON) == []


def test_it_uses_no_orm_internals_anywhere():
    assert matches(python_files(tests=False) + python_files(tests=True), ORM_INTERNALS) == []


def test_the_patterns_find_what_they_look_for():
    assert MARKUP_IN_PYTHON.search("return " + "mark" + "_safe(html)")
    assert MARKUP_IN_PYTHON.search("from django.utils.html import " + "format" + "_html")
    assert ORM_INTERNALS.search("from django.db.models." + "sql.compiler import SQLCompiler")
    assert ORM_INTERNALS.search("sql, params = compiler." + "as_sql()")
    assert not ORM_INTERNALS.search("a plain .filter() call")
