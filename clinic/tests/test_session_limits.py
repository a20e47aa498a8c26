"""Session limits seen from the rest of the project: the settings read from the environment, and
an expired session's POST to another app's page."""

import pytest
from django.urls import reverse

from accounts import middleware
from accounts.tests.test_sessions import MINUTE, T0, signed_in
from clinic.tests.test_settings import run_python
from scheduling.models import Appointment
from scheduling.tests.factories import AppointmentFactory


@pytest.fixture
def clock(monkeypatch):
    """The session rules' clock, moved by hand: clock.at(minutes after T0)."""

    class Clock:
        now = T0

        def at(self, minutes: float):
            self.now = T0 + minutes * MINUTE

    c = Clock()
    monkeypatch.setattr(middleware, "now", lambda: c.now)
    return c


def test_it_reads_the_limits_from_the_environment():
    result = run_python(
        "import importlib\n"
        "s = importlib.import_module('clinic.settings.base')\n"
        "print(s.SESSION_IDLE_TIMEOUT_MINUTES, s.SESSION_ABSOLUTE_HOURS, s.SESSION_COOKIE_AGE)\n",
        SESSION_IDLE_TIMEOUT_MINUTES="5",
        SESSION_ABSOLUTE_HOURS="8",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["5", "8", str(8 * 3600)]


@pytest.mark.django_db
def test_it_does_not_carry_out_a_post_from_an_expired_session(client, receptionist, clock):
    appointment = AppointmentFactory()
    signed_in(client, receptionist)
    clock.at(16)
    response = client.post(reverse("scheduling:check_in", args=[appointment.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.SCHEDULED
    assert appointment.arrived_at is None
