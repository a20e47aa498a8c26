"""Fixtures shared by every app's tests: one user per role, plus an outsider; `figures` for
the integrity tests (concurrency, faults, bad input)."""

import contextlib

import pytest
from django.template.backends.jinja2 import Template as Jinja2Template
from django.test.signals import template_rendered

from accounts.models import User
from accounts.tests.factories import UserFactory
from patients.tests.factories import DoctorFactory


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin_t", role=User.Role.ADMIN)


@pytest.fixture
def receptionist(db):
    return UserFactory(username="resepsionis_t", role=User.Role.RECEPTIONIST)


@pytest.fixture
def doctor_user(db):
    user = UserFactory(username="dokter_t", role=User.Role.DOCTOR)
    DoctorFactory(user=user, full_name="dr. Test Dokter")
    return user


@pytest.fixture
def other_doctor_user(db):
    """A doctor who has no business with the other doctor's patients."""
    user = UserFactory(username="dokter_lain_t", role=User.Role.DOCTOR)
    DoctorFactory(user=user, full_name="dr. Dokter Lain")
    return user


@pytest.fixture
def pharmacist(db):
    """An Apoteker: the pharmacy's queue and stock, nothing of the rest of the record."""
    return UserFactory(username="apoteker_t", role=User.Role.PHARMACIST)


@pytest.fixture
def inactive_user(db):
    return UserFactory(username="nonaktif_t", role=User.Role.RECEPTIONIST, is_active=False)


@pytest.fixture(autouse=True, scope="session")
def _jinja2_pages_report_their_context():
    """The test client learns what a response rendered (response.context, assertTemplateUsed)
    from the template_rendered signal, which only Django's own engine sends during tests; the
    Jinja2 pages send it too, as Django's test set-up does for its own templates."""
    render = Jinja2Template.render

    def instrumented_render(self, context=None, request=None):
        context = {} if context is None else context
        html = render(self, context, request)
        template_rendered.send(sender=self, template=self.template, context=context)
        return html

    Jinja2Template.render = instrumented_render
    yield
    Jinja2Template.render = render


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
