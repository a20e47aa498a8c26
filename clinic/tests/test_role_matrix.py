"""The role × URL matrix (issue 4): every URL pattern of the project — found by walking the URL
resolver, the Django admin's included — × anonymous, Admin, Doctor, Receptionist and a
deactivated user × GET and POST → the answer written in EXPECTED below. A new URL has no line in
EXPECTED and fails `test_it_has_an_expected_answer_for_every_url`.

URLs that name an object are filled with a real object the role may open (the doctor's own visit,
a patient in their care, a bill...), so that "allowed" is a 200 or a redirect and never a 404 of a
missing object. Each request runs in a savepoint that is rolled back, so every role meets the
same world (a check-in by the admin does not leave the appointment checked in for the
receptionist). The POST is empty: a form answers 200 with its errors, an action (check in, start,
complete...) does its work and redirects. `test_it_accepts_a_valid_post_from_the_right_role`
then sends each form a valid POST and expects the redirect of a success.

Never a 500: the test client re-raises any exception of a view."""

import re
from types import SimpleNamespace

import pytest
from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from audit.models import AuditLog
from billing.services import payment_record
from clinic.tests.security_fixtures import VALID_POSTS, build_clinic, open_emergency_access
from patients.models import Room
from records.models import LabResultVersion, MedicalRecordVersion
from satusehat.models import Submission
from scheduling.tests.factories import ServiceFactory

# --- Discovery -------------------------------------------------------------------------------


def walk(patterns, prefix="", namespace=None):
    """(key, route) of every URL pattern: the URL name with its namespace, or "route:<route>" for
    the few patterns without a name (the admin's object-id redirect and its catch-all)."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = ":".join(n for n in (namespace, entry.namespace) if n) or None
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            if entry.name:
                yield (f"{namespace}:{entry.name}" if namespace else entry.name), route
            else:
                yield f"route:{route}", route


ROUTES = sorted(set(walk(get_resolver().url_patterns)))
ROLES = ("anonymous", "inactive", "admin", "doctor", "receptionist", "pharmacist")
STAFF_ROLES = ("admin", "doctor", "receptionist", "pharmacist")

# --- Outcomes --------------------------------------------------------------------------------

LOGIN = "login"  # 302 to the staff login page
ADMIN_LOGIN = "admin_login"  # 302 to the Django admin's login page
REDIRECT = "302"  # any other redirect (a successful POST, a page that sends on)


def outcome(response) -> str | int:
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(reverse("accounts:login")):
            return LOGIN
        if location.startswith(reverse("admin:login")):
            return ADMIN_LOGIN
        return REDIRECT
    return response.status_code


# --- The world -------------------------------------------------------------------------------


def build_world(*, admin_user, doctor_user, other_doctor_user, receptionist) -> SimpleNamespace:
    world = build_clinic(doctor_user=doctor_user, other_doctor_user=other_doctor_user)
    # A payment, earlier versions of a record and a lab result, an emergency access of the other
    # doctor and a few audit rows: objects for the admin's read-only pages.
    world.payment = payment_record(
        bill=world.other_bill, amount=world.other_bill.total_amount / 2, method="Cash", received_by=receptionist
    )
    now = timezone.now()
    world.record_version = MedicalRecordVersion.objects.create(
        record=world.record, version=1, snapshot={"diagnosis": "lama"}, changed_at=now
    )
    world.lab_version = LabResultVersion.objects.create(
        lab_result=world.lab, version=1, snapshot={"value": "1"}, changed_at=now
    )
    world.emergency = open_emergency_access(doctor_user=other_doctor_user, patient=world.patient)
    world.audit_row = AuditLog.objects.order_by("id").first()
    world.working_hours = world.doctor.working_hours.first()
    world.line = world.scheduled.lines.first()
    world.spare_service = ServiceFactory()
    world.staff_user = receptionist
    world.room = Room.objects.create(name="Poli Matriks")
    world.submission = Submission.objects.create(appointment=world.record.appointment, status=Submission.Status.FAILED)
    return world


# The object each URL names, for every role alike (the doctor_user's own, which the admin and
# the receptionist may open too where their role allows).
OBJECT_KWARGS = {
    "audit:patient": lambda w: {"pk": w.patient.pk},
    "patients:detail": lambda w: {"pk": w.patient.pk},
    "patients:edit": lambda w: {"pk": w.patient.pk},
    # A patient outside doctor_user's care: the page that asks for the emergency's reason.
    "audit:emergency_access": lambda w: {"pk": w.outsider.pk},
    "insurance:add": lambda w: {"pk": w.patient.pk},
    "insurance:edit": lambda w: {"pk": w.insurance.pk},
    "scheduling:detail": lambda w: {"pk": w.scheduled.pk},
    "scheduling:check_in": lambda w: {"pk": w.scheduled.pk},
    "scheduling:cancel": lambda w: {"pk": w.scheduled.pk},
    "scheduling:no_show": lambda w: {"pk": w.scheduled.pk},
    "scheduling:reschedule": lambda w: {"pk": w.scheduled.pk},
    "records:visit": lambda w: {"pk": w.consult.pk},
    "records:call_again": lambda w: {"pk": w.checked_in.pk},
    "scheduling:ticket": lambda w: {"pk": w.checked_in.pk},
    "queue:display": lambda w: {"token": w.queue_display.token},
    "queue:display_poll": lambda w: {"token": w.queue_display.token},
    "records:start": lambda w: {"pk": w.checked_in.pk},
    "records:record": lambda w: {"pk": w.consult.pk},
    "records:lab_add": lambda w: {"pk": w.consult.pk},
    "records:lab_edit": lambda w: {"pk": w.consult.pk, "lab_pk": w.lab.pk},
    "records:complete": lambda w: {"pk": w.consult.pk},
    "billing:detail": lambda w: {"pk": w.bill.pk},
    "billing:pay": lambda w: {"pk": w.bill.pk},
    "billing:receipt": lambda w: {"pk": w.bill.pk},
    "billing:receipt_pdf": lambda w: {"pk": w.bill.pk},
    "billing:void": lambda w: {"pk": w.bill.pk},
    "pharmacy:prescribe": lambda w: {"pk": w.consult.pk},
    "pharmacy:line_remove": lambda w: {"pk": w.consult.pk, "line_pk": w.draft_line.pk},
    "pharmacy:send": lambda w: {"pk": w.consult.pk},
    "pharmacy:prescription": lambda w: {"pk": w.prescription.pk},
    "pharmacy:labels": lambda w: {"pk": w.prescription.pk},
    "pharmacy:copy": lambda w: {"pk": w.prescription.pk},
    "pharmacy:drug_stock": lambda w: {"pk": w.drug.pk},
    "pharmacy:batch_count": lambda w: {"pk": w.batch.pk},
    "pharmacy:batch_remove": lambda w: {"pk": w.batch.pk},
    "satusehat:retry": lambda w: {"pk": w.submission.pk},
}

# One object of every model of the Django admin.
ADMIN_OBJECTS = {
    "accounts.user": lambda w: w.staff_user,
    "audit.auditlog": lambda w: w.audit_row,
    "audit.emergencyaccess": lambda w: w.emergency,
    "patients.patient": lambda w: w.patient,
    "patients.doctor": lambda w: w.doctor,
    "patients.workinghours": lambda w: w.working_hours,
    "patients.room": lambda w: w.room,
    "scheduling.service": lambda w: w.spare_service,  # on no appointment: it may be deleted
    "scheduling.appointment": lambda w: w.scheduled,
    "scheduling.appointmentservice": lambda w: w.line,
    "scheduling.queuedisplay": lambda w: w.queue_display,
    "records.medicalrecord": lambda w: w.record,
    "records.labresult": lambda w: w.lab,
    "records.medicalrecordversion": lambda w: w.record_version,
    "records.labresultversion": lambda w: w.lab_version,
    "billing.insurance": lambda w: w.insurance,
    "billing.billing": lambda w: w.bill,
    "billing.payment": lambda w: w.payment,
    "pharmacy.drug": lambda w: w.drug,
    "pharmacy.batch": lambda w: w.batch,
    "pharmacy.stockmove": lambda w: w.batch.moves.first(),
}
ADMIN_MODEL_URL = re.compile(
    r"^admin:(?P<app>[a-z_]+)_(?P<model>[a-z]+)_(?P<view>changelist|add|history|delete|change)$"
)
ADMIN_MODEL_ROUTE = re.compile(r"^admin/(?P<app>[a-z_]+)/(?P<model>[a-z]+)/<path:object_id>/$")


def path_for(key: str, route: str, world) -> str:
    if key in OBJECT_KWARGS:
        return reverse(key, kwargs=OBJECT_KWARGS[key](world))
    if key == "admin:auth_user_password_change":  # before the pattern, which would read it as a model
        return reverse(key, args=[world.staff_user.pk])
    if match := ADMIN_MODEL_URL.match(key):
        obj = ADMIN_OBJECTS[f"{match['app']}.{match['model']}"](world)
        return reverse(key, args=[obj.pk] if match["view"] in ("history", "delete", "change") else [])
    if match := ADMIN_MODEL_ROUTE.match(route):
        obj = ADMIN_OBJECTS[f"{match['app']}.{match['model']}"](world)
        return f"/admin/{match['app']}/{match['model']}/{obj.pk}/"
    if key == "admin:view_on_site":
        return reverse(key, args=[ContentType.objects.get_for_model(world.patient).pk, world.patient.pk])
    if key == "admin:autocomplete":  # the patient picker of the admin's booking form
        return reverse(key) + "?app_label=scheduling&model_name=appointment&field_name=patient&term="
    if key == "admin:app_list":
        return reverse(key, kwargs={"app_label": "patients"})
    if key == "route:admin/(?P<url>.*)$":
        return "/admin/no-such-page/"
    return reverse(key)


# What a browser sends for a form submitted empty: the CSRF field is always there (the test
# client does not check it), so `Form(request.POST or None)` sees a bound, empty form.
EMPTY_FORM = {"csrfmiddlewaretoken": "not-checked-by-the-test-client"}


def probe(client, user, method: str, path: str, data=None, **extra):
    """One request as `user` (None: anonymous) in a savepoint that is rolled back."""
    if data is None and method == "post":
        data = EMPTY_FORM
    with transaction.atomic():
        client.logout()
        if user is not None:
            client.force_login(user)
        response = getattr(client, method)(path, data or {}, **extra)
        transaction.set_rollback(True)
    return outcome(response), response


# --- The expected answers --------------------------------------------------------------------
# Per role a pair (answer to GET, answer to an empty POST).

FORBIDDEN = (403, 403)  # a signed-in user of the wrong role
PAGE = (200, 405)  # a page that only reads
FORM = (200, 200)  # a form: the page, then the same form with its errors for an empty POST
ACTION = (405, REDIRECT)  # POST only: does its work (or says why not) and redirects
LOGGED_OUT = (LOGIN, LOGIN)
ADMIN_LOGGED_OUT = (ADMIN_LOGIN, ADMIN_LOGIN)


def staff(*, admin, doctor, receptionist, pharmacist=FORBIDDEN) -> dict:
    """A staff page: anonymous visitors and deactivated users are sent to the login page. The
    pharmacist (Apoteker) opens only the pharmacy's pages (and their own two-step login)."""
    return {
        "anonymous": LOGGED_OUT,
        "inactive": LOGGED_OUT,
        "admin": admin,
        "doctor": doctor,
        "receptionist": receptionist,
        "pharmacist": pharmacist,
    }


def public(answer) -> dict:
    return dict.fromkeys(ROLES, answer)


def admin_site(admin) -> dict:
    """A page of the Django admin: only the Admin role gets in; everyone else (signed in or not)
    is sent to the admin's login page, which refuses them."""
    return {
        "anonymous": ADMIN_LOGGED_OUT,
        "inactive": ADMIN_LOGGED_OUT,
        "doctor": ADMIN_LOGGED_OUT,
        "receptionist": ADMIN_LOGGED_OUT,
        "pharmacist": ADMIN_LOGGED_OUT,
        "admin": admin,
    }


FRONT_DESK_PAGE = staff(admin=PAGE, doctor=FORBIDDEN, receptionist=PAGE)
FRONT_DESK_FORM = staff(admin=FORM, doctor=FORBIDDEN, receptionist=FORM)
FRONT_DESK_ACTION = staff(admin=ACTION, doctor=FORBIDDEN, receptionist=ACTION)
ADMIN_PAGE = staff(admin=PAGE, doctor=FORBIDDEN, receptionist=FORBIDDEN)
DOCTOR_ACTION = staff(admin=FORBIDDEN, doctor=ACTION, receptionist=FORBIDDEN)
DOCTOR_FORM = staff(admin=FORBIDDEN, doctor=FORM, receptionist=FORBIDDEN)
EVERY_ROLE_PAGE = staff(admin=PAGE, doctor=PAGE, receptionist=PAGE)
PHARMACY_PAGE = staff(admin=PAGE, doctor=FORBIDDEN, receptionist=FORBIDDEN, pharmacist=PAGE)
PHARMACY_FORM = staff(admin=FORM, doctor=FORBIDDEN, receptionist=FORBIDDEN, pharmacist=FORM)
# A search: its words are POSTed, kept under a token and the page comes back as ?s=<token>.
SEARCH = (200, REDIRECT)
FRONT_DESK_SEARCH = staff(admin=SEARCH, doctor=FORBIDDEN, receptionist=SEARCH)

STAFF_EXPECTED = {
    # Public: signing in and out, the language switch, the health check.
    "accounts:login": {
        "anonymous": FORM,
        "inactive": FORM,  # a signed-in user is sent on
        "admin": (REDIRECT, REDIRECT),
        "doctor": (REDIRECT, REDIRECT),
        "receptionist": (REDIRECT, REDIRECT),
        "pharmacist": (REDIRECT, REDIRECT),
    },
    "accounts:logout": public((405, LOGIN)),  # POST only, then the login page
    # A locked username's way in with its TOTP code: POST only; a username not locked goes to the login page.
    "accounts:login_locked": public((405, LOGIN)),
    "set_language": public((REDIRECT, REDIRECT)),
    "healthz": public(PAGE),
    "favicon": public((REDIRECT, 405)),
    # The waiting room's screen and its polled numbers: no login, the display's token.
    "queue:display": public(PAGE),
    "queue:display_poll": public(PAGE),
    # The dashboard: the Admin's figures, a doctor's own day; the CSV of revenue for the Admin only.
    "dashboard": staff(admin=PAGE, doctor=PAGE, receptionist=FORBIDDEN),
    "dashboard_export": ADMIN_PAGE,
    "home": staff(
        admin=(REDIRECT, REDIRECT),
        doctor=(REDIRECT, REDIRECT),
        receptionist=(REDIRECT, REDIRECT),
        pharmacist=(REDIRECT, REDIRECT),
    ),
    # Two-step login, for every role. Nobody here has an authenticator: the code page sends on.
    "accounts:otp_verify": staff(
        admin=(REDIRECT, REDIRECT),
        doctor=(REDIRECT, REDIRECT),
        receptionist=(REDIRECT, REDIRECT),
        pharmacist=(REDIRECT, REDIRECT),
    ),
    "accounts:otp_setup": staff(admin=FORM, doctor=FORM, receptionist=FORM, pharmacist=FORM),
    "accounts:otp_disable": staff(admin=ACTION, doctor=ACTION, receptionist=ACTION, pharmacist=ACTION),
    # The audit log: Admin only.
    "audit:search": ADMIN_PAGE,
    "audit:patient": ADMIN_PAGE,
    "audit:emergency_list": ADMIN_PAGE,
    # SATUSEHAT: the sending page and its retry, Admin only.
    "satusehat:submissions": ADMIN_PAGE,
    "satusehat:retry": staff(admin=ACTION, doctor=FORBIDDEN, receptionist=FORBIDDEN),
    # Patients: the front desk registers and edits; a doctor reads a patient in their care and
    # asks for emergency access to any other (a form with a reason).
    "patients:search": FRONT_DESK_SEARCH,
    "patients:create": FRONT_DESK_FORM,
    "patients:detail": EVERY_ROLE_PAGE,
    "patients:edit": FRONT_DESK_FORM,
    "audit:emergency_access": staff(admin=FORBIDDEN, doctor=FORM, receptionist=FORBIDDEN),
    "insurance:add": FRONT_DESK_FORM,
    "insurance:edit": FRONT_DESK_FORM,
    # Appointments: the front desk books and moves; a doctor sees their own day and appointment.
    "scheduling:board": FRONT_DESK_PAGE,
    "scheduling:book": FRONT_DESK_FORM,
    "scheduling:walk_in": FRONT_DESK_FORM,
    "scheduling:booking_options": FRONT_DESK_PAGE,  # GET only (htmx: services, total, free times)
    "scheduling:day": EVERY_ROLE_PAGE,
    "scheduling:patient_lookup": FRONT_DESK_ACTION,  # POST only (htmx: the results)
    "scheduling:detail": EVERY_ROLE_PAGE,
    "scheduling:check_in": FRONT_DESK_ACTION,
    "scheduling:cancel": FRONT_DESK_ACTION,
    "scheduling:no_show": FRONT_DESK_ACTION,
    "scheduling:reschedule": FRONT_DESK_FORM,
    "scheduling:ticket": FRONT_DESK_PAGE,
    # Consultation: the doctor of the visit writes; the admin reads the visit and ICD-10.
    "records:queue": staff(admin=FORBIDDEN, doctor=PAGE, receptionist=FORBIDDEN),
    "records:icd10": staff(admin=PAGE, doctor=PAGE, receptionist=FORBIDDEN),
    "records:visit": staff(admin=PAGE, doctor=PAGE, receptionist=FORBIDDEN),
    "records:start": DOCTOR_ACTION,
    "records:call_next": DOCTOR_ACTION,
    "records:call_again": DOCTOR_ACTION,
    # Every field of the record may be empty (the record completion creates is empty too): an
    # empty POST is a valid save during the consultation, and the earlier text is kept as a version.
    "records:record": staff(admin=FORBIDDEN, doctor=(200, REDIRECT), receptionist=FORBIDDEN),
    "records:lab_add": DOCTOR_FORM,
    "records:lab_edit": DOCTOR_FORM,
    "records:complete": DOCTOR_ACTION,
    # Billing: the front desk only.
    "billing:unpaid": FRONT_DESK_SEARCH,
    "billing:detail": FRONT_DESK_PAGE,
    "billing:pay": FRONT_DESK_FORM,
    "billing:receipt": FRONT_DESK_PAGE,
    "billing:receipt_pdf": FRONT_DESK_PAGE,
    "billing:void": FRONT_DESK_ACTION,
    # The pharmacy: the doctor prescribes on their own visit in consultation; the pharmacist and
    # the admin dispense, print labels and the copy, and keep the stock; the catalogue search
    # serves the doctor's form (and the pharmacist's, the admin's).
    "pharmacy:prescribe": DOCTOR_FORM,
    "pharmacy:line_remove": DOCTOR_ACTION,
    "pharmacy:send": DOCTOR_ACTION,
    "pharmacy:drug_search": staff(admin=PAGE, doctor=PAGE, receptionist=FORBIDDEN, pharmacist=PAGE),
    "pharmacy:queue": PHARMACY_PAGE,
    "pharmacy:prescription": PHARMACY_FORM,
    "pharmacy:labels": PHARMACY_PAGE,
    "pharmacy:copy": PHARMACY_PAGE,
    "pharmacy:stock": PHARMACY_PAGE,
    "pharmacy:drug_stock": PHARMACY_PAGE,
    "pharmacy:receive": PHARMACY_FORM,
    "pharmacy:batch_count": PHARMACY_FORM,
    "pharmacy:batch_remove": PHARMACY_FORM,
    "pharmacy:near_expiry": PHARMACY_PAGE,
    "pharmacy:below_minimum": PHARMACY_PAGE,
    "pharmacy:movements": PHARMACY_PAGE,
}

ADMIN_SITE_EXPECTED = {
    "admin:index": admin_site((200, 200)),
    "admin:app_list": admin_site((200, 200)),
    # The admin's own login: a form for everyone; a signed-in Admin is sent to the index.
    "admin:login": {**public(FORM), "admin": (REDIRECT, 200)},
    # POST only for the Admin (then the staff login page); anyone else is sent to the index,
    # which sends them to the admin login.
    "admin:logout": {**public((REDIRECT, REDIRECT)), "admin": (405, LOGIN)},
    "admin:password_change": admin_site(FORM),
    "admin:password_change_done": admin_site(PAGE),
    "admin:autocomplete": admin_site(PAGE),
    "admin:jsi18n": admin_site(PAGE),
    "admin:view_on_site": admin_site((REDIRECT, REDIRECT)),
    "admin:auth_user_password_change": admin_site(FORM),
    "route:admin/(?P<url>.*)$": admin_site((404, 404)),  # the catch-all says nothing to outsiders
}

# What the Admin role may do with each model in the Django admin: medical records,
# lab results, their earlier versions and the audit trail are read only; people (patients,
# doctors, staff), appointments, their services, bills and payments are never deleted.
ADMIN_MODELS = {
    "accounts.user": {"add", "change"},
    "audit.auditlog": set(),
    "audit.emergencyaccess": set(),
    "patients.patient": {"add", "change"},
    "patients.doctor": {"add", "change"},
    "patients.workinghours": {"add", "change", "delete"},
    "patients.room": {"add", "change"},  # doctors and sent visits point at it: never deleted
    "scheduling.service": {"add", "change", "delete"},
    "scheduling.appointment": {"add", "change"},
    "scheduling.appointmentservice": {"add", "change"},
    "scheduling.queuedisplay": {"add", "change", "delete"},
    "records.medicalrecord": set(),
    "records.labresult": set(),
    "records.medicalrecordversion": set(),
    "records.labresultversion": set(),
    "billing.insurance": {"add", "change", "delete"},
    "billing.billing": {"add"},  # issued from a completed visit; every field is computed
    "billing.payment": {"add"},  # a ledger: recorded through the payment service, never edited
    "pharmacy.drug": {"add", "change"},  # made inactive, never deleted
    "pharmacy.batch": set(),  # received, counted and written off on the stock pages
    "pharmacy.stockmove": set(),  # the stock ledger: append-only
}


def admin_model_expected(label: str, may: set[str]) -> dict:
    app, model = label.split(".")
    prefix = f"admin:{app}_{model}"
    return {
        f"{prefix}_changelist": admin_site((200, 200)),  # an empty POST: "no action selected"
        f"{prefix}_add": admin_site(FORM if "add" in may else FORBIDDEN),
        # Read-only models still show their change page (to read), and refuse the POST.
        f"{prefix}_change": admin_site(FORM if "change" in may else (200, 403)),
        # The confirmation page, then the deletion (a POST is the confirmation).
        f"{prefix}_delete": admin_site((200, REDIRECT) if "delete" in may else FORBIDDEN),
        f"{prefix}_history": admin_site((200, 200)),
        f"route:admin/{app}/{model}/<path:object_id>/": admin_site((REDIRECT, REDIRECT)),  # to the change page
    }


EXPECTED = {**STAFF_EXPECTED, **ADMIN_SITE_EXPECTED}
for _label, _may in ADMIN_MODELS.items():
    EXPECTED.update(admin_model_expected(_label, _may))


# --- Tests -----------------------------------------------------------------------------------


def test_it_has_an_expected_answer_for_every_url():
    discovered = {key for key, _route in ROUTES}
    assert discovered - set(EXPECTED) == set(), "URLs without a line in EXPECTED"
    assert set(EXPECTED) - discovered == set(), "lines in EXPECTED for URLs that no longer exist"


def test_it_knows_every_model_of_the_django_admin():
    registered = {f"{m._meta.app_label}.{m._meta.model_name}" for m in admin.site._registry}
    assert registered == set(ADMIN_MODELS) == set(ADMIN_OBJECTS)


def form_errors(response) -> bool | None:
    """Whether the page shows a form with errors; None when it has no form."""
    context = response.context
    if context is None:
        return None
    for name in ("adminform", "form"):
        if name in context and context[name] is not None:
            form = getattr(context[name], "form", context[name])
            return bool(form.errors)
    return None


@pytest.fixture
def users(admin_user, doctor_user, receptionist, pharmacist, inactive_user) -> dict:
    return {
        "anonymous": None,
        "inactive": inactive_user,
        "admin": admin_user,
        "doctor": doctor_user,
        "receptionist": receptionist,
        "pharmacist": pharmacist,
    }


@pytest.fixture
def world(admin_user, doctor_user, other_doctor_user, receptionist):
    return build_world(
        admin_user=admin_user, doctor_user=doctor_user, other_doctor_user=other_doctor_user, receptionist=receptionist
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "route"), ROUTES, ids=[key for key, _route in ROUTES])
def test_it_answers_each_role_and_method_as_expected(client, users, world, key, route):
    path = path_for(key, route, world)
    expected = EXPECTED.get(key)
    assert expected is not None, f"{key} ({path}) has no line in EXPECTED"
    wrong = []
    for role in ROLES:
        for method, want in zip(("get", "post"), expected[role], strict=True):
            try:
                got, response = probe(client, users[role], method, path)
            except Exception as error:  # a 500: the test client re-raises the view's exception
                raise AssertionError(f"{role} {method.upper()} {path} raised {error!r}") from error
            if got != want:
                wrong.append(f"{role} {method.upper()}: {got} (expected {want})")
            elif method == "post" and got == 200 and form_errors(response) is False:
                wrong.append(f"{role} POST: 200 but the empty form shows no error")
    assert not wrong, f"{key} {path}: " + "; ".join(wrong)


# Forms whose valid POST is tested where their rules live: logging in and the two-step login
# (accounts/tests/test_security.py: a real password and a TOTP code), the admin's own forms
# (clinic/tests/test_admin.py and Django's).
VALID_POST_ELSEWHERE = {"accounts:login", "accounts:otp_setup"}


def test_it_has_a_valid_post_for_every_form_of_the_staff_pages():
    forms = {key for key, expected in STAFF_EXPECTED.items() if any(expected[role] == FORM for role in STAFF_ROLES)}
    assert forms - VALID_POST_ELSEWHERE == set(VALID_POSTS) - {"records:record"}


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(VALID_POSTS))
def test_it_accepts_a_valid_post_from_the_right_role(client, users, world, key):
    path = path_for(key, "", world)
    allowed = [role for role in STAFF_ROLES if EXPECTED[key][role][0] == 200]
    assert allowed
    for role in allowed:
        got, response = probe(client, users[role], "post", path, VALID_POSTS[key](world))
        errors = response.context["form"].errors if got == 200 and response.context else None
        assert got == REDIRECT, (role, got, errors)
        levels = {m.level for m in get_messages(response.wsgi_request)}
        assert levels & {messages.SUCCESS, messages.WARNING}, (role, levels)


@pytest.mark.django_db
@pytest.mark.parametrize("label", ["patients.patient", "patients.doctor"])
def test_it_never_deletes_a_person_through_the_admin(client, admin_user, label):
    """People are deactivated, never deleted: not even a doctor or patient without a
    single visit (before the fix the admin deleted such a doctor), nor through the changelist's
    bulk action."""
    from patients.tests.factories import DoctorFactory, PatientFactory

    person = (PatientFactory if label == "patients.patient" else DoctorFactory)()
    app, model = label.split(".")
    client.force_login(admin_user)
    response = client.post(reverse(f"admin:{app}_{model}_delete", args=[person.pk]), {"post": "yes"})
    assert response.status_code == 403
    response = client.post(
        reverse(f"admin:{app}_{model}_changelist"),
        {"action": "delete_selected", "_selected_action": [person.pk], "post": "yes"},
    )
    assert type(person).objects.filter(pk=person.pk).exists()
    assert "delete_selected" not in dict(
        client.get(reverse(f"admin:{app}_{model}_changelist")).context["action_form"].fields["action"].choices
    )
