"""Acceptance (issue 7), when the replica fails:
- its server stops (lab/replica-lab.sh stop-replica): every page keeps working from the primary,
  no 500 — and once it is back and has caught up, reads go to it again;
- its SQL thread stops (it receives but applies nothing: lag, Seconds_Behind_Master NULL): a
  receptionist who has just booked still sees the booking, and a fresh session, which has
  written nothing, reads from the primary too, because the replica's lag is unknown;
- it lags past REPLICA_MAX_LAG_SECONDS (delayed replication): reads fall back to the primary.
Each test puts the lab back as it found it, whatever happened.
"""

import contextlib
import time

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from clinic.tests.security_fixtures import VALID_POSTS
from core.db_router import replica_health
from scheduling.models import Appointment

from .browse import READ_DB, book, selects, walk

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


@contextlib.contextmanager
def broken(lab, stop: str, start: str):
    """The lab with `stop` done, and `start` done again on the way out; then the replica has
    caught up again."""
    lab.run(stop)
    try:
        yield
    finally:
        lab.run(start)
        lab.wait_sync()


def test_it_keeps_every_page_working_from_the_primary_when_the_replica_stops(lab, world, users, figures):
    # A browser that has read from the replica, and so holds an open connection to it.
    client = Client()
    client.force_login(users["receptionist"])
    assert lab.alias in client.get(reverse("scheduling:board"))[READ_DB]

    with broken(lab, "stop-replica", "start-replica"):
        ok, lag, reason = replica_health(lab.alias)
        assert not ok, reason
        # The same browser, on a connection the server has gone away from.
        response = client.get(reverse("scheduling:board"))
        assert response.status_code == 200
        assert response[READ_DB] == "default"
        # Every page, every role, as the role matrix expects; every read from the primary.
        started = time.monotonic()
        for role, user in users.items():
            wrong, served = walk(role, user, world)
            assert not wrong, f"{role}: " + "; ".join(wrong)
            assert served <= {"default"}, f"{role}: read from {served} while the replica was down"
        figures(
            f"every page × {len(users)} roles with the replica down: "
            f"{time.monotonic() - started:.1f} s, all from the primary"
        )

    # Back and caught up: reads go to the replica again, once the router tries it again
    # (REPLICA_RETRY_SECONDS after it failed to answer; make replica-ci sets 0).
    client.cookies.clear()
    client.force_login(users["receptionist"])
    started = time.monotonic()
    while (read_db := client.get(reverse("scheduling:board"))[READ_DB]) != lab.alias:
        assert time.monotonic() - started < settings.REPLICA_RETRY_SECONDS + 5, (
            f"reads stay on the primary ({read_db}); the replica's health: {replica_health(lab.alias)}"
        )
        time.sleep(0.2)
    figures(
        f"replica back in use {time.monotonic() - started:.1f} s after it caught up "
        f"(REPLICA_RETRY_SECONDS={settings.REPLICA_RETRY_SECONDS:g})"
    )


def on_replica(lab, table: str, pk: int) -> bool:
    database = settings.DATABASES["default"]["NAME"]
    # The settings' database and the test's own table names; the id is a parameter.
    sql = f"SELECT COUNT(*) FROM `{database}`.`{table}` WHERE id = %s"  # nosec B608
    return bool(lab.value(lab.alias, sql, pk))


def test_a_receptionist_who_just_booked_sees_the_booking_while_the_replica_lags(
    lab, clinic, client, receptionist, admin_user, figures
):
    client.force_login(receptionist)
    with broken(lab, "stop-sql-thread", "start-sql-thread"):
        ok, lag, reason = replica_health(lab.alias)
        assert (ok, lag) == (False, None), reason  # Seconds_Behind_Master is NULL

        pk = book(client, clinic)
        walk_in = client.post(reverse("scheduling:walk_in"), VALID_POSTS["scheduling:walk_in"](clinic))
        assert walk_in.status_code == 302
        walk_in_pk = Appointment.objects.latest("pk").pk  # outside a request: from the primary
        assert walk_in_pk != pk
        # The lag is real: neither appointment has reached the replica.
        assert not on_replica(lab, "appointments", pk)
        assert not on_replica(lab, "appointments", walk_in_pk)

        # The receptionist, right after booking: the booking, the day page, today's board.
        detail = client.get(reverse("scheduling:detail", args=[pk]))
        assert detail.status_code == 200 and clinic.patient.full_name in detail.content.decode()
        day = client.get(
            reverse("scheduling:day"),
            {"doctor": clinic.doctor.pk, "date": VALID_POSTS["scheduling:book"](clinic)["date"]},
        )
        assert day.status_code == 200 and clinic.patient.full_name in day.content.decode()
        board = client.get(reverse("scheduling:board"))
        assert board.status_code == 200
        assert reverse("scheduling:detail", args=[walk_in_pk]) in board.content.decode()
        assert {detail[READ_DB], day[READ_DB], board[READ_DB]} == {"default"}

        # A fresh session that has written nothing: the replica's lag is unknown, so the primary.
        other = Client()
        other.force_login(admin_user)
        primary, replica = lab.capture()
        with primary, replica:
            fresh = other.get(reverse("scheduling:board"))
        assert fresh.status_code == 200
        assert reverse("scheduling:detail", args=[walk_in_pk]) in fresh.content.decode()
        assert fresh[READ_DB] == "default"
        assert selects(replica) == []
        figures(f"SQL thread stopped: {reason}; the booking read from the primary by both sessions")

    # Caught up: the bookings are on the replica too.
    assert on_replica(lab, "appointments", pk) and on_replica(lab, "appointments", walk_in_pk)


def test_it_reads_from_the_primary_when_the_replica_lags_past_the_limit(
    lab, clinic, client, receptionist, settings, figures
):
    """Delayed replication: the replica applies each transaction DELAY seconds late, so after a
    write its Seconds_Behind_Master climbs; past REPLICA_MAX_LAG_SECONDS it is not used."""
    settings.REPLICA_MAX_LAG_SECONDS = 1
    client.force_login(receptionist)
    with broken(lab, "delay", "no-delay"):
        book(client, clinic)  # something for the replica to be late with
        client.cookies.clear()  # forget the pin: this is about lag, not read-your-writes
        client.force_login(receptionist)
        deadline = time.monotonic() + 20
        while (health := replica_health(lab.alias))[1] is None or health[1] <= 1:
            assert time.monotonic() < deadline, f"the replica never lagged: {health}"
            time.sleep(0.5)
        ok, lag, reason = health
        assert not ok and lag > 1, reason
        response = client.get(reverse("scheduling:board"))
        assert response.status_code == 200
        assert response[READ_DB] == "default"
        figures(f"delayed replica: {reason}; the board read from the primary")
