"""Acceptance (issue 7), with the primary and the replica both running:
- a read right after a write in the same session sees the write (and comes from the primary);
- reads without a preceding write are served by the replica: the connection that served them
  answers @@server_id 2, and the replica's own Com_select counter grows by at least as many
  SELECTs as the page ran there;
- no write reaches the replica: its binary log holds no transaction of its own server_id, it
  refuses the application user's writes (read_only), and after a day of front-desk work both
  servers hold the same rows (CHECKSUM TABLE of every table).
"""

import pytest
from django.conf import settings
from django.db import OperationalError, connections
from django.urls import reverse

from clinic.tests.security_fixtures import VALID_POSTS
from core.db_router import PIN_COOKIE

from .browse import READ_DB, book, selects, writes

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


@pytest.fixture
def front_desk(client, receptionist):
    client.force_login(receptionist)
    return client


def test_it_shows_a_booking_on_the_next_page_and_reads_it_from_the_primary(lab, clinic, front_desk):
    pk = book(front_desk, clinic)
    assert PIN_COOKIE in front_desk.cookies  # the browser is pinned to the primary for a while

    response = front_desk.get(reverse("scheduling:detail", args=[pk]))
    assert response.status_code == 200
    assert clinic.patient.full_name in response.content.decode()
    assert response[READ_DB] == "default"

    day = front_desk.get(
        reverse("scheduling:day"), {"doctor": clinic.doctor.pk, "date": VALID_POSTS["scheduling:book"](clinic)["date"]}
    )
    assert day.status_code == 200
    assert clinic.patient.full_name in day.content.decode()
    assert day[READ_DB] == "default"


def test_it_serves_reads_without_a_preceding_write_from_the_replica(lab, clinic, front_desk, figures):
    replica_selects_before = lab.status(lab.alias, "Com_select")
    primary, replica = lab.capture()
    with primary, replica:
        response = front_desk.get(reverse("scheduling:board"))
    replica_selects_after = lab.status(lab.alias, "Com_select")

    assert response.status_code == 200
    assert clinic.patient.full_name in response.content.decode()  # today's visits, from the replica
    # The session comes from the cache (cached_db); every read of the page from the replica.
    assert response[READ_DB] == lab.alias
    assert selects(replica), "the board ran no SELECT on the replica"
    # The primary answered at most the session (read there on a cache miss: the router's rule) and
    # was written nothing.
    assert all("django_session" in sql for sql in selects(primary)), selects(primary)
    assert writes(primary) == writes(replica) == []
    # The connection that served the page is the replica's server, not the primary's.
    with connections[lab.alias].cursor() as cursor:
        cursor.execute("SELECT @@server_id")
        assert cursor.fetchone()[0] == lab.value(lab.alias, "SELECT @@server_id") == 2
    # And the replica itself counted them.
    assert replica_selects_after - replica_selects_before >= len(selects(replica))
    figures(
        f"board: {len(selects(replica))} SELECTs on {lab.alias}, {len(selects(primary))} on the primary "
        f"(session); replica Com_select +{replica_selects_after - replica_selects_before}"
    )


def test_it_goes_back_to_the_replica_when_the_pin_expires(lab, clinic, front_desk):
    book(front_desk, clinic)
    assert front_desk.get(reverse("scheduling:board"))[READ_DB] == "default"
    # The browser's pin ends (as REPLICA_PIN_SECONDS after its write): its reads go back.
    front_desk.cookies.pop(PIN_COOKIE)
    lab.wait_sync()
    response = front_desk.get(reverse("scheduling:board"))
    assert response[READ_DB] == lab.alias  # the session from the cache, the rest from the replica
    assert response.content.decode().count(clinic.patient.full_name) >= 1


def gtid_server_ids(state: str) -> set[int]:
    """Server ids in a GTID list such as '0-1-250,1-2-3' (domain-server-sequence)."""
    return {int(gtid.split("-")[1]) for gtid in state.split(",") if gtid.strip()}


def table_checksums(lab, alias: str) -> dict[str, tuple[int, int]]:
    """(rows, CHECKSUM TABLE) of every table of the test database on the server behind `alias`."""
    database = settings.DATABASES["default"]["NAME"]
    connection = lab.connect(alias)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
                "AND table_type = 'BASE TABLE'",
                (database,),
            )
            tables = sorted(row[0] for row in cursor.fetchall())
            sums = {}
            for table in tables:
                cursor.execute(f"SELECT COUNT(*) FROM `{database}`.`{table}`")  # nosec B608: SHOW TABLES' names
                rows = cursor.fetchone()[0]
                cursor.execute(f"CHECKSUM TABLE `{database}`.`{table}`")
                sums[table] = (rows, cursor.fetchone()[1])
            return sums
    finally:
        connection.close()


def test_no_write_reaches_the_replica(lab, clinic, front_desk, figures):
    primary_id = lab.value("default", "SELECT @@server_id")
    primary, replica = lab.capture()
    with primary, replica:
        pk = book(front_desk, clinic)
        response = front_desk.post(reverse("scheduling:check_in", args=[clinic.scheduled.pk]))
        assert response.status_code == 302
        response = front_desk.post(reverse("billing:pay", args=[clinic.bill.pk]), VALID_POSTS["billing:pay"](clinic))
        assert response.status_code == 302
        for name, args in (
            ("scheduling:board", []),
            ("scheduling:detail", [pk]),
            ("billing:unpaid", []),
            ("patients:detail", [clinic.patient.pk]),
        ):
            assert front_desk.get(reverse(name, args=args)).status_code == 200
    assert writes(primary), "the front desk's work wrote nothing: the test proves nothing"
    assert writes(replica) == [], "the router sent a write to the replica"

    # Nothing was ever committed on the replica itself: every transaction in its binary log
    # (log_slave_updates) came from the primary's server_id.
    assert gtid_server_ids(lab.value(lab.alias, "SELECT @@gtid_binlog_state")) == {primary_id}
    # It refuses the application's account anyway (read_only; the account has no SUPER).
    with pytest.raises(OperationalError) as refused, connections[lab.alias].cursor() as cursor:
        cursor.execute("UPDATE users SET first_name = 'x' WHERE id = %s", [front_desk.session["_auth_user_id"]])
    assert refused.value.args[0] == 1290  # ER_OPTION_PREVENTS_STATEMENT: --read-only

    # And both hold the same rows, table by table.
    lab.wait_sync()
    on_primary, on_replica = table_checksums(lab, "default"), table_checksums(lab, lab.alias)
    assert on_primary == on_replica
    figures(
        f"{len(on_primary)} tables equal on both servers, {sum(r for r, _ in on_primary.values())} rows; "
        f"{len(writes(primary))} writes on the primary, 0 on the replica"
    )
