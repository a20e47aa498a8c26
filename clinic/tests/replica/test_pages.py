"""Acceptance (issue 7): with a primary and a replica running, every page works.

Every URL of the project (the role matrix's own list, clinic/tests/test_role_matrix.py, the
Django admin's included), filled with the role matrix's world, is opened with GET by each role
and must give the answer the matrix expects for that role — never a 500. Unlike the matrix,
nothing runs inside a transaction (in one, every read goes to the primary by design): the world
is committed and replicated first, and the pages read wherever the router sends them. POSTs are
the matrix's business; here the writes of a session are in test_routing.py and test_failures.py.
"""

import pytest

from clinic.tests.test_role_matrix import ROLES

from .browse import walk

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


@pytest.mark.parametrize("role", ROLES)
def test_it_answers_every_page_as_the_role_matrix_expects_with_a_replica(lab, world, users, role):
    wrong, served = walk(role, users[role], world)
    assert not wrong, f"{role}: " + "; ".join(wrong)
    # The walk really used the replica (a GET without a preceding write reads there): the router
    # names the aliases that served each page's reads in X-Clinic-Read-DB (REPLICA_TRACE_HEADER).
    if role != "anonymous":
        assert lab.alias in served, f"{role}: no page was read from {lab.alias} ({served})"
