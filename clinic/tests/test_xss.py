"""XSS (issue 4): script payloads stored in every free-text field come back escaped on every page
that shows them — staff pages and their htmx partials, the receipt and the HTML the receipt PDF
is drawn from, the audit pages, the Django admin — and the raw payload never appears. Query
parameters that pages repeat back are escaped too.

Each field gets its own one-letter tag inside the payload (alert("a"), alert("b")...), so a page
is checked for exactly the fields it shows (PAGES), and every field is shown somewhere.

CSV: the project has no export yet (the dashboard's export is later work); core.csv_safe is the
helper that export must use, tested at the end of this file."""

import csv
import datetime
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.tests.factories import UserFactory
from audit.models import AuditLog, EmergencyAccess
from billing import pdf
from billing import selectors as billing_selectors
from billing.services import payment_record
from clinic.tests.security_fixtures import build_clinic, open_emergency_access
from core.csv_safe import safe_cell, safe_row
from patients.models import Room
from patients.tests.factories import DoctorFactory
from records.services import lab_result_correct, medical_record_save

PAYLOADS = {
    "script": '<script>alert("{tag}")</script>',
    "img": '"><img src=x onerror=alert({tag})>',  # 30 characters: fits the lab unit
    "javascript": 'javascript:alert("{tag}")',
    "template": "{{{{7*7}}}}{tag}",
}

# The free-text fields, each with its tag.
FIELDS = {
    "patient_name": "a",
    "address": "b",
    "emergency_contact_name": "c",
    "insurance_provider": "d",
    "policy_number": "e",
    "reason": "f",
    "notes": "g",
    "complaint": "h",
    "allergies": "i",
    "diagnosis": "j",
    "treatment": "k",
    "prescription": "l",
    "record_notes": "m",
    "test_name": "n",
    "unit": "o",
    "service_name": "p",
    "payment_reference": "q",
    "doctor_name": "r",
    "specialization": "s",
    "first_name": "t",
    "last_name": "u",
    "emergency_reason": "v",
    "correction_reason": "w",
    # The pharmacy's (two letters: one alone would be found by re.I in another's capital).
    "drug_name": "xa",
    "generic_name": "xb",
    "batch_number": "xc",
    "supplier": "xd",
    "line_instructions": "xe",
    "compound_name": "xf",
    "display_name": "xg",  # the waiting room's screen (scheduling.QueueDisplay)
    "room_name": "xh",  # SATUSEHAT's rooms (poli)
}


def text(kind: str, field: str) -> str:
    return PAYLOADS[kind].format(tag=FIELDS[field])


@pytest.fixture(params=sorted(PAYLOADS))
def kind(request):
    return request.param


@pytest.fixture
def world(kind, doctor_user, other_doctor_user, receptionist):
    """The clinic with every free-text field holding the payload (the patient's name after a
    word, so that the searches find it)."""
    for user in (doctor_user, receptionist):
        user.first_name, user.last_name = text(kind, "first_name"), text(kind, "last_name")
        user.save(update_fields=["first_name", "last_name"])
    doctor = doctor_user.doctor_profile
    doctor.full_name, doctor.specialization = text(kind, "doctor_name"), text(kind, "specialization")
    doctor.save(update_fields=["full_name", "specialization"])
    stored = {field: text(kind, field) for field in FIELDS}
    stored["patient_name"] = "Budi " + stored["patient_name"]
    world = build_clinic(doctor_user=doctor_user, other_doctor_user=other_doctor_user, **stored)
    payment_record(
        bill=world.bill,
        amount=world.bill.total_amount / 2,
        method="Cash",
        received_by=receptionist,
        reference=stored["payment_reference"],
    )
    open_emergency_access(doctor_user=other_doctor_user, patient=world.patient, reason=stored["emergency_reason"])
    world.room = Room.objects.create(name=stored["room_name"])
    # A correction of the completed visit's record, with its reason (the visit page lists versions).
    medical_record_save(
        appointment=world.completed,
        data={"diagnosis": "Koreksi"},
        by=doctor_user,
        reason=stored["correction_reason"] + " (salah ketik)",
    )  # at least 10 characters
    return world


def raw_forms(kind: str, tag: str) -> list[re.Pattern]:
    """What must never be in a page: the payload as markup (in any letter case)."""
    if kind == "script":
        return [re.compile(rf'<script>alert\("{tag}"\)', re.I)]
    if kind == "img":
        return [re.compile(rf"<img src=x onerror=alert\({tag}\)", re.I)]
    if kind == "javascript":
        # Text is harmless; a link, source or form target is not.
        return [re.compile(r'(href|src|action|formaction|hx-get|hx-post)\s*=\s*["\']?\s*javascript:', re.I)]
    return []  # data never goes through the template engine: the literal {{7*7}} must show


def shown(content: str, kind: str, field: str) -> bool:
    return escape(text(kind, field)) in content


def check(content: str, kind: str, expected_fields) -> list[str]:
    problems = []
    for field, tag in FIELDS.items():
        for pattern in raw_forms(kind, tag):
            if pattern.search(content):
                problems.append(f"raw {field}: {pattern.pattern}")
    for field in expected_fields:
        if not shown(content, kind, field):
            problems.append(f"{field} not shown escaped")
    return problems


# --- Stored payloads on every page -----------------------------------------------------------

HTMX = {"HTTP_HX_REQUEST": "true"}
NAVBAR = ("first_name", "last_name")  # the signed-in user's name, on every full page


def url(name, *args, query="", **kwargs):
    return reverse(name, args=args, kwargs=kwargs) + (f"?{query}" if query else "")


@dataclass
class Searched:
    """A search page: its words are POSTed (core/search_tokens.py), never put in its URL."""

    path: str
    data: dict


def searched(name, q):
    return Searched(reverse(name), {"q": q})


def in_three_days() -> str:
    return (timezone.localdate() + datetime.timedelta(days=3)).isoformat()


# (page, who looks, its path, extra headers, the fields it shows). The emergency access of
# other_doctor_user opens the patient to them; third_doctor has none (the "not in care" page).
STAFF_PAGES = [
    ("patient search", "receptionist", lambda w: searched("patients:search", "Budi"), {}, ("patient_name", *NAVBAR)),
    ("patient search, htmx", "receptionist", lambda w: searched("patients:search", "Budi"), HTMX, ("patient_name",)),
    (
        "patient page",
        "receptionist",
        lambda w: url("patients:detail", w.patient.pk),
        {},
        (
            "patient_name",
            "address",
            "emergency_contact_name",
            "insurance_provider",
            "policy_number",
            "reason",
            "doctor_name",
            *NAVBAR,
        ),
    ),
    (
        "patient page, doctor",
        "doctor_user",
        lambda w: url("patients:detail", w.patient.pk),
        {},
        (
            "patient_name",
            "address",
            "emergency_contact_name",
            "insurance_provider",
            "policy_number",
            "reason",
            "doctor_name",
            *NAVBAR,
        ),
    ),
    (
        "patient page, emergency access",
        "other_doctor_user",
        lambda w: url("patients:detail", w.patient.pk),
        {},
        (
            "patient_name",
            "address",
            "emergency_contact_name",
            "insurance_provider",
            "policy_number",
            "reason",
            "doctor_name",
        ),
    ),
    ("patient not in care", "third_doctor", lambda w: url("patients:detail", w.patient.pk), {}, ()),
    ("emergency access form", "third_doctor", lambda w: url("audit:emergency_access", w.patient.pk), {}, ()),
    (
        "patient edit",
        "receptionist",
        lambda w: url("patients:edit", w.patient.pk),
        {},
        ("patient_name", "address", "emergency_contact_name", *NAVBAR),
    ),
    ("insurance add", "receptionist", lambda w: url("insurance:add", w.patient.pk), {}, ("patient_name", *NAVBAR)),
    (
        "insurance edit",
        "receptionist",
        lambda w: url("insurance:edit", w.insurance.pk),
        {},
        ("patient_name", "insurance_provider", "policy_number", *NAVBAR),
    ),
    (
        "booking",
        "receptionist",
        lambda w: url("scheduling:book", query=f"patient={w.patient.pk}"),
        {},
        ("patient_name", "service_name", "doctor_name", "specialization", *NAVBAR),
    ),
    (
        "booking patient search, htmx",
        "receptionist",
        lambda w: searched("scheduling:patient_lookup", "Budi"),
        HTMX,
        ("patient_name",),
    ),
    (
        "walk-in",
        "receptionist",
        lambda w: url("scheduling:walk_in", query=f"patient={w.patient.pk}"),
        {},
        ("patient_name", "service_name", "doctor_name", "specialization", *NAVBAR),
    ),
    (
        "board",
        "receptionist",
        lambda w: url("scheduling:board"),
        {},
        ("patient_name", "doctor_name", "specialization", *NAVBAR),
    ),
    (
        "board, htmx",
        "receptionist",
        lambda w: url("scheduling:board"),
        HTMX,
        ("patient_name", "doctor_name", "specialization"),
    ),
    (
        "day",
        "receptionist",
        lambda w: url("scheduling:day", query=f"doctor={w.doctor.pk}&date={in_three_days()}"),
        {},
        ("patient_name", "doctor_name", "specialization", *NAVBAR),
    ),
    ("day, doctor", "doctor_user", lambda w: url("scheduling:day"), {}, ("patient_name", "doctor_name", *NAVBAR)),
    (
        "appointment",
        "receptionist",
        lambda w: url("scheduling:detail", w.scheduled.pk),
        {},
        ("patient_name", "reason", "notes", "service_name", "doctor_name", "specialization", *NAVBAR),
    ),
    (
        "appointment, doctor",
        "doctor_user",
        lambda w: url("scheduling:detail", w.consult.pk),
        {},
        ("patient_name", "reason", "notes", "service_name", "doctor_name", "specialization", *NAVBAR),
    ),
    (
        "reschedule",
        "receptionist",
        lambda w: url("scheduling:reschedule", w.scheduled.pk),
        {},
        ("patient_name", "doctor_name", *NAVBAR),
    ),
    # The waiting room's screen (public, its token) and its polled numbers: the doctors' names,
    # never a patient's; the queue ticket.
    ("queue screen", "receptionist", lambda w: url("queue:display", w.queue_display.token), {}, ("doctor_name",)),
    (
        "queue screen, poll",
        "receptionist",
        lambda w: url("queue:display_poll", w.queue_display.token),
        HTMX,
        ("doctor_name",),
    ),
    (
        "queue ticket",
        "receptionist",
        lambda w: url("scheduling:ticket", w.checked_in.pk),
        {},
        ("doctor_name", "specialization"),
    ),
    ("queue", "doctor_user", lambda w: url("records:queue"), {}, ("patient_name", "reason", "doctor_name", *NAVBAR)),
    ("queue, htmx", "doctor_user", lambda w: url("records:queue"), HTMX, ("patient_name", "reason")),
    (
        "visit",
        "doctor_user",
        lambda w: url("records:visit", w.consult.pk),
        {},
        (
            "patient_name",
            "emergency_contact_name",
            "reason",
            "complaint",
            "allergies",
            "diagnosis",
            "treatment",
            "prescription",
            "record_notes",
            "test_name",
            "unit",
            "service_name",
            "doctor_name",
            *NAVBAR,
        ),
    ),
    (
        "visit with a corrected record",
        "doctor_user",
        lambda w: url("records:visit", w.completed.pk),
        {},
        (
            "patient_name",
            "emergency_contact_name",
            "reason",
            "complaint",
            "allergies",
            "diagnosis",
            "treatment",
            "prescription",
            "record_notes",
            "service_name",
            "doctor_name",
            "correction_reason",
            *NAVBAR,
        ),
    ),
    (
        "visit, admin",
        "admin_user",
        lambda w: url("records:visit", w.consult.pk),
        {},
        (
            "patient_name",
            "emergency_contact_name",
            "reason",
            "complaint",
            "allergies",
            "diagnosis",
            "treatment",
            "prescription",
            "record_notes",
            "test_name",
            "unit",
            "service_name",
            "doctor_name",
        ),
    ),
    (
        "record form",
        "doctor_user",
        lambda w: url("records:record", w.consult.pk),
        {},
        ("patient_name", "complaint", "allergies", "diagnosis", "treatment", "prescription", "record_notes", *NAVBAR),
    ),
    (
        "record correction form",
        "doctor_user",
        lambda w: url("records:record", w.completed.pk),
        {},
        ("patient_name", "complaint", "allergies", "treatment", "prescription", "record_notes", *NAVBAR),
    ),
    (
        "lab result form",
        "doctor_user",
        lambda w: url("records:lab_add", w.consult.pk),
        {},
        ("patient_name", "test_name", "unit", *NAVBAR),
    ),
    (
        "lab result correction form",
        "doctor_user",
        lambda w: url("records:lab_edit", w.consult.pk, w.lab.pk),
        {},
        ("patient_name", "test_name", "unit", *NAVBAR),
    ),
    ("unpaid bills", "receptionist", lambda w: url("billing:unpaid"), {}, ("patient_name", "doctor_name", *NAVBAR)),
    (
        "unpaid bills search, htmx",
        "receptionist",
        lambda w: searched("billing:unpaid", "Budi"),
        HTMX,
        ("patient_name", "doctor_name"),
    ),
    (
        "bill",
        "receptionist",
        lambda w: url("billing:detail", w.bill.pk),
        {},
        ("patient_name", "service_name", "payment_reference", "doctor_name", *NAVBAR),
    ),
    (
        "payment form",
        "receptionist",
        lambda w: url("billing:pay", w.bill.pk),
        {},
        ("patient_name", "insurance_provider", "policy_number", *NAVBAR),
    ),
    (
        "receipt",
        "receptionist",
        lambda w: url("billing:receipt", w.bill.pk),
        {},
        ("patient_name", "service_name", "payment_reference", "doctor_name", "drug_name", *NAVBAR),
    ),
    # The pharmacy: the doctor's prescription form, the pharmacist's queue, prescription, labels,
    # copy and stock pages, the catalogue search's options.
    (
        "prescription form",
        "doctor_user",
        lambda w: url("pharmacy:prescribe", w.consult.pk),
        {},
        ("patient_name", "allergies", "drug_name", "line_instructions", *NAVBAR),
    ),
    ("drug search", "doctor_user", lambda w: url("pharmacy:drug_search", query="q=7"), HTMX, ()),
    ("drug search, script", "doctor_user", lambda w: url("pharmacy:drug_search", query="q=alert"), HTMX, ()),
    ("pharmacy queue", "pharmacist", lambda w: url("pharmacy:queue"), {}, ("patient_name", "doctor_name")),
    (
        "prescription to dispense",
        "pharmacist",
        lambda w: url("pharmacy:prescription", w.prescription.pk),
        {},
        ("patient_name", "doctor_name", "allergies", "drug_name", "line_instructions", "compound_name"),
    ),
    (
        "drug labels",
        "pharmacist",
        lambda w: url("pharmacy:labels", w.prescription.pk),
        {},
        ("patient_name", "drug_name", "line_instructions"),
    ),
    (
        "prescription copy",
        "pharmacist",
        lambda w: url("pharmacy:copy", w.prescription.pk),
        {},
        ("patient_name", "doctor_name", "drug_name", "compound_name"),
    ),
    ("stock", "pharmacist", lambda w: url("pharmacy:stock"), {}, ("drug_name", "generic_name")),
    (
        "stock of a drug",
        "pharmacist",
        lambda w: url("pharmacy:drug_stock", w.drug.pk),
        {},
        ("drug_name", "generic_name", "batch_number", "supplier"),
    ),
    (
        "near expiry",
        "pharmacist",
        lambda w: url("pharmacy:near_expiry", query="days=400"),
        {},
        ("drug_name", "batch_number", "supplier"),
    ),
    (
        "stock movements",
        "pharmacist",
        lambda w: url("pharmacy:movements"),
        {},
        ("drug_name", "batch_number", "supplier"),
    ),
    ("stock count", "pharmacist", lambda w: url("pharmacy:batch_count", w.batch.pk), {}, ("drug_name", "batch_number")),
    ("audit log", "admin_user", lambda w: url("audit:search"), {}, ("patient_name",)),
    ("dashboard", "admin_user", lambda w: url("dashboard"), {}, ("service_name", "doctor_name")),
    ("dashboard, a doctor's day", "doctor_user", lambda w: url("dashboard"), {}, ("doctor_name", *NAVBAR)),
    # The report lists who saw the patient: the receptionist and the doctors, by name.
    (
        "patient access report",
        "admin_user",
        lambda w: url("audit:patient", w.patient.pk),
        {},
        ("patient_name", *NAVBAR),
    ),
    (
        "emergency accesses",
        "admin_user",
        lambda w: url("audit:emergency_list"),
        {},
        ("patient_name", "emergency_reason"),
    ),
]

# The Django admin, as the Admin: (changelist shows, change page shows) per model. The audit
# row's and the versions' JSON (changes, snapshot) hold the payloads too, JSON-quoted: the raw
# check covers them.
ADMIN_PAGES = {
    "patients.patient": (
        lambda w: w.patient,
        ("patient_name",),
        ("patient_name", "address", "emergency_contact_name", "insurance_provider", "policy_number"),
    ),
    "patients.doctor": (
        lambda w: w.doctor,
        ("doctor_name", "specialization", *NAVBAR),
        ("doctor_name", "specialization", *NAVBAR),
    ),
    "patients.workinghours": (
        lambda w: w.doctor.working_hours.first(),
        ("doctor_name", "specialization"),
        ("doctor_name", "specialization"),
    ),
    "scheduling.service": (lambda w: w.service, ("service_name",), ("service_name",)),
    "scheduling.queuedisplay": (lambda w: w.queue_display, ("display_name",), ("display_name", "doctor_name")),
    "scheduling.appointment": (
        lambda w: w.scheduled,
        ("patient_name", "doctor_name", "specialization"),
        ("patient_name", "reason", "notes", "service_name", "doctor_name", "specialization"),
    ),
    "scheduling.appointmentservice": (
        lambda w: w.scheduled.lines.first(),
        ("patient_name", "service_name", "doctor_name"),
        ("patient_name", "service_name", "doctor_name"),
    ),
    "records.medicalrecord": (
        lambda w: w.record,
        ("patient_name", "diagnosis", "doctor_name", "specialization"),
        (
            "patient_name",
            "complaint",
            "allergies",
            "diagnosis",
            "treatment",
            "prescription",
            "record_notes",
            "test_name",
            "unit",
            "doctor_name",
            "specialization",
        ),
    ),
    "records.labresult": (
        lambda w: w.lab,
        ("patient_name", "test_name", "unit"),
        ("patient_name", "test_name", "unit"),
    ),
    "records.medicalrecordversion": (
        lambda w: w.completed.medical_record.versions.first(),
        ("patient_name", "correction_reason", *NAVBAR),
        ("patient_name", "correction_reason", *NAVBAR),
    ),
    "records.labresultversion": (lambda w: w.lab.versions.first(), ("test_name", "unit"), ("test_name", "unit")),
    "billing.insurance": (
        lambda w: w.insurance,
        ("patient_name", "insurance_provider", "policy_number"),
        ("patient_name", "insurance_provider", "policy_number"),
    ),
    "billing.billing": (
        lambda w: w.bill,
        ("patient_name",),
        ("patient_name", "payment_reference", "doctor_name", *NAVBAR),
    ),
    "billing.payment": (lambda w: w.bill.payments.first(), ("patient_name", *NAVBAR), ("payment_reference", *NAVBAR)),
    "pharmacy.drug": (lambda w: w.drug, ("drug_name", "generic_name"), ("drug_name", "generic_name")),
    "patients.room": (lambda w: w.room, ("room_name",), ("room_name",)),
    "pharmacy.batch": (
        lambda w: w.batch,
        ("drug_name", "batch_number", "supplier"),
        ("drug_name", "batch_number", "supplier"),
    ),
    "pharmacy.stockmove": (lambda w: w.batch.moves.first(), ("drug_name", "supplier"), ("drug_name", "supplier")),
    "accounts.user": (lambda w: w.doctor.user, NAVBAR, NAVBAR),
    "audit.auditlog": (
        lambda w: AuditLog.objects.filter(patient=w.patient).order_by("id").first(),
        ("patient_name",),
        ("patient_name",),
    ),
    "audit.emergencyaccess": (
        lambda w: EmergencyAccess.objects.get(patient=w.patient),
        ("patient_name",),
        ("patient_name", "emergency_reason"),
    ),
}


@pytest.fixture
def third_doctor(db):
    user = UserFactory(username="dokter_ketiga_t", role="doctor")
    DoctorFactory(user=user)
    return user


def look(client, user, path, headers) -> str:
    client.force_login(user)
    if isinstance(path, Searched):
        response = client.post(path.path, path.data, follow=not headers, **headers)
    else:
        response = client.get(path, **headers)
    assert response.status_code in (200, 404), (path, response.status_code)  # 404: the not-in-care page
    return response.content.decode()


def test_it_shows_every_field_somewhere():
    pages = [fields for *_page, fields in STAFF_PAGES] + [f for _o, *fs in ADMIN_PAGES.values() for f in fs]
    assert {field for fields in pages for field in fields} == set(FIELDS)


def test_it_checks_every_model_of_the_admin():
    assert set(ADMIN_PAGES) == {f"{m._meta.app_label}.{m._meta.model_name}" for m in admin.site._registry}


@pytest.mark.django_db
def test_it_escapes_stored_payloads_on_every_staff_page(client, request, kind, world, third_doctor):
    problems = []
    for page, who, path, headers, fields in STAFF_PAGES:
        content = look(client, request.getfixturevalue(who), path(world), headers)
        problems += [f"{page}: {problem}" for problem in check(content, kind, fields)]
    assert not problems


@pytest.mark.django_db
def test_it_escapes_stored_payloads_in_the_receipt_pdf(kind, world):
    """The PDF is drawn from HTML (billing.pdf.receipt_html): that HTML is escaped like a page."""
    bill = billing_selectors.bill_with_details().get(pk=world.bill.pk)
    content = pdf.receipt_html(bill=bill)
    assert not check(content, kind, ("patient_name", "service_name", "payment_reference", "doctor_name", *NAVBAR))


@pytest.mark.django_db
def test_it_escapes_stored_payloads_in_the_django_admin(client, admin_user, kind, world):
    # A correction of the lab result too, for the lab versions' pages.
    data = {"test_name": world.lab.test_name, "value": "15", "unit": world.lab.unit, "sampled_at": world.lab.sampled_at}
    lab_result_correct(appointment=world.consult, lab_result=world.lab, data=data, by=world.doctor.user)
    problems = []
    for label, (obj, list_fields, page_fields) in ADMIN_PAGES.items():
        app, model = label.split(".")
        for view, fields, args in (("changelist", list_fields, []), ("change", page_fields, [obj(world).pk])):
            content = look(client, admin_user, reverse(f"admin:{app}_{model}_{view}", args=args), {})
            problems += [f"{label} {view}: {problem}" for problem in check(content, kind, fields)]
    assert not problems


# --- Reflected: what a page repeats back from its URL ----------------------------------------

REFLECTED = [
    # (who, URL name, the query with {p} where the payload goes, whether the page shows it back)
    ("receptionist", "scheduling:book", "reason={p}", True),
    ("receptionist", "scheduling:board", "status={p}&doctor={p}", False),
    ("receptionist", "scheduling:day", "date={p}&doctor={p}", False),
    ("doctor_user", "records:icd10", "q={p}", True),
    ("pharmacist", "pharmacy:stock", "q={p}", True),
    ("pharmacist", "pharmacy:near_expiry", "days={p}", False),
    ("pharmacist", "pharmacy:movements", "drug={p}&start={p}&end={p}", False),
    ("admin_user", "audit:search", "actor={p}&patient={p}", True),
    ("admin_user", "dashboard", "period={p}&start={p}&end={p}", False),
    ("admin_user", "admin:patients_patient_changelist", "q={p}", True),
    (None, "accounts:login", "next={p}", False),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "name", "query", "echoed"), REFLECTED, ids=[r[1] for r in REFLECTED])
def test_it_escapes_what_a_page_repeats_from_its_url(client, request, kind, who, name, query, echoed):
    payload = PAYLOADS[kind].format(tag="z")
    if who is not None:
        client.force_login(request.getfixturevalue(who))
    for headers in ({}, HTMX):
        response = client.get(reverse(name) + "?" + query.format(p=quote(payload)), **headers)
        assert response.status_code == 200, (name, response.status_code)
        content = response.content.decode()
        for pattern in raw_forms(kind, "z"):
            assert not pattern.search(content), (name, pattern.pattern)
        if echoed and not headers:  # a partial may say "nothing found" without repeating the query
            assert escape(payload) in content, name


# The searches take their words from a POST (core/search_tokens.py): what they repeat back.
SEARCHES = ["patients:search", "scheduling:patient_lookup", "billing:unpaid"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", SEARCHES)
def test_it_escapes_what_a_search_repeats(client, receptionist, kind, name):
    payload = PAYLOADS[kind].format(tag="z")
    client.force_login(receptionist)
    for headers in ({}, HTMX):
        response = client.post(reverse(name), {"q": payload}, follow=not headers, **headers)
        assert response.status_code == 200, (name, response.status_code)
        content = response.content.decode()
        for pattern in raw_forms(kind, "z"):
            assert not pattern.search(content), (name, pattern.pattern)
        if not headers:
            assert escape(payload) in content, name
    if name == "patients:search":  # "Register a new patient" starts the form with the name looked for
        token = client.post(reverse(name), {"q": payload})["Location"].split("?s=", 1)[1]
        content = client.get(reverse("patients:create"), {"s": token}).content.decode()
        assert escape(payload) in content and not any(p.search(content) for p in raw_forms(kind, "z"))


@pytest.mark.django_db
def test_it_fills_the_icd10_fields_from_the_url_escaped(client, doctor_user, kind):
    """The ICD-10 picker (htmx) writes the diagnosis it was given back into the form."""
    payload = PAYLOADS[kind].format(tag="z")
    client.force_login(doctor_user)
    response = client.get(reverse("records:icd10"), {"pick": "J06.9", "icd10_code": "", "diagnosis": payload}, **HTMX)
    content = response.content.decode()
    assert escape(payload) in content
    assert not any(p.search(content) for p in raw_forms(kind, "z"))


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["javascript:alert(1)", "https://evil.example/", "//evil.example/"])
def test_it_never_redirects_to_a_next_off_the_site(client, receptionist, doctor_user, other_doctor_user, target):
    world = build_clinic(doctor_user=doctor_user, other_doctor_user=other_doctor_user)
    client.force_login(receptionist)
    response = client.post(reverse("scheduling:check_in", args=[world.scheduled.pk]), {"next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("scheduling:detail", args=[world.scheduled.pk])


# --- CSV exports -----------------------------------------------------------------------------
# The project has no CSV export yet. core.csv_safe is what the dashboard's export will write
# its cells through, so a spreadsheet never runs a cell as a formula (CWE-1236).


@pytest.mark.parametrize(
    "value",
    [
        "=1+1",
        "+62812",
        "-2+3",
        "@SUM(A1:A2)",
        "\t=1",
        "\r=1",
        '=HYPERLINK("http://evil.example","x")',
        "=cmd|' /C calc'!A0",
    ],
)
def test_it_neutralises_a_cell_that_a_spreadsheet_would_run(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("Budi Santoso", "Budi Santoso"),
        ("", ""),
        (None, ""),
        (150000, "150000"),
        ("RM-0000001", "RM-0000001"),
        ("a=b", "a=b"),
        (" =1", " =1"),
        ("<script>", "<script>"),
    ],
)
def test_it_leaves_other_cells_alone(value, cell):
    assert safe_cell(value) == cell


def test_it_keeps_negative_numbers_as_numbers():
    # A number is not text a spreadsheet would run: -150000 stays a number in the export.
    assert safe_cell(-150000) == "-150000"
    assert safe_cell(Decimal("-1.50")) == "-1.50"


def test_it_writes_a_row_through_the_csv_module():
    out = io.StringIO()
    csv.writer(out).writerow(safe_row(["=1+1", "Budi", 3]))
    assert out.getvalue() == "'=1+1,Budi,3\r\n"
