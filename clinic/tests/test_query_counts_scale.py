"""Every hot page of issue 6 runs the same number of queries on a small clinic and on a larger
one (40× the patients, the frequent patient with 20× the visits, more appointments today): no
page runs a query per row, so at a chain's scale only the cost of each query can grow, and
test_explain.py shows those read indexes. Runs on every database."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinic.tests.hot_pages import build_clinic, fetch, hot_pages

pytestmark = pytest.mark.django_db


def query_counts(clients: dict, clinic, *, booking_minute: int) -> dict[str, int]:
    counts = {}
    for page in hot_pages(clinic, booking_minute=booking_minute):
        with CaptureQueriesContext(connection) as queries:
            fetch(clients[page.role], page)
        counts[page.name] = len(queries)
    return counts


def test_it_runs_the_same_queries_on_a_small_and_a_larger_clinic(client, admin_user, receptionist, django_user_model):
    from django.test import Client

    clients = {"admin": Client(), "receptionist": Client()}
    clients["admin"].force_login(admin_user)
    clients["receptionist"].force_login(receptionist)
    clinic = build_clinic(patients=5, visits=2, frequent_visits=3, today=5)
    small = query_counts(clients, clinic, booking_minute=0)
    build_clinic(patients=195, visits=2, frequent_visits=57, today=60, clinic=clinic)
    large = query_counts(clients, clinic, booking_minute=15)
    assert clinic.frequent_visits == 60 and clinic.serial == 201
    assert large == small, (small, large)
