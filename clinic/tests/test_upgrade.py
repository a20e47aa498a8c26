"""Upgrading a clinic's database from the release to the current code keeps its data.

The release's code (git archive of RELEASE) builds a database of its own on the engine the suite
runs on — a temporary file on SQLite, `clinic_upgrade_<pid>` on MariaDB and PostgreSQL, never the
suite's test database: migrations, the sample data, sign-ins, audit rows, an emergency access and
the audit triggers (upgrade_scripts/release_setup.py). The current code's `manage.py migrate` then
runs on it, and every table of the release must still be there with its row count and a sample of
its rows (first and last SAMPLE by primary key, every column), the content types must still name
the models (the admin's history and the permissions hang on them), every migration of the current
code must be applied, and the current pages must show the release's data
(upgrade_scripts/head_probe.py). Last, the migrations added since the release are undone where
they can be (moves between apps are state-only, hence reversible) and done again: the tables keep
their rows both ways."""

import json
import os
import subprocess
import sys
import tarfile
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connections
from django.db.migrations.loader import MigrationLoader

# The last release before the apps were restructured into layers (issue 13): a database built by
# this code must migrate to the current head without losing anything.
RELEASE = "23e9e32e230f01604bcbf9b024727806b475e804"

SCRIPTS = Path(__file__).resolve().parent / "upgrade_scripts"
SAMPLE = 20
# Django's own bookkeeping, which the current code may add to (its migrations, the content types
# and permissions of new models); every other table keeps its exact row count.
MAY_GROW = {"django_migrations", "django_content_type", "auth_permission"}


# --- the release's code and a database of our own ---------------------------------------


def export_release(into: Path) -> Path:
    """The release's tree, or a skip when there is no history to take it from."""
    git = ["git", "-C", str(settings.BASE_DIR)]
    try:
        found = subprocess.run([*git, "cat-file", "-e", f"{RELEASE}^{{commit}}"], capture_output=True)
    except FileNotFoundError:
        pytest.skip("git is not installed: the release's code cannot be exported")
    if found.returncode != 0:
        pytest.skip(
            f"the release {RELEASE[:12]} is not in this checkout's git history (not a git checkout, or a shallow clone)"
        )
    archive = into / "release.tar"
    subprocess.run([*git, "archive", "--output", str(archive), RELEASE], check=True, capture_output=True)
    tree = into / "release"
    with tarfile.open(archive) as tar:
        tar.extractall(tree, filter="data")
    return tree


def database_url(settings_dict: dict, vendor: str, name: str) -> str:
    if vendor == "sqlite":
        return f"sqlite:///{name}"
    auth = ""
    if settings_dict.get("USER"):
        auth = quote(settings_dict["USER"], safe="")
        if settings_dict.get("PASSWORD"):
            auth += ":" + quote(settings_dict["PASSWORD"], safe="")
        auth += "@"
    host = settings_dict.get("HOST") or ""
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    scheme, query = ("mysql", "?charset=utf8mb4") if vendor == "mysql" else ("postgres", "")
    ssl_mode = settings_dict.get("OPTIONS", {}).get("ssl_mode")
    if ssl_mode:
        query += f"&ssl_mode={ssl_mode}"
    return f"{scheme}://{auth}{host}{port}/{name}{query}"


def mysql_connect(settings_dict: dict, **root):
    import MySQLdb

    if root:
        return MySQLdb.connect(**root)
    s = settings_dict
    return MySQLdb.connect(
        host=s.get("HOST") or "localhost",
        port=int(s.get("PORT") or 3306),
        user=s.get("USER") or "root",
        password=s.get("PASSWORD") or "",
    )


def postgresql_server(settings_dict: dict):
    import psycopg

    s = settings_dict
    return psycopg.connect(
        dbname="postgres",
        host=s.get("HOST") or None,
        port=s.get("PORT") or None,
        user=s.get("USER") or None,
        password=s.get("PASSWORD") or None,
        autocommit=True,
    )


def create_database(settings_dict: dict, vendor: str, name: str) -> None:
    if vendor == "postgresql":
        with postgresql_server(settings_dict) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            server.execute(f'CREATE DATABASE "{name}"')
        return
    import MySQLdb

    statements = [
        f"DROP DATABASE IF EXISTS `{name}`",
        f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
    ]
    server = mysql_connect(settings_dict)
    try:
        cursor = server.cursor()
        cursor.execute("SELECT CURRENT_USER()")
        user, host = cursor.fetchone()[0].rsplit("@", 1)
        try:
            for statement in statements:
                cursor.execute(statement)
            return
        except MySQLdb.Error:
            pass
    finally:
        server.close()
    # A tests' user that may not create databases (CI's fallback user): the server's root through
    # its socket creates this one and grants it to that user.
    server = mysql_connect(settings_dict, user="root", unix_socket="/run/mysqld/mysqld.sock")
    try:
        cursor = server.cursor()
        for statement in statements:
            cursor.execute(statement)
        cursor.execute(f"GRANT ALL PRIVILEGES ON `{name}`.* TO %s@%s", (user, host))
    finally:
        server.close()


def drop_database(settings_dict: dict, vendor: str, name: str) -> None:
    if vendor == "mysql":
        server = mysql_connect(settings_dict)
        try:
            server.cursor().execute(f"DROP DATABASE IF EXISTS `{name}`")
        finally:
            server.close()
    else:
        with postgresql_server(settings_dict) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def upgrade_database(tmp_path):
    """A new, empty database of the suite's engine, (its NAME, its DATABASE_URL); dropped after.
    The suite's test database is not touched."""
    default = connections["default"]
    vendor, settings_dict = default.vendor, default.settings_dict
    if vendor == "sqlite":
        name = str(tmp_path / "upgrade.sqlite3")
        yield name, database_url(settings_dict, vendor, name)
        return
    name = f"clinic_upgrade_{os.getpid()}"
    create_database(settings_dict, vendor, name)
    try:
        yield name, database_url(settings_dict, vendor, name)
    finally:
        drop_database(settings_dict, vendor, name)


def run(tree: Path, url: str, *args: str) -> subprocess.CompletedProcess:
    """Python in tree's code, on the database at url, as `manage.py` would run there: the release
    with its test settings, the current code with the suite's."""
    settings_module = settings.SETTINGS_MODULE if tree == settings.BASE_DIR else "clinic.settings.test"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": settings_module}
    env.pop("DATABASE_REPLICA_URLS", None)
    result = subprocess.run([sys.executable, *args], cwd=tree, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{' '.join(args)} in {tree}:\n{result.stdout}\n{result.stderr}"
    return result


# --- what a database holds --------------------------------------------------------------


def snapshot(url: str, out: Path, *, keys_of: Path | None = None) -> dict[str, dict]:
    """What the database holds (upgrade_scripts/snapshot.py, read by the current code), rows by key."""
    run(
        settings.BASE_DIR,
        url,
        str(SCRIPTS / "snapshot.py"),
        str(settings.BASE_DIR),
        str(out),
        *([str(keys_of)] if keys_of else []),
    )
    tables = json.loads(out.read_text())
    for table in tables.values():
        table["rows"] = {json.dumps(key): row for key, row in table["rows"]}
    return tables


def release_columns(tables: dict, release: dict) -> dict:
    """`tables` (a snapshot) with only the columns the release's tables had, in their rows too."""
    kept = {}
    for name, table in tables.items():
        columns = release.get(name, table)["columns"]
        kept[name] = {
            **table,
            "columns": [c for c in table["columns"] if c in columns],
            "rows": {key: {c: v for c, v in row.items() if c in columns} for key, row in table["rows"].items()},
        }
    return kept


def differences(before: dict, after: dict, *, tables: set[str] | None = None) -> tuple[list[str], list[str]]:
    """(problems, notes) from the tables of before (or only those named) to after: a table or a
    column gone, a count changed (the bookkeeping tables may grow), a sampled row gone or changed
    in a column it had. New tables and columns are notes. The content types are checked apart."""
    problems, notes = [], []
    for table in sorted(tables if tables is not None else before):
        old = before[table]
        if table not in after:
            problems.append(f"{table}: table missing ({old['count']} rows before)")
            continue
        new = after[table]
        gone = [c for c in old["columns"] if c not in new["columns"]]
        added = [c for c in new["columns"] if c not in old["columns"]]
        if gone:
            problems.append(f"{table}: columns missing: {', '.join(gone)}")
        if added:
            notes.append(f"{table}: new columns {', '.join(added)}")
        grew_only = table in MAY_GROW and new["count"] >= old["count"]
        if new["count"] != old["count"] and not grew_only:
            problems.append(f"{table}: {old['count']} rows before, {new['count']} after")
        if table == "django_content_type":
            continue
        missing = [key for key in old["rows"] if key not in new["rows"]]
        if missing:
            problems.append(
                f"{table}: {len(missing)} of {len(old['rows'])} sampled rows missing "
                f"(keys {', '.join(missing[:5])}{', ...' if len(missing) > 5 else ''})"
            )
        for key, row in old["rows"].items():
            later = new["rows"].get(key, row)
            changed = sorted(c for c in row if c in later and later[c] != row[c])
            if changed:
                problems.append(
                    f"{table}: row {key} changed in {', '.join(changed)}: "
                    f"{ {c: row[c] for c in changed} } -> { {c: later[c] for c in changed} }"
                )
    notes += [f"new table {table} ({after[table]['count']} rows)" for table in sorted(set(after) - set(before))]
    return problems, notes


def content_types(tables: dict) -> dict[int, tuple[str, str]]:
    return {row["id"]: (row["app_label"], row["model"]) for row in tables["django_content_type"]["rows"].values()}


def stale_content_types(before: dict, after: dict) -> list[str]:
    """Each content type of the release keeps its id and names a model of the current code (a
    model moved to another app keeps its row, renamed), so the admin's history and the
    permissions stay attached to it; and no model of the release gets a second one."""
    before, after = content_types(before), content_types(after)
    models = {(m._meta.app_label, m._meta.model_name) for m in apps.get_models(include_auto_created=True)}
    problems = []
    for pk, label in sorted(before.items()):
        now = after.get(pk)
        if now is None:
            problems.append(f"content type {pk} {'.'.join(label)} deleted")
        elif now not in models:
            problems.append(
                f"content type {pk} {'.'.join(now)} names no model of the current code "
                f"(a moved model must take its content type along, renamed)"
            )
    known = {model for _app, model in before.values()}
    for pk, label in sorted(after.items()):
        if pk not in before and label[1] in known:
            problems.append(f"content type {pk} {'.'.join(label)} is new for a model the release had")
    return problems


def applied(tables: dict) -> set[tuple[str, str]]:
    return {(row["app"], row["name"]) for row in tables["django_migrations"]["rows"].values()}


# The current code's migrations, read from disk without a connection (the suite's own database is
# not ours to query); which of them are applied comes from a snapshot's django_migrations.
def migrations_of_current_code() -> MigrationLoader:
    return MigrationLoader(None, ignore_no_migrations=True)


def done(loader: MigrationLoader, tables: dict) -> set[tuple[str, str]]:
    """The migrations applied, a squashed one counted once all it replaces are."""
    result = applied(tables)
    result |= {key for key, migration in loader.replacements.items() if set(migration.replaces) <= result}
    return result


def unapplied_in_current_code(tables: dict) -> list[str]:
    loader = migrations_of_current_code()
    applied_here = done(loader, tables)
    return sorted(f"{app}.{name}" for app, name in loader.graph.nodes if (app, name) not in applied_here)


def backward_plan(tables: dict, app: str, target: str | None) -> list[tuple[str, str]]:
    """The applied migrations that `migrate app target` would undo (target None: zero), as
    Django's executor plans it: from app's first migration after target, everything after it."""
    loader = migrations_of_current_code()
    graph, applied_here = loader.graph, done(loader, tables)
    if target is None:
        starts = [node for node in graph.root_nodes() if node[0] == app]
    else:
        starts = [node for node in graph.node_map[(app, target)].children if node[0] == app]
    return sorted({node for start in starts for node in graph.backwards_plan(start) if node in applied_here})


def irreversible(plan: list[tuple[str, str]]) -> list[str]:
    nodes = migrations_of_current_code().graph.nodes
    return [
        f"{app}.{name}"
        for app, name in plan
        if not all(operation.reversible for operation in nodes[(app, name)].operations)
    ]


# --- the test ---------------------------------------------------------------------------


@pytest.mark.slow
def test_it_migrates_a_database_of_the_release_to_the_current_head_keeping_its_data(
    tmp_path, upgrade_database, figures
):
    started = time.perf_counter()
    release = export_release(tmp_path)
    _name, url = upgrade_database
    head = settings.BASE_DIR
    timings = {}

    def timed(label, step, *args, **kwargs):
        t = time.perf_counter()
        result = step(*args, **kwargs)
        timings[label] = timings.get(label, 0) + time.perf_counter() - t
        return result

    timed(
        "release set-up",
        run,
        release,
        url,
        str(SCRIPTS / "release_setup.py"),
        str(release),
        str(tmp_path / "release.json"),
    )
    shown = json.loads((tmp_path / "release.json").read_text())
    release_tables = timed("snapshots", snapshot, url, tmp_path / "release-tables.json")
    release_migrations = applied(release_tables)
    assert release_tables["patients"]["count"] > 0 and release_tables["audit_log"]["count"] > 0

    timed("migrate", run, head, url, "manage.py", "migrate", "--no-input")
    upgraded = timed("snapshots", snapshot, url, tmp_path / "upgraded.json", keys_of=tmp_path / "release-tables.json")
    problems, notes = differences(release_tables, upgraded)
    assert problems == [], "the upgrade lost or changed data:\n" + "\n".join(problems)
    stale = stale_content_types(release_tables, upgraded)
    assert stale == [], "content types out of step with the models:\n" + "\n".join(stale)
    assert unapplied_in_current_code(upgraded) == []
    assert release_migrations <= applied(upgraded)
    added = sorted(applied(upgraded) - release_migrations)

    timed(
        "current pages",
        run,
        head,
        url,
        str(SCRIPTS / "head_probe.py"),
        str(head),
        str(tmp_path / "release.json"),
        str(tmp_path / "probe.json"),
    )
    seen = json.loads((tmp_path / "probe.json").read_text())
    assert seen["errors"] == []
    assert {page: status for page, status in seen["pages"].items() if status != 200} == {}
    assert seen["patient_name_shown"] and seen["bill_number_shown"]
    assert seen["dashboard"] == shown["dashboard"]
    assert seen["revenue_csv"] == shown["revenue_csv"]
    assert seen["emergency_reason_listed"] and seen["history_shown"]
    assert seen["new_emergency_access_status"] == 302 and seen["emergency_accesses"] == 2

    # Back to the release where the added migrations allow it, then forward again.
    before_down = timed("snapshots", snapshot, url, tmp_path / "before-down.json")
    # As an operator rolls back: first the app whose migrations the others build on, so that one
    # `migrate <app> <previous>` undoes them together.
    now, not_undone = before_down, {}
    pending = {}
    for app in {app for app, _name in added}:
        earlier = sorted(n for a, n in release_migrations if a == app)
        pending[app] = earlier[-1] if earlier else None
    while pending:
        plans = {app: backward_plan(now, app, target) for app, target in pending.items()}
        plans = {app: plan for app, plan in plans.items() if plan}
        if not plans:
            break
        app = max(sorted(plans), key=lambda a: len(plans[a]))
        target = pending.pop(app)
        if blocked := irreversible(plans[app]):
            not_undone[app] = blocked
            continue
        timed("backwards", run, head, url, "manage.py", "migrate", app, target or "zero", "--no-input")
        now = timed("snapshots", snapshot, url, tmp_path / "down.json", keys_of=tmp_path / "before-down.json")
    # What the release had must come back unchanged: its tables, its columns and their values (the
    # columns the undone migrations added go with them).
    problems, _ = differences(release_columns(before_down, release_tables), now, tables=set(release_tables) - MAY_GROW)
    assert problems == [], "undoing the migrations lost or changed data:\n" + "\n".join(problems)
    if not not_undone:
        assert applied(now) == release_migrations

    if added:
        timed("migrate again", run, head, url, "manage.py", "migrate", "--no-input")
        again = timed("snapshots", snapshot, url, tmp_path / "again.json", keys_of=tmp_path / "before-down.json")
        # The added migrations' records were deleted and written anew: compared as applied below.
        # What the release had survives the way down and up again; the tables and columns the
        # undone migrations added were dropped with them and are built anew (not compared).
        problems, _ = differences(
            release_columns(before_down, release_tables), again, tables=set(release_tables) - {"django_migrations"}
        )
        assert problems == [], "migrating again lost or changed data:\n" + "\n".join(problems)
        stale = stale_content_types(release_tables, again)
        assert stale == [], "content types out of step with the models:\n" + "\n".join(stale)
        assert unapplied_in_current_code(again) == []

    vendor = shown["vendor"]
    rows = sum(t["count"] for t in release_tables.values())
    session = {200: "still signed in", 302: "signed out"}.get(
        seen["release_session_status"], seen["release_session_status"]
    )
    figures(
        f"{vendor}: {len(release_tables)} tables, {rows} rows of the release kept; "
        f"{len(added)} migrations since the release ({', '.join(f'{a}.{n}' for a, n in added) or 'none'}); "
        f"undone and redone: {'all' if not not_undone else f'all but {not_undone}'}; "
        f"a release session: {session}; {'; '.join(notes) or 'no new tables or columns'}; "
        + ", ".join(f"{label} {seconds:.1f} s" for label, seconds in timings.items())
        + f", total {time.perf_counter() - started:.1f} s"
    )


# --- the app keeps serving while the database is migrated -----------------------------------


class Poller:
    """Requests pages of a running server over and over in a thread, signed in, and keeps every
    answer: what staff would see while an upgrade or a rollback migrates the database."""

    PATHS = ("/healthz", "/patients/")

    def __init__(self, port: int, username: str, password: str):
        import http.cookiejar
        import re
        import urllib.error
        import urllib.request

        from clinic.tests.app_process import NoRedirect

        self.base = f"http://127.0.0.1:{port}"
        # Redirects are not followed: a signed-out page (302 to the login) counts as a failure.
        cookies = urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        self.opener = urllib.request.build_opener(NoRedirect, cookies)
        page = self.opener.open(f"{self.base}/accounts/login/", timeout=30).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
        body = f"csrfmiddlewaretoken={token}&username={username}&password={quote(password)}".encode()
        try:
            self.opener.open(f"{self.base}/accounts/login/", data=body, timeout=30)
            raise AssertionError(f"{username} could not sign in: the login page answered 200")
        except urllib.error.HTTPError as error:
            assert error.code == 302 and "login" not in error.headers["Location"], f"{username} could not sign in"
        self.answers: list[tuple[str, int]] = []
        self._stop = None
        self._thread = None

    def status(self, path: str) -> int:
        import urllib.error

        try:
            with self.opener.open(self.base + path, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            return 0

    def __enter__(self):
        import threading

        self._stop = threading.Event()

        def poll():
            while not self._stop.is_set():
                for path in self.PATHS:
                    self.answers.append((path, self.status(path)))
                self._stop.wait(0.05)

        self._thread = threading.Thread(target=poll, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(60)

    def failures(self) -> list[tuple[str, int]]:
        return [(path, status) for path, status in self.answers if status != 200]


def serve(tree: Path, url: str, log: Path) -> tuple[subprocess.Popen, int]:
    """tree's code serving the database at url (`runserver`, no reloader); (process, port)."""
    from clinic.tests import mariadb
    from clinic.tests.app_process import request

    port = mariadb.free_port(["127.0.0.1"])
    settings_module = settings.SETTINGS_MODULE if tree == settings.BASE_DIR else "clinic.settings.test"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": settings_module, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("DATABASE_REPLICA_URLS", None)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", "--skip-checks", f"127.0.0.1:{port}"],
            cwd=tree,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=out,
            preexec_fn=mariadb.die_with_parent,
        )
    deadline = time.monotonic() + 60
    while request(port, "/healthz").status != 200:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"{tree} did not start serving:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.2)
    return process, port


@pytest.mark.slow
def test_the_release_keeps_serving_while_its_database_is_upgraded_and_rolled_back(tmp_path, upgrade_database, figures):
    """docs/deploy.md's upgrade: the release's app keeps serving (signed-in pages included) while
    the current code's `migrate` runs on its database, then the current code serves it; the
    rollback: the migrations added since the release are undone, where they allow it, while the
    release serves again. Not one request fails on the way."""
    release = export_release(tmp_path)
    _name, url = upgrade_database
    run(release, url, str(SCRIPTS / "release_setup.py"), str(release), str(tmp_path / "release.json"))
    release_migrations = applied(snapshot(url, tmp_path / "release-tables.json"))

    server, port = serve(release, url, tmp_path / "release-server.log")
    try:
        poller = Poller(port, "admin", "klinik-demo-2026")
        with poller:
            started = time.perf_counter()
            run(settings.BASE_DIR, url, "manage.py", "migrate", "--no-input")
            upgrade_seconds = time.perf_counter() - started
        upgraded = snapshot(url, tmp_path / "upgraded.json")
        assert unapplied_in_current_code(upgraded) == []
        during_upgrade = len(poller.answers)
        assert during_upgrade >= len(Poller.PATHS), "no request ran while the database was migrated"
        assert poller.failures() == [], f"requests failed during the upgrade: {poller.failures()[:10]}"
    finally:
        server.kill()
        server.wait()

    # The current code serves the upgraded database.
    head_server, head_port = serve(settings.BASE_DIR, url, tmp_path / "head-server.log")
    try:
        head = Poller(head_port, "admin", "klinik-demo-2026")
        assert {path: head.status(path) for path in Poller.PATHS} == dict.fromkeys(Poller.PATHS, 200)
    finally:
        head_server.kill()
        head_server.wait()

    # Rollback: the release serves while the added migrations are undone, one app at a time.
    added = applied(upgraded) - release_migrations
    server, port = serve(release, url, tmp_path / "release-again.log")
    not_undone = {}
    try:
        poller = Poller(port, "admin", "klinik-demo-2026")
        with poller:
            now = upgraded
            pending = {}
            for app in {app for app, _name in added}:
                earlier = sorted(n for a, n in release_migrations if a == app)
                pending[app] = earlier[-1] if earlier else None
            while pending:
                plans = {app: backward_plan(now, app, target) for app, target in pending.items()}
                plans = {app: plan for app, plan in plans.items() if plan}
                if not plans:
                    break
                app = max(sorted(plans), key=lambda a: len(plans[a]))
                target = pending.pop(app)
                if blocked := irreversible(plans[app]):
                    not_undone[app] = blocked
                    continue
                run(settings.BASE_DIR, url, "manage.py", "migrate", app, target or "zero", "--no-input")
                now = snapshot(url, tmp_path / "down.json")
        assert poller.failures() == [], f"requests failed during the rollback: {poller.failures()[:10]}"
        if not not_undone:
            assert applied(now) == release_migrations
    finally:
        server.kill()
        server.wait()

    figures(
        f"{connections['default'].vendor}: {len(added)} migrations applied in {upgrade_seconds:.1f} s while the "
        f"release served {during_upgrade} requests, none failed; rolled back "
        f"{'all' if not not_undone else f'all but {not_undone}'} while it served {len(poller.answers)} more"
    )
