"""Acceptance (issue 7): with a primary and a replica running, every page works.

Every URL of the project (the role matrix's own list, clinic/tests/test_role_matrix.py, the
Django admin's included), filled with the role matrix's world, is opened with GET by each role
and must give the answer the matrix expects for that role — never a 500. Unlike the matrix,
nothing runs inside a transaction (in one, every read goes to the primary by design): the world
is committed and replicated first, and the pages read wherever the router sends them. POSTs are
the matrix's business; here the writes of a session are in test_routing.py and test_failures.py.
"""

import pytest
from django.test import Client

from clinic.tests.test_role_matrix import EXPECTED, ROLES, ROUTES, build_world, outcome, path_for

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


@pytest.fixture
def world(replica_db, admin_user, doctor_user, other_doctor_user, receptionist):
    world = build_world(admin_user=admin_user, doctor_user=doctor_user, other_doctor_user=other_doctor_user,
                        receptionist=receptionist)
    replica_db.wait_sync()  # a page read from the replica sees the world
    return world


@pytest.fixture
def users(admin_user, doctor_user, receptionist, inactive_user) -> dict:
    return {"anonymous": None, "inactive": inactive_user, "admin": admin_user, "doctor": doctor_user,
            "receptionist": receptionist}


def walk(role: str, user, world) -> tuple[list[str], set[str]]:
    """GET every URL as `user` (of `role`) in a fresh browser: the answers that differ from the
    matrix, and the aliases that served the reads (the router's trace header)."""
    client = Client()
    if user is not None:
        client.force_login(user)
    wrong, served = [], set()
    for key, route in ROUTES:
        path = path_for(key, route, world)
        want = EXPECTED[key][role][0]
        try:
            response = client.get(path)
        except Exception as error:  # a 500: the test client re-raises the view's exception
            raise AssertionError(f"{role} GET {path} raised {error!r}") from error
        got = outcome(response)
        if got != want:
            wrong.append(f"GET {path}: {got} (expected {want})")
        # "none": the page read nothing (the login redirect of an anonymous visitor).
        served.update(set(response.get("X-Clinic-Read-DB", "").split(",")) - {"", "none"})
    return wrong, served


@pytest.mark.parametrize("role", ROLES)
def test_it_answers_every_page_as_the_role_matrix_expects_with_a_replica(lab, world, users, role):
    wrong, served = walk(role, users[role], world)
    assert not wrong, f"{role}: " + "; ".join(wrong)
    # The walk really used the replica (a GET without a preceding write reads there): the router
    # names the aliases that served each page's reads in X-Clinic-Read-DB (REPLICA_TRACE_HEADER).
    if role != "anonymous":
        assert lab.alias in served, f"{role}: no page was read from {lab.alias} ({served})"
