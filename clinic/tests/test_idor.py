"""IDOR (issue 4): every URL that names an object — found by walking the URL resolver — answers a
signed-in user who has no business with that object with 403 or 404, for GET and for a POST full
of hostile fields, and nothing in the database changes (every row of every project model is
compared before and after; the audit log may only gain its "access denied" rows).

Then mass assignment: fields a user may not set, sent along with a valid form (patient, doctor,
appointment, amount, status, total, role, is_superuser...), are ignored — the saved object's
patient, doctor, status and amounts come from the server side."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.models import User
from audit.models import AuditLog, EmergencyAccess
from billing.models import Billing, Insurance, Payment
from clinic.tests.security_fixtures import VALID_POSTS, build_clinic, open_emergency_access, snapshot
from clinic.tests.test_role_matrix import EXPECTED, OBJECT_KWARGS  # the matrix's answers and objects
from patients.models import Patient
from records.models import LabResult, MedicalRecord
from satusehat.models import Submission
from scheduling.models import Appointment

NOT_YOURS = {403, 404}


def object_routes(patterns, prefix="", namespace=None):
    """(name, route) of every URL whose route names an object (has a converter)."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = ":".join(n for n in (namespace, entry.namespace) if n) or None
            yield from object_routes(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            if "<" in route:
                yield (f"{namespace}:{entry.name}" if entry.name else f"route:{route}"), route


ALL_OBJECT_ROUTES = sorted(set(object_routes(get_resolver().url_patterns)))
STAFF_OBJECT_URLS = sorted(name for name, route in ALL_OBJECT_ROUTES if not route.startswith("admin/"))
ADMIN_OBJECT_ROUTES = [(name, route) for name, route in ALL_OBJECT_ROUTES if route.startswith("admin/")]

# Everything a forged form could try to set, on every POST of these tests.
HOSTILE = {
    "status": "paid",
    "amount": "1",
    "total_amount": "0",
    "amount_paid": "999999",
    "role": "admin",
    "is_superuser": "on",
    "is_staff": "on",
    "patient": "1",
    "doctor": "1",
    "appointment": "1",
    "medical_record": "1",
    "billing": "1",
    "post": "yes",
    "reason": "Darurat palsu untuk membaca data",
    "date": "2030-01-07",
    "time": "10:00",
    "method": "Cash",
}

# Who must not reach which object: (user fixture, the object's URL kwargs, answers allowed).
# "doctor" is doctor_user; objects called other_* belong to other_doctor_user and their patient,
# who has never seen doctor_user.
CASES = {
    "audit:patient": [
        ("doctor_user", lambda w: {"pk": w.patient.pk}, {403}),
        ("receptionist", lambda w: {"pk": w.patient.pk}, {403}),
    ],
    "patients:detail": [("doctor_user", lambda w: {"pk": w.outsider.pk}, {404})],
    "patients:edit": [
        ("doctor_user", lambda w: {"pk": w.patient.pk}, {403}),
        ("doctor_user", lambda w: {"pk": w.outsider.pk}, {403}),
    ],
    "audit:emergency_access": [
        ("admin_user", lambda w: {"pk": w.outsider.pk}, {403}),
        ("receptionist", lambda w: {"pk": w.outsider.pk}, {403}),
    ],
    "insurance:add": [("doctor_user", lambda w: {"pk": w.patient.pk}, {403})],
    "insurance:edit": [
        ("doctor_user", lambda w: {"pk": w.insurance.pk}, {403}),
        ("doctor_user", lambda w: {"pk": w.other_insurance.pk}, {403}),
    ],
    "scheduling:detail": [("doctor_user", lambda w: {"pk": w.other_scheduled.pk}, {404})],
    "scheduling:check_in": [
        ("doctor_user", lambda w: {"pk": w.scheduled.pk}, {403}),
        ("doctor_user", lambda w: {"pk": w.other_scheduled.pk}, {403}),
    ],
    "scheduling:cancel": [
        ("doctor_user", lambda w: {"pk": w.scheduled.pk}, {403}),
        ("doctor_user", lambda w: {"pk": w.other_scheduled.pk}, {403}),
    ],
    "scheduling:no_show": [("doctor_user", lambda w: {"pk": w.other_scheduled.pk}, {403})],
    "scheduling:reschedule": [
        ("doctor_user", lambda w: {"pk": w.scheduled.pk}, {403}),
        ("doctor_user", lambda w: {"pk": w.other_scheduled.pk}, {403}),
    ],
    "records:visit": [
        ("doctor_user", lambda w: {"pk": w.other_consult.pk}, {404}),
        ("doctor_user", lambda w: {"pk": w.other_completed.pk}, {404}),
        ("receptionist", lambda w: {"pk": w.consult.pk}, {403}),
    ],
    # Calling a patient to the room: the doctor's own patients only.
    "records:call_again": [
        ("doctor_user", lambda w: {"pk": w.other_checked_in.pk}, {404}),
        ("admin_user", lambda w: {"pk": w.checked_in.pk}, {403}),
        ("receptionist", lambda w: {"pk": w.checked_in.pk}, {403}),
    ],
    "scheduling:ticket": [
        ("doctor_user", lambda w: {"pk": w.checked_in.pk}, {403}),
        ("pharmacist", lambda w: {"pk": w.checked_in.pk}, {403}),
    ],
    # The waiting room's screen: no login, so its token is the object; a near miss is a 404,
    # signed in or not.
    "queue:display": [
        ("doctor_user", lambda w: {"token": w.queue_display.token[:-1] + "-"}, {404}),
        ("admin_user", lambda w: {"token": w.queue_display.token.upper()}, {404}),
    ],
    "queue:display_poll": [
        ("receptionist", lambda w: {"token": w.queue_display.token[1:]}, {404}),
        ("admin_user", lambda w: {"token": w.queue_display.token + "x"}, {404}),
    ],
    "records:start": [
        ("doctor_user", lambda w: {"pk": w.other_checked_in.pk}, {404}),
        ("admin_user", lambda w: {"pk": w.checked_in.pk}, {403}),
    ],
    "records:record": [
        ("doctor_user", lambda w: {"pk": w.other_consult.pk}, {404}),
        ("doctor_user", lambda w: {"pk": w.other_completed.pk}, {404}),
        ("admin_user", lambda w: {"pk": w.consult.pk}, {403}),
    ],
    "records:lab_add": [
        ("doctor_user", lambda w: {"pk": w.other_consult.pk}, {404}),
        ("admin_user", lambda w: {"pk": w.consult.pk}, {403}),
    ],
    "records:lab_edit": [
        ("doctor_user", lambda w: {"pk": w.other_consult.pk, "lab_pk": w.other_lab.pk}, {404}),
        # Their own visit with another visit's lab result: the pair must match.
        ("doctor_user", lambda w: {"pk": w.consult.pk, "lab_pk": w.other_lab.pk}, {404}),
        ("admin_user", lambda w: {"pk": w.consult.pk, "lab_pk": w.lab.pk}, {403}),
    ],
    "records:complete": [
        ("doctor_user", lambda w: {"pk": w.other_consult.pk}, {404}),
        ("admin_user", lambda w: {"pk": w.consult.pk}, {403}),
    ],
    "billing:detail": [
        ("doctor_user", lambda w: {"pk": w.bill.pk}, {403}),
        ("doctor_user", lambda w: {"pk": w.other_bill.pk}, {403}),
    ],
    "billing:pay": [
        ("doctor_user", lambda w: {"pk": w.bill.pk}, {403}),
        ("doctor_user", lambda w: {"pk": w.other_bill.pk}, {403}),
    ],
    "billing:receipt": [("doctor_user", lambda w: {"pk": w.bill.pk}, {403})],
    "billing:receipt_pdf": [("doctor_user", lambda w: {"pk": w.bill.pk}, {403})],
    "billing:void": [
        ("doctor_user", lambda w: {"pk": w.bill.pk}, {403}),
        ("doctor_user", lambda w: {"pk": w.other_bill.pk}, {403}),
    ],
    # The pharmacy: a doctor prescribes only on their own visit; the pharmacist sees no visit and
    # no prescription still being written; the receptionist and the doctor no stock.
    "pharmacy:prescribe": [
        ("doctor_user", lambda w: {"pk": w.other_consult.pk}, {404}),
        ("admin_user", lambda w: {"pk": w.consult.pk}, {403}),
        ("pharmacist", lambda w: {"pk": w.consult.pk}, {403}),
    ],
    "pharmacy:line_remove": [
        ("doctor_user", lambda w: {"pk": w.other_consult.pk, "line_pk": w.other_draft_line.pk}, {404}),
        # Their own visit with another visit's line: the pair must match.
        ("doctor_user", lambda w: {"pk": w.consult.pk, "line_pk": w.other_draft_line.pk}, {404}),
        ("pharmacist", lambda w: {"pk": w.consult.pk, "line_pk": w.draft_line.pk}, {403}),
    ],
    "pharmacy:send": [
        ("doctor_user", lambda w: {"pk": w.other_consult.pk}, {404}),
        ("pharmacist", lambda w: {"pk": w.consult.pk}, {403}),
    ],
    "pharmacy:prescription": [
        ("doctor_user", lambda w: {"pk": w.prescription.pk}, {403}),
        ("receptionist", lambda w: {"pk": w.other_prescription.pk}, {403}),
        ("pharmacist", lambda w: {"pk": w.draft.pk}, {404}),
    ],
    "pharmacy:labels": [
        ("doctor_user", lambda w: {"pk": w.prescription.pk}, {403}),
        ("pharmacist", lambda w: {"pk": w.other_draft.pk}, {404}),
    ],
    "pharmacy:copy": [
        ("receptionist", lambda w: {"pk": w.prescription.pk}, {403}),
        ("pharmacist", lambda w: {"pk": w.draft.pk}, {404}),
    ],
    "pharmacy:drug_stock": [("receptionist", lambda w: {"pk": w.drug.pk}, {403})],
    "pharmacy:batch_count": [
        ("doctor_user", lambda w: {"pk": w.batch.pk}, {403}),
        ("receptionist", lambda w: {"pk": w.batch.pk}, {403}),
    ],
    "pharmacy:batch_remove": [("doctor_user", lambda w: {"pk": w.batch.pk}, {403})],
    "satusehat:retry": [
        ("doctor_user", lambda w: {"pk": submission_of(w.record)}, {403}),
        ("receptionist", lambda w: {"pk": submission_of(w.record)}, {403}),
    ],
}


def submission_of(record) -> int:
    """The SATUSEHAT outbox row of the record's visit, marked failed (a retry would change it)."""
    row, _created = Submission.objects.get_or_create(appointment=record.appointment, status=Submission.Status.FAILED)
    return row.pk


CASE_IDS = [(name, index) for name in sorted(CASES) for index in range(len(CASES[name]))]


@pytest.fixture
def world(doctor_user, other_doctor_user):
    return build_clinic(doctor_user=doctor_user, other_doctor_user=other_doctor_user)


def audit_rows_after(last_id: int) -> list[str]:
    return list(AuditLog.objects.filter(id__gt=last_id).values_list("action", flat=True))


def takes(name: str, method: str) -> bool:
    """Whether the view takes this method at all (role matrix): a method it refuses to everyone
    answers 405 before any object is looked up, which tells nothing about the object."""
    answers = [EXPECTED[name][role] for role in ("admin", "doctor", "receptionist", "pharmacist")]
    return any(answer[method == "post"] != 405 for answer in answers if answer != (403, 403))


def assert_refused_and_unchanged(client, name: str, path: str, allowed: set) -> None:
    """GET and a hostile POST are refused with one of `allowed` (or 405 for a method the view
    never takes: the role gate answers first, then the method, then the object); no row changes,
    and the audit log gains nothing but its "access denied" rows."""
    last_audit = AuditLog.objects.order_by("-id").values_list("id", flat=True).first() or 0
    before = snapshot()
    for method in ("get", "post"):
        response = getattr(client, method)(path, HOSTILE if method == "post" else {})
        answers = allowed if takes(name, method) else allowed | {405}
        assert response.status_code in answers, (method, path, response.status_code)
    assert snapshot() == before, path
    assert set(audit_rows_after(last_audit)) <= {AuditLog.Action.DENIED}, path


def test_it_has_a_case_for_every_url_that_names_an_object():
    assert set(STAFF_OBJECT_URLS) == set(CASES)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "index"), CASE_IDS, ids=[f"{n}-{i}" for n, i in CASE_IDS])
def test_it_refuses_an_object_the_user_has_no_business_with(client, request, world, name, index):
    user_fixture, kwargs, allowed = CASES[name][index]
    client.force_login(request.getfixturevalue(user_fixture))
    assert_refused_and_unchanged(client, name, reverse(name, kwargs=kwargs(world)), allowed)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["records:start", "records:record", "records:lab_add", "records:lab_edit", "records:complete"]
)
def test_it_lets_an_emergency_access_read_but_never_write(client, doctor_user, world, name):
    """Emergency access opens the other doctor's patient for reading (the visit page answers);
    the visit's record, lab results and status stay the treating doctor's to write."""
    open_emergency_access(doctor_user=doctor_user, patient=world.outsider)
    client.force_login(doctor_user)
    assert client.get(reverse("records:visit", args=[world.other_consult.pk])).status_code == 200
    visit = world.other_checked_in if name == "records:start" else world.other_consult
    kwargs = {"pk": visit.pk, **({"lab_pk": world.other_lab.pk} if name == "records:lab_edit" else {})}
    assert_refused_and_unchanged(client, name, reverse(name, kwargs=kwargs), {404})


def concrete_admin(route: str, world) -> str:
    # The admin refuses other roles before it looks the object up: any existing id will do.
    return "/" + re.sub(r"<(?:\w+:)?\w+>", str(world.patient.pk), route)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "route"), ADMIN_OBJECT_ROUTES, ids=[n for n, _r in ADMIN_OBJECT_ROUTES])
@pytest.mark.parametrize("user_fixture", ["doctor_user", "receptionist"])
def test_it_keeps_the_admins_object_pages_from_other_roles(client, request, world, name, route, user_fixture):
    """The Django admin answers other roles with its login page (which refuses them), changing
    nothing: the delete, change and password pages of any object included."""
    client.force_login(request.getfixturevalue(user_fixture))
    path = concrete_admin(route, world)
    before = snapshot()
    for method in ("get", "post"):
        response = getattr(client, method)(path, HOSTILE if method == "post" else {})
        assert response.status_code == 302, (method, path, response.status_code)
        assert response["Location"].startswith(reverse("admin:login")), (method, path)
    assert snapshot() == before, path


# --- Mass assignment -------------------------------------------------------------------------


@pytest.fixture
def front_desk(client, receptionist):
    client.force_login(receptionist)
    return client


@pytest.fixture
def doctor(client, doctor_user):
    client.force_login(doctor_user)
    return client


def post(client, name, data, **kwargs):
    response = client.post(reverse(name, kwargs=kwargs), data)
    assert response.status_code == 302, (
        name,
        response.status_code,
        response.context and response.context.get("form") and response.context["form"].errors,
    )
    return response


def test_it_ignores_owner_and_status_fields_on_the_medical_record(doctor, doctor_user, world):
    hostile = {
        "patient": world.outsider.pk,
        "doctor": world.other_doctor.pk,
        "appointment": world.other_consult.pk,
        "created_at": "2001-01-01 00:00",
        "id": world.other_record.pk,
    }
    post(doctor, "records:record", {**VALID_POSTS["records:record"](world), **hostile}, pk=world.consult.pk)
    record = MedicalRecord.objects.get(appointment=world.consult)
    assert (record.patient_id, record.doctor_id, record.pk) == (world.patient.pk, world.doctor.pk, world.record.pk)
    assert record.diagnosis == "ISPA"
    other = MedicalRecord.objects.get(pk=world.other_record.pk)
    assert (other.appointment_id, other.diagnosis) == (world.other_consult.pk, world.other_record.diagnosis)


def test_it_ignores_owner_and_computed_fields_on_a_lab_result(doctor, doctor_user, other_doctor_user, world):
    hostile = {
        "medical_record": world.other_record.pk,
        "created_by": other_doctor_user.pk,
        "is_abnormal": "on",
        "patient": world.outsider.pk,
        "appointment": world.other_consult.pk,
    }
    before = set(LabResult.objects.values_list("pk", flat=True))
    post(doctor, "records:lab_add", {**VALID_POSTS["records:lab_add"](world), **hostile}, pk=world.consult.pk)
    (new,) = LabResult.objects.exclude(pk__in=before)
    assert new.medical_record_id == world.record.pk
    assert new.created_by_id == doctor_user.pk
    assert new.is_abnormal is False  # 90 within 70–100: computed, not taken from the form
    assert not world.other_record.lab_results.exclude(pk=world.other_lab.pk).exists()

    # A correction keeps the result on its own visit too.
    post(
        doctor,
        "records:lab_edit",
        {**VALID_POSTS["records:lab_edit"](world), **hostile},
        pk=world.consult.pk,
        lab_pk=world.lab.pk,
    )
    lab = LabResult.objects.get(pk=world.lab.pk)
    assert (lab.medical_record_id, lab.value, lab.is_abnormal) == (world.record.pk, Decimal("14.1"), False)


def test_it_takes_amounts_and_status_of_a_payment_from_the_server(front_desk, receptionist, admin_user, world):
    bill = world.bill
    hostile = {
        "status": "paid",
        "total_amount": "0",
        "amount_paid": str(bill.total_amount),
        "billing": world.other_bill.pk,
        "patient": world.outsider.pk,
        "received_by": admin_user.pk,
        "paid_at": "2001-01-01 00:00",
    }
    other_before = Billing.objects.filter(pk=world.other_bill.pk).values().get()
    post(front_desk, "billing:pay", {**VALID_POSTS["billing:pay"](world), **hostile}, pk=bill.pk)
    bill.refresh_from_db()
    assert bill.total_amount == world.bill.total_amount and bill.total_amount > Decimal("50000")
    assert (bill.amount_paid, bill.status) == (Decimal("50000"), Billing.Status.PARTIALLY_PAID)
    assert bill.patient_id == world.patient.pk and bill.insurance_id is None
    (payment,) = Payment.objects.filter(billing=bill)
    assert (payment.amount, payment.received_by_id, payment.insurance_id) == (Decimal("50000"), receptionist.pk, None)
    assert payment.paid_at.date() == timezone.now().date()
    assert Billing.objects.filter(pk=world.other_bill.pk).values().get() == other_before


def test_it_refuses_a_payment_with_another_patients_insurance(front_desk, world):
    data = {"amount": "50000", "method": "Insurance", "insurance": world.other_insurance.pk}
    response = front_desk.post(reverse("billing:pay", args=[world.bill.pk]), data)
    assert response.status_code == 200 and response.context["form"].errors
    assert not Payment.objects.filter(billing=world.bill).exists()


def test_it_books_with_the_server_side_status_price_and_booker(front_desk, receptionist, admin_user, world):
    hostile = {
        "status": "completed",
        "queue_number": "1",
        "booked_by": admin_user.pk,
        "arrived_at": "2026-01-01 08:00",
        "end_time": "2099-01-01 08:00",
        "unit_price": "1",
        "price": "1",
        "slot_active": "",
        f"quantity_{world.service.pk}": "1",
        "notes": "dari luar formulir",
    }
    before = set(Appointment.objects.values_list("pk", flat=True))
    post(front_desk, "scheduling:book", {**VALID_POSTS["scheduling:book"](world), **hostile})
    (booked,) = Appointment.objects.exclude(pk__in=before)
    assert booked.status == Appointment.Status.SCHEDULED
    assert (booked.queue_number, booked.arrived_at, booked.notes) == (None, None, "")
    assert booked.booked_by_id == receptionist.pk
    assert booked.end_time - booked.appointment_date == datetime.timedelta(minutes=15)
    (line,) = booked.lines.all()
    assert line.unit_price == world.service.price


def test_it_moves_an_appointment_without_changing_its_patient_doctor_or_status(front_desk, world):
    hostile = {
        "patient": world.outsider.pk,
        "doctor": world.other_doctor.pk,
        "status": "completed",
        "queue_number": "7",
    }
    post(
        front_desk,
        "scheduling:reschedule",
        {**VALID_POSTS["scheduling:reschedule"](world), **hostile},
        pk=world.scheduled.pk,
    )
    moved = Appointment.objects.get(pk=world.scheduled.pk)
    assert (moved.patient_id, moved.doctor_id, moved.status, moved.queue_number) == (
        world.patient.pk,
        world.doctor.pk,
        Appointment.Status.SCHEDULED,
        None,
    )
    assert timezone.localtime(moved.appointment_date).time() == datetime.time(10)


def test_it_cancels_and_nothing_else(front_desk, world):
    post(
        front_desk,
        "scheduling:cancel",
        {"reason": "Pasien sakit", "status": "completed", "doctor": world.other_doctor.pk},
        pk=world.scheduled.pk,
    )
    cancelled = Appointment.objects.get(pk=world.scheduled.pk)
    assert (cancelled.status, cancelled.doctor_id) == (Appointment.Status.CANCELLED, world.doctor.pk)


def test_it_walks_in_with_the_server_side_status_and_queue(front_desk, world):
    before = set(Appointment.objects.values_list("pk", flat=True))
    hostile = {"status": "completed", "queue_number": "99", "arrived_at": "2001-01-01 08:00"}
    post(front_desk, "scheduling:walk_in", {**VALID_POSTS["scheduling:walk_in"](world), **hostile})
    (walk_in,) = Appointment.objects.exclude(pk__in=before)
    assert walk_in.status == Appointment.Status.CHECKED_IN
    assert walk_in.queue_number != 99 and walk_in.arrived_at.year == timezone.now().year


def test_it_keeps_the_medical_record_number_and_the_users_role_on_a_patient_edit(front_desk, receptionist, world):
    number = world.patient.medical_record_number
    hostile = {
        "medical_record_number": "RM-9999999",
        "created_at": "2001-01-01",
        "id": world.outsider.pk,
        "role": "admin",
        "is_superuser": "on",
        "is_staff": "on",
    }
    post(front_desk, "patients:edit", {**VALID_POSTS["patients:edit"](world), **hostile}, pk=world.patient.pk)
    patient = Patient.objects.get(pk=world.patient.pk)
    assert (patient.medical_record_number, patient.address) == (number, "Jl. Kenanga 2, Bandung")
    assert patient.created_at.year == timezone.now().year
    assert Patient.objects.get(pk=world.outsider.pk).address == world.outsider.address
    receptionist.refresh_from_db()
    assert (receptionist.role, receptionist.is_superuser, receptionist.is_staff) == (
        User.Role.RECEPTIONIST,
        False,
        False,
    )


def test_it_registers_a_patient_with_a_new_medical_record_number(front_desk, world):
    hostile = {"medical_record_number": world.patient.medical_record_number, "is_active": "", "id": world.patient.pk}
    response = post(front_desk, "patients:create", {**VALID_POSTS["patients:create"](world), **hostile})
    created = Patient.objects.get(full_name="Siti Aminah")
    assert created.pk != world.patient.pk and created.is_active
    assert created.medical_record_number != world.patient.medical_record_number
    assert response["Location"] == reverse("patients:detail", args=[created.pk])


def test_it_adds_insurance_to_the_patient_of_the_url(front_desk, world):
    post(
        front_desk,
        "insurance:add",
        {**VALID_POSTS["insurance:add"](world), "patient": world.outsider.pk},
        pk=world.patient.pk,
    )
    added = Insurance.objects.get(policy_number="AS-0001")
    assert added.patient_id == world.patient.pk


def test_it_keeps_an_insurance_policy_on_its_patient(front_desk, world):
    post(
        front_desk,
        "insurance:edit",
        {**VALID_POSTS["insurance:edit"](world), "patient": world.outsider.pk},
        pk=world.insurance.pk,
    )
    assert Insurance.objects.get(pk=world.insurance.pk).patient_id == world.patient.pk


def test_it_opens_emergency_access_for_the_signed_in_doctor_and_the_set_time(
    doctor, doctor_user, other_doctor_user, world
):
    hostile = {
        "doctor": other_doctor_user.pk,
        "expires_at": "2099-01-01 00:00",
        "patient": world.patient.pk,
        "created_at": "2001-01-01 00:00",
    }
    post(
        doctor,
        "audit:emergency_access",
        {**VALID_POSTS["audit:emergency_access"](world), **hostile},
        pk=world.outsider.pk,
    )
    (access,) = EmergencyAccess.objects.all()
    assert (access.doctor_id, access.patient_id) == (doctor_user.pk, world.outsider.pk)
    assert access.expires_at - access.created_at <= datetime.timedelta(hours=24)
    assert abs(access.created_at - timezone.now()) < datetime.timedelta(minutes=5)


def test_it_never_lets_a_staff_page_change_a_users_role(client, receptionist, doctor_user, world):
    """No staff form takes role or is_superuser: posted to each of them they change nobody."""
    roles_before = list(User.objects.order_by("pk").values_list("role", "is_superuser", "is_staff"))
    for user, names in (
        (receptionist, ["patients:create", "patients:edit", "scheduling:book", "billing:pay"]),
        (doctor_user, ["records:record", "records:lab_add", "audit:emergency_access"]),
    ):
        client.force_login(user)
        for name in names:
            kwargs = OBJECT_KWARGS[name](world) if name in OBJECT_KWARGS else {}
            data = {
                **VALID_POSTS[name](world),
                "role": "admin",
                "is_superuser": "on",
                "is_staff": "on",
                "username": "admin_t",
                "groups": "1",
                "user_permissions": "1",
            }
            client.post(reverse(name, kwargs=kwargs), data)
    assert list(User.objects.order_by("pk").values_list("role", "is_superuser", "is_staff")) == roles_before


# --- Objects named in the query string -------------------------------------------------------


def test_it_shows_a_doctor_only_their_own_day_whatever_the_query(doctor, world):
    response = doctor.get(
        reverse("scheduling:day"), {"doctor": world.other_doctor.pk, "date": timezone.localdate().isoformat()}
    )
    assert response.status_code == 200
    assert response.context["doctor"] == world.doctor
    assert escape(world.outsider.full_name) not in response.content.decode()
    assert escape(world.patient.full_name) in response.content.decode()


def test_it_shows_a_doctor_only_their_own_queue(doctor, world):
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        response = doctor.get(reverse("records:queue"), {"doctor": world.other_doctor.pk}, **headers)
        content = response.content.decode()
        assert escape(world.patient.full_name) in content and escape(world.outsider.full_name) not in content
