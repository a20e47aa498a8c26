"""What the replica lab's tests do as a browser, and how they tell which server answered."""

import re

from django.test import Client
from django.urls import reverse

from clinic.tests.security_fixtures import VALID_POSTS
from clinic.tests.test_role_matrix import EXPECTED, ROUTES, outcome, path_for

# The aliases that served a response's reads, sorted and comma-separated ("replica_1": every read
# from the replica, the session from the cache; "default,replica_1": some from the primary too);
# on with REPLICA_TRACE_HEADER.
READ_DB = "X-Clinic-Read-DB"


def walk(role: str, user, world) -> tuple[list[str], set[str]]:
    """GET every URL of the role matrix as `user` (of `role`; None: anonymous) in a fresh
    browser: the answers that differ from the matrix's, and the aliases that served the reads."""
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
        served.update(set(response.get(READ_DB, "").split(",")) - {"", "none"})
    return wrong, served


def book(client, world) -> int:
    """Books through the booking page, as the receptionist does; the new appointment's id."""
    response = client.post(reverse("scheduling:book"), VALID_POSTS["scheduling:book"](world))
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    match = re.fullmatch(r"/appointments/(\d+)/", response["Location"])
    assert match, response["Location"]
    return int(match[1])


def selects(captured) -> list[str]:
    """The SELECTs in a CaptureQueriesContext."""
    return [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]


def writes(captured) -> list[str]:
    """The INSERT, UPDATE, DELETE and REPLACE statements in a CaptureQueriesContext."""
    verbs = ("INSERT", "UPDATE", "DELETE", "REPLACE")
    return [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith(verbs)]
