"""Bad input, fuzzed with hypothesis: every query-string parameter of every staff page and every
field of every form gets very long strings, unicode (RTL, emoji, combining marks), control
characters (NUL), HTML/JS and SQL payloads, impossible dates and negative, huge or not-a-number
values — and lists, dropped and duplicated fields.

What must hold:
- never a 500 (the status is 200, 302, 400, 404, or 405 for a wrong method);
- a payload echoed in a page is escaped; a redirect never leaves the site;
- a GET saves nothing; a POST that is not a success redirect saves nothing (every row of every
  project model compared before and after); what a success saved passes the model's
  `full_clean()` and holds no NUL byte;
- a view reads only the query-string parameters and form fields this module fuzzes (recorded at
  run time), so a parameter added later is fuzzed too or fails here;
- filter and sort values off the allow-list are ignored: the list equals the unfiltered list.

The URLs come from walking the resolver: a URL without an entry in PLAN fails the first test.
Every example runs in a savepoint that is rolled back, so each starts from the same rows: the
snapshot taken once before the examples (`baseline`)."""

import contextlib
import dataclasses
import datetime
import re
import time
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from http.cookies import SimpleCookie

import pytest
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.db import connection, transaction
from django.http import QueryDict
from django.urls import get_resolver, resolve, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from accounts.middleware import HAS_OTP_DEVICE
from accounts.models import ClinicTOTPDevice, TOTPSecret, User
from audit.forms import AuditSearchForm
from audit.models import AuditLog, EmergencyAccess
from billing.models import Billing, BillItem, Insurance, Payment
from billing.tests.factories import BillingFactory, InsuranceFactory, pay_token, void_data
from clinic.tests import fuzz_strategies as fz
from clinic.tests.security_fixtures import VALID_POSTS, write_prescription
from clinic.tests.test_url_gates import PUBLIC, concrete, walk
from patients.models import Doctor, Patient, WorkingHours
from patients.tests.factories import PatientFactory, WorkingHoursFactory
from pharmacy.models import Batch, CompoundIngredient, Dispense, Drug, Prescription, PrescriptionLine, StockMove
from pharmacy.services import stock_receive
from pharmacy.tests.factories import DrugFactory, dispense_token
from records.models import LabResult, LabResultVersion, MedicalRecord, MedicalRecordVersion
from records.tests.factories import LabResultFactory, MedicalRecordFactory
from satusehat.models import Submission
from scheduling.forms import DayFilterForm
from scheduling.models import Appointment, AppointmentService, Service
from scheduling.tests.factories import AppointmentFactory, AppointmentServiceFactory, ServiceFactory

S = Appointment.Status
ROLE_FIXTURE = {
    User.Role.ADMIN: "admin_user",
    User.Role.RECEPTIONIST: "receptionist",
    User.Role.DOCTOR: "doctor_user",
    User.Role.PHARMACIST: "pharmacist",
}
# The role that posts a front-desk form; doctors and pharmacists post their own.
WRITER_PREFERENCE = (User.Role.RECEPTIONIST, User.Role.DOCTOR, User.Role.PHARMACIST, User.Role.ADMIN)
# The rows compared before and after each request. The audit log is left out: reading a page
# writes to it, and so may a refused request.
MODELS = (
    Patient,
    Doctor,
    WorkingHours,
    Service,
    Appointment,
    AppointmentService,
    MedicalRecord,
    LabResult,
    MedicalRecordVersion,
    LabResultVersion,
    Insurance,
    Billing,
    Payment,
    BillItem,
    Drug,
    Batch,
    StockMove,
    Prescription,
    PrescriptionLine,
    CompoundIngredient,
    Dispense,
    Submission,
    User,
    EmergencyAccess,
    TOTPDevice,
    TOTPSecret,
)
# Turning two-step login off deletes the authenticator (and its secret), and the doctor may take a
# line off a prescription still in draft (with its ingredients); nothing else is ever deleted.
DELETABLE = (TOTPDevice, TOTPSecret, PrescriptionLine, CompoundIngredient)
OK_STATUSES = (200, 302, 400, 404)
HTMX_HEADERS = [{}, {"HTTP_HX_REQUEST": "true"}, {"HTTP_HX_REQUEST": "true", "HTTP_HX_HISTORY_RESTORE_REQUEST": "true"}]
# Read by Django itself, not by a view.
FRAMEWORK_KEYS = {"csrfmiddlewaretoken"}

FUZZ = settings(
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
GET_EXAMPLES = 20  # a page that reads query-string parameters
PLAIN_EXAMPLES = 5  # a page that reads none (only the extra parameter and htmx vary), another role
POST_EXAMPLES = 25  # a form
FILTER_EXAMPLES = 20  # allow-list checks of a list page


# --- The objects the URLs point at ------------------------------------------------------------


@dataclasses.dataclass
class World:
    doctor: Doctor
    other_doctor: Doctor
    patient: Patient
    insurance: Insurance
    services: list[Service]
    scheduled: Appointment  # next week: check in, cancel, no-show, reschedule
    checked_in: Appointment  # today: the doctor starts the consultation
    in_consultation: Appointment  # today: record, lab result, completion
    bill: Billing  # unpaid, Rp 150.000
    completed: Appointment  # 30 days ago, with its record and a lab result: corrections
    lab: LabResult
    stranger: Patient  # not in the doctor's care: emergency access
    next_week: datetime.date
    drug: Drug  # with one batch of 100 in stock
    batch: Batch
    prescription: Prescription  # sent to the pharmacy for the earlier visit: a drug line and a compound
    draft: Prescription  # the visit in consultation's, one drug line, not sent yet
    submission: Submission  # the earlier visit's, failed to reach SATUSEHAT: to retry
    extra: dict = dataclasses.field(default_factory=dict)  # what a Plan's `prepare` sets up


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch):
    """10.07 in the morning of the day the tests run: walk-ins always find a slot."""
    now = at(timezone.localdate(), 10, 7)
    monkeypatch.setattr(timezone, "now", lambda: now)
    return now


@pytest.fixture
def world(frozen_clock, admin_user, receptionist, doctor_user, other_doctor_user) -> World:
    today = timezone.localdate()
    doctor, other = doctor_user.doctor_profile, other_doctor_user.doctor_profile
    for d in (doctor, other):
        for weekday in range(7):  # open all day, every day (today's visits start at midnight)
            WorkingHoursFactory(
                doctor=d, weekday=weekday, start_time=datetime.time(0, 0), end_time=datetime.time(23, 59)
            )
    consult = ServiceFactory(name="Konsultasi Umum", price=Decimal("150000"), duration_minutes=15)
    dressing = ServiceFactory(name="Perawatan Luka", price=Decimal("75000"), duration_minutes=30)
    patient = PatientFactory(full_name="Siti Rahmawati", date_of_birth=datetime.date(1990, 5, 17))
    PatientFactory(full_name="Siti Aminah")
    insurance = InsuranceFactory(
        patient=patient,
        valid_from=today - datetime.timedelta(days=365),
        valid_until=today + datetime.timedelta(days=365),
    )

    def visit(status, start, **kwargs):
        appointment = AppointmentFactory(
            patient=patient,
            doctor=doctor,
            status=status,
            appointment_date=start,
            end_time=start + datetime.timedelta(minutes=15),
            **kwargs,
        )
        AppointmentServiceFactory(appointment=appointment, service=consult, unit_price=consult.price)
        return appointment

    next_week = today + datetime.timedelta(days=7)
    scheduled = visit(S.SCHEDULED, at(next_week, 10))
    checked_in = visit(S.CHECKED_IN, at(today, 0, 15), queue_number=2, arrived_at=timezone.now())
    in_consultation = visit(S.IN_CONSULTATION, at(today, 0, 0), queue_number=1, arrived_at=timezone.now())
    AppointmentFactory(doctor=other, status=S.SCHEDULED, appointment_date=at(today, 23, 45), end_time=at(today, 23, 59))
    # An earlier visit with its record and its unpaid bill (Rp 150.000, its one line).
    earlier = visit(S.COMPLETED, at(today - datetime.timedelta(days=30), 9))
    record = MedicalRecordFactory(appointment=earlier, allergies="Penisilin")
    lab = LabResultFactory(medical_record=record, sampled_at=at(earlier.appointment_date.date(), 9, 30))
    bill = BillingFactory(appointment=earlier, total_amount=consult.price)
    stranger = PatientFactory(full_name="Agus Pratama")
    AppointmentFactory(
        patient=stranger, doctor=other, status=S.COMPLETED, appointment_date=at(today - datetime.timedelta(days=3), 9)
    )
    for _ in range(3):  # more bills for the list
        BillingFactory(total_amount=Decimal("150000"))
    # The pharmacy: a drug in stock, the earlier visit's prescription in the queue (its drugs go
    # on that visit's bill when dispensed) and a draft on the visit in consultation.
    drug = DrugFactory(name="Parasetamol 500 mg", generic_name="parasetamol")
    batch = stock_receive(
        drug=drug,
        batch_number="PCT-001",
        expiry_date=today + datetime.timedelta(days=200),
        quantity=100,
        purchase_price=300,
        supplier="PT Uji Farma",
        by=None,
    )
    prescription = write_prescription(earlier, Prescription.Status.OPEN, drug, {}, compound=True)
    draft = write_prescription(in_consultation, Prescription.Status.DRAFT, drug, {})
    submission = Submission.objects.create(appointment=earlier, status=Submission.Status.FAILED)
    return World(
        doctor=doctor,
        other_doctor=other,
        patient=patient,
        insurance=insurance,
        services=[consult, dressing],
        scheduled=scheduled,
        checked_in=checked_in,
        in_consultation=in_consultation,
        bill=bill,
        completed=earlier,
        lab=lab,
        stranger=stranger,
        next_week=next_week,
        drug=drug,
        batch=batch,
        prescription=prescription,
        draft=draft,
        submission=submission,
    )


# --- What each URL reads, and the valid form each POST starts from ---------------------------


@dataclasses.dataclass(frozen=True)
class Plan:
    kwargs: Callable[[World], dict] | None = None  # URL kwargs pointing at a real object
    get: tuple[str, ...] | None = None  # query-string parameters read; None: POST only
    post: Callable[[World], dict] | None = None  # a valid form; None: GET only
    prepare: Callable | None = None  # (world, client, user) after logging in


def patient_form(w: World) -> dict:
    return {
        "full_name": "Budi Santoso",
        "nik": "3273010101900001",
        "date_of_birth": "1990-01-01",
        "gender": "M",
        "blood_type": "O+",
        "phone": "0812-3456-7890",
        "email": "budi@contoh.id",
        "address": "Jl. Merdeka 1",
        "emergency_contact_name": "Ani",
        "emergency_contact_phone": "+62 813 1111 2222",
        # SATUSEHAT's registration fields (issue 15).
        "place_of_birth": "Bandung",
        "religion": "islam",
        "occupation": "Guru",
        "education": "sma",
        "marital_status": "M",
        "confirmed_not_duplicate": "on",
    }


def insurance_form(w: World) -> dict:
    return {
        "kind": "private",
        "provider_name": "Asuransi Sehat",
        "policy_number": "POL-2026-001",
        "valid_from": "2026-01-01",
        "valid_until": "2026-12-31",
        "is_active": "on",
    }


def service_lines(w: World) -> dict:
    return {"services": [str(w.services[0].pk)], **{f"quantity_{s.pk}": "" for s in w.services}}


def booking_form(w: World) -> dict:
    return {
        "patient": str(w.patient.pk),
        "doctor": str(w.doctor.pk),
        "date": w.next_week.isoformat(),
        "time": "11:00",
        "reason": "Demam",
        **service_lines(w),
    }


def record_form(w: World) -> dict:
    return {
        "complaint": "Demam tiga hari",
        "allergies": "tidak ada",
        "systolic_bp": "120",
        "diastolic_bp": "80",
        "heart_rate": "80",
        "respiratory_rate": "18",
        "temperature_c": "37.5",
        "oxygen_saturation": "98",
        "weight_kg": "60.5",
        "height_cm": "165",
        "diagnosis": "ISPA",
        "icd10_code": "J06.9",
        "treatment": "Istirahat",
        "prescription": "Parasetamol 3x500 mg",
        "notes": "",
    }


def lab_form(w: World) -> dict:
    day = timezone.localdate().isoformat()
    return {
        "test_name": "Hemoglobin",
        "value": "13.5",
        "unit": "g/dL",
        "reference_low": "12",
        "reference_high": "16",
        "sampled_at": f"{day}T00:05",
        "reported_at": f"{day}T00:10",
    }


def lab_correction_form(w: World) -> dict:
    day = w.completed.appointment_date.date().isoformat()
    return {
        "test_name": "Hemoglobin",
        "value": "12.5",
        "unit": "g/dL",
        "reference_low": "12",
        "reference_high": "16",
        "sampled_at": f"{day}T09:30",
        "reported_at": f"{day}T11:00",
        "reason": "Salah ketik nilai hemoglobin",
    }


def totp_now(key_hex: str) -> str:
    device = TOTPDevice(key=key_hex)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    return f"{totp.token():06d}"


def with_device(w: World, client, user, *, verified: bool = False) -> None:
    """The user has an authenticator app (and, `verified`, gave its code in this session)."""
    device = ClinicTOTPDevice.new(user=user, name="Telepon", confirmed=True)
    device.save()
    session = client.session
    session[HAS_OTP_DEVICE] = True
    if verified:
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    w.extra["otp_key"] = device.plain_key


def with_setup_key(w: World, client, user) -> None:
    """The user opened the set-up page: its secret waits in the session for the first code."""
    from accounts.views import SETUP_KEY
    from core import crypto

    session = client.session
    w.extra["otp_key"] = TOTPDevice().key
    session[SETUP_KEY] = crypto.encrypt(w.extra["otp_key"])  # kept encrypted (accounts.views.setup_key)
    session.save()


def otp_form(w: World) -> dict:
    return {"token": totp_now(w.extra["otp_key"]), "next": reverse("patients:search")}


def patient_pk(w):
    return {"pk": w.patient.pk}


def scheduled_pk(w):
    return {"pk": w.scheduled.pk}


def checked_in_pk(w):
    return {"pk": w.checked_in.pk}


def consulting_pk(w):
    return {"pk": w.in_consultation.pk}


def bill_pk(w):
    return {"pk": w.bill.pk}


def no_fields(w):
    return {}


def prescription_pk(w):
    return {"pk": w.prescription.pk}


def batch_pk(w):
    return {"pk": w.batch.pk}


def drug_line_form(w: World) -> dict:
    """A drug line added to the draft (kind "drug": the drug line's form, under its prefix): the
    security tests' valid one, with instructions."""
    return {**VALID_POSTS["pharmacy:prescribe"](w), "drug-instructions": "Bila demam"}


def dispense_form(w: World) -> dict:
    """One unit of each open drug line; the compound (made whole or not at all) not yet."""
    lines = {f"line_{line.pk}": "1" if line.drug_id else "0" for line in w.prescription.lines.all() if line.remaining}
    return {**lines, "submit_token": dispense_token(w.prescription)}


# The names the drug search reads the typed name under (pharmacy.views.DRUG_SEARCH_NAMES).
DRUG_SEARCH = ("q", "drug-drug", *(f"compound-ingredient_{i}" for i in range(1, 5)))


PLAN: dict[str, Plan] = {
    "accounts:otp_verify": Plan(get=("next",), post=otp_form, prepare=with_device),
    "accounts:otp_setup": Plan(get=("next",), post=otp_form, prepare=with_setup_key),
    "accounts:otp_disable": Plan(post=no_fields, prepare=lambda w, c, u: with_device(w, c, u, verified=True)),
    "audit:search": Plan(get=("actor", "patient", "action", "date_from", "date_to", "page")),
    "audit:patient": Plan(patient_pk, get=("date_from", "date_to")),
    "audit:emergency_list": Plan(get=("page",)),
    "audit:emergency_access": Plan(
        lambda w: {"pk": w.stranger.pk},
        get=(),
        post=lambda w: {"reason": "Pasien tidak sadar di IGD, perlu riwayat alergi"},
    ),
    # The searches take their words as a POST and keep them under ?s=<token> (core/search_tokens.py).
    "patients:search": Plan(get=("s",), post=lambda w: {"q": "Siti", "inactive": "on"}),
    "patients:create": Plan(get=("s",), post=patient_form),
    "patients:detail": Plan(patient_pk, get=("appointments_page", "bills_page")),
    "patients:edit": Plan(patient_pk, get=(), post=lambda w: {**patient_form(w), "is_active": "on"}),
    "insurance:add": Plan(patient_pk, get=(), post=insurance_form),
    "insurance:edit": Plan(lambda w: {"pk": w.insurance.pk}, get=(), post=insurance_form),
    "scheduling:board": Plan(get=("doctor", "status", "page")),
    "scheduling:book": Plan(
        get=("patient", "doctor", "reason", "start", "date", "time", "services", "s"), post=booking_form
    ),
    "scheduling:walk_in": Plan(
        get=("patient", "doctor", "s"),
        post=lambda w: {k: v for k, v in booking_form(w).items() if k not in ("date", "time")},
    ),
    # quantity_<service id>: one per service the doctor gives (the ids differ per database).
    "scheduling:booking_options": Plan(get=("doctor", "date", "services", "quantity_*", "page")),
    "scheduling:day": Plan(get=("doctor", "date")),
    "scheduling:patient_lookup": Plan(
        post=lambda w: {
            "q": "Siti",
            "page": "scheduling:book",
            "doctor": str(w.doctor.pk),
            "date": w.next_week.isoformat(),
            "time": "11:00",
        }
    ),
    "scheduling:detail": Plan(scheduled_pk, get=()),
    "scheduling:ticket": Plan(checked_in_pk, get=()),
    "scheduling:check_in": Plan(scheduled_pk, post=lambda w: {"next": reverse("scheduling:board")}),
    "scheduling:cancel": Plan(scheduled_pk, post=lambda w: {"reason": "Pasien berhalangan", "next": ""}),
    "scheduling:no_show": Plan(
        scheduled_pk, post=lambda w: {"next": reverse("scheduling:board") + "?status=scheduled"}
    ),
    "scheduling:reschedule": Plan(
        scheduled_pk,
        get=(),
        post=lambda w: {"date": (w.next_week + datetime.timedelta(days=1)).isoformat(), "time": "14:30"},
    ),
    "records:queue": Plan(get=()),
    "records:icd10": Plan(get=("q", "pick", "icd10_code", "diagnosis")),
    "records:visit": Plan(consulting_pk, get=()),
    "records:start": Plan(checked_in_pk, post=no_fields),
    "records:call_next": Plan(post=no_fields),
    "records:call_again": Plan(checked_in_pk, post=no_fields),
    "records:record": Plan(consulting_pk, get=(), post=record_form),
    "records:lab_add": Plan(consulting_pk, get=(), post=lab_form),
    "records:lab_edit": Plan(lambda w: {"pk": w.completed.pk, "lab_pk": w.lab.pk}, get=(), post=lab_correction_form),
    "records:complete": Plan(consulting_pk, post=no_fields),
    "billing:unpaid": Plan(get=("s", "page"), post=lambda w: {"q": "Siti"}),
    "dashboard": Plan(get=("period", "start", "end")),
    "dashboard_export": Plan(get=("period", "start", "end")),
    "billing:detail": Plan(bill_pk, get=()),
    "billing:pay": Plan(
        bill_pk,
        get=(),
        post=lambda w: {
            "amount": "100000",
            "method": "Cash",
            "insurance": "",
            "reference": "KW-001",
            "submit_token": pay_token(w.bill),
        },
    ),
    "billing:receipt": Plan(bill_pk, get=()),
    "billing:receipt_pdf": Plan(bill_pk, get=()),
    "billing:void": Plan(bill_pk, post=lambda w: void_data(w.bill)),
    # The pharmacy: the doctor prescribes on the visit in consultation...
    "pharmacy:prescribe": Plan(consulting_pk, get=(), post=drug_line_form),
    "pharmacy:line_remove": Plan(
        lambda w: {"pk": w.in_consultation.pk, "line_pk": w.draft.lines.get().pk}, post=no_fields
    ),
    "pharmacy:send": Plan(consulting_pk, post=no_fields),
    "pharmacy:drug_search": Plan(get=DRUG_SEARCH),
    # ... the pharmacist dispenses and prints...
    "pharmacy:queue": Plan(get=("page",)),
    "pharmacy:prescription": Plan(prescription_pk, get=(), post=dispense_form),
    "pharmacy:labels": Plan(prescription_pk, get=()),
    "pharmacy:copy": Plan(prescription_pk, get=()),
    # ... and keeps the stock (the lists also as CSV, ?format=csv).
    "pharmacy:stock": Plan(get=("q", "format", "page")),
    "pharmacy:receive": Plan(
        get=(),
        post=lambda w: {
            "drug": str(w.drug.pk),
            "batch_number": "NEW-01",
            "expiry_date": (timezone.localdate() + datetime.timedelta(days=400)).isoformat(),
            "quantity": "50",
            "purchase_price": "450",
            "supplier": "PT Kimia Farma Trading",
        },
    ),
    "pharmacy:drug_stock": Plan(lambda w: {"pk": w.drug.pk}, get=()),
    "pharmacy:batch_count": Plan(
        batch_pk, get=(), post=lambda w: {"counted": "97", "reason": "Stock opname: 3 tablet rusak"}
    ),
    "pharmacy:batch_remove": Plan(
        batch_pk, get=(), post=lambda w: {"kind": "write_off", "quantity": "5", "reason": "Kemasan rusak"}
    ),
    "pharmacy:near_expiry": Plan(get=("days", "format", "page")),
    "pharmacy:below_minimum": Plan(get=("format",)),
    "pharmacy:movements": Plan(get=("drug", "start", "end", "format", "page")),
    # SATUSEHAT: the admin's list of what was sent, and the retry of a failed visit.
    "satusehat:submissions": Plan(get=("status", "q", "start", "end", "page")),
    "satusehat:retry": Plan(lambda w: {"pk": w.submission.pk}, post=no_fields),
}

STAFF_URLS = sorted({(name, route) for name, route in walk(get_resolver().url_patterns) if name not in PUBLIC})


def allowed_roles(route: str) -> tuple[str, ...]:
    return getattr(resolve(concrete(route)).func, "allowed_roles", ())


ROLES = {name: allowed_roles(route) for name, route in STAFF_URLS}
GET_CASES = [
    (name, role) for name, _route in STAFF_URLS if name in PLAN and PLAN[name].get is not None for role in ROLES[name]
]
POST_CASES = [name for name, _route in STAFF_URLS if name in PLAN and PLAN[name].post is not None]


def writer(name: str) -> str:
    return next(role for role in WRITER_PREFERENCE if role in ROLES[name])


# --- Tools ------------------------------------------------------------------------------------

TOTALS = Counter()


@pytest.fixture(scope="module", autouse=True)
def module_figures(request):
    """The module's totals, written like the `figures` fixture (the root conftest.py) does."""
    start = time.monotonic()
    yield
    if not TOTALS["requests"]:
        return
    line = (
        f"[figures] {request.node.nodeid}: {TOTALS['get_urls']} (URL, role) pairs with fuzzed query strings, "
        f"{TOTALS['post_urls']} forms fuzzed, {TOTALS['examples']} examples, {TOTALS['requests']} requests, "
        f"{TOTALS['saved']} accepted POSTs checked with full_clean(), {time.monotonic() - start:.1f} s"
    )
    tr = request.config.pluginmanager.get_plugin("terminalreporter")
    capman = request.config.pluginmanager.get_plugin("capturemanager")
    if tr is None:
        print(line)
        return
    with capman.global_and_fixture_disabled() if capman else contextlib.nullcontext():
        tr.ensure_newline()
        tr.write_line(line)


class ReadRecorder:
    """Records which keys views read from any QueryDict (request.GET, request.POST)."""

    def __init__(self, monkeypatch):
        self.reads: list[tuple[int, str]] = []
        for method in ("get", "getlist", "__getitem__", "__contains__"):
            original = getattr(QueryDict, method)
            monkeypatch.setattr(QueryDict, method, self._wrap(original))

    def _wrap(self, original):
        recorder = self

        def wrapper(self, key, *args, **kwargs):
            if not self._mutable:  # not while the QueryDict is being built
                recorder.reads.append((id(self), key))
            return original(self, key, *args, **kwargs)

        return wrapper

    def keys_read(self, querydict) -> set[str]:
        return {key for ident, key in self.reads if ident == id(querydict)}


@pytest.fixture
def reads(monkeypatch):
    return ReadRecorder(monkeypatch)


@contextlib.contextmanager
def rolled_back(client=None):
    """A savepoint rolled back at the end; the client's cookies are put back too (a view that
    cycles the session key would otherwise leave the client with a session that was rolled back)."""
    cookies = SimpleCookie(client.cookies) if client is not None else None
    if client is not None:
        client.cookies.pop("messages", None)  # no message left over from another example
    with transaction.atomic():
        yield
        transaction.set_rollback(True)
    if client is not None:
        client.cookies = cookies


def snapshot() -> dict:
    """Every row of every model in MODELS, by primary key: one plain SELECT per table (the ORM's
    query building would cost more than the request under test)."""
    rows = {}
    with connection.cursor() as cursor:
        for model in MODELS:
            pk, table = (connection.ops.quote_name(name) for name in (model._meta.pk.column, model._meta.db_table))
            cursor.execute(f"SELECT {pk}, t.* FROM {table} t")  # nosec B608: the models' own names
            rows[model] = {row[0]: row for row in cursor.fetchall()}
    return rows


def changed_rows(before: dict, after: dict) -> list[tuple[type, int]]:
    changed = []
    for model in MODELS:
        old, new = before[model], after[model]
        assert model in DELETABLE or not set(old) - set(new), f"{model.__name__} rows deleted: {set(old) - set(new)}"
        changed += [(model, pk) for pk, row in new.items() if old.get(pk) != row]
    return changed


def short(value, limit=120) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} chars)"


def check_response(response, sent) -> None:
    status = response.status_code
    assert status in OK_STATUSES, f"{status} for {short(sent)}"
    if status == 302:
        location = response["Location"]
        assert url_has_allowed_host_and_scheme(location, allowed_hosts={"testserver"}), (
            f"redirect off the site to {location!r} for {short(sent)}"
        )
    if "text/html" in response.get("Content-Type", ""):
        body = response.content.decode()
        for marker in fz.RAW_MARKERS:
            assert marker not in body, f"unescaped {marker!r} in the page for {short(sent)}"


def success(response) -> bool:
    """A Post/Redirect/Get success: a redirect without an error message."""
    if response.status_code != 302:
        return False
    return not any(m.level >= message_levels.ERROR for m in get_messages(response.wsgi_request))


def check_saved(model, pk) -> None:
    obj = model.objects.get(pk=pk)
    obj.full_clean()
    for field in model._meta.concrete_fields:
        value = getattr(obj, field.attname)
        if isinstance(value, str):
            assert "\x00" not in value, f"NUL byte saved in {model.__name__}.{field.name}"


def planned(plan: Plan, key: str) -> bool:
    """Whether the plan names `key`: exactly, or by a prefix written with a final "*"."""
    return any(key == name or (name.endswith("*") and key.startswith(name[:-1])) for name in plan.get)


def plan_of(name: str) -> Plan:
    if name not in PLAN:
        pytest.fail(f"{name} has no fuzz plan: add it to PLAN in {__name__}")
    return PLAN[name]


def url_of(name: str, w: World) -> str:
    plan = plan_of(name)
    return reverse(name, kwargs=plan.kwargs(w) if plan.kwargs else None)


def sign_in(client, request, w: World, name: str, role: str) -> str:
    """Logs in a user of `role`, prepares what the URL needs, and returns the URL."""
    user = request.getfixturevalue(ROLE_FIXTURE[role])
    client.force_login(user)
    if plan_of(name).prepare:
        plan_of(name).prepare(w, client, user)
    return url_of(name, w)


# --- The plan covers every URL and every method ----------------------------------------------


def test_it_has_a_fuzz_plan_for_every_staff_url():
    names = {name for name, _route in STAFF_URLS}
    missing, stale = sorted(names - set(PLAN)), sorted(set(PLAN) - names)
    assert not missing, f"URLs without a fuzz plan (add them to PLAN in {__name__}): {missing}"
    assert not stale, f"PLAN names URLs that no longer exist: {stale}"
    assert len(names) >= 25


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "route"), STAFF_URLS)
def test_it_plans_the_methods_each_url_answers(client, request, world, name, route):
    plan = plan_of(name)
    url = sign_in(client, request, world, name, writer(name))
    with rolled_back(client):
        get = client.get(url)
    with rolled_back(client):
        post = client.post(url, plan.post(world) if plan.post else {})
    assert (get.status_code == 405) == (plan.get is None), (name, get.status_code)
    assert (post.status_code == 405) == (plan.post is None), (name, post.status_code)
    assert get.status_code in (200, 302, 405) and post.status_code in (200, 302, 405)


# --- Query strings ----------------------------------------------------------------------------


def _percent(raw: bytes) -> str:
    # Mostly %XX escapes (invalid UTF-8 included), some bytes as they are, some bare % signs.
    return "".join("%" if b % 7 == 0 else chr(b) if 48 <= b < 123 and b % 2 else f"%{b:02X}" for b in raw)


def raw_query(names: tuple[str, ...]):
    """A query string of raw bytes, bypassing the client's encoding."""
    pair = st.tuples(st.sampled_from([*names, "x"]), st.binary(max_size=12))
    return st.lists(pair, min_size=1, max_size=3).map(
        lambda pairs: "&".join(f"{name}={_percent(raw)}" for name, raw in pairs)
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "role"), GET_CASES)
def test_it_never_fails_on_a_fuzzed_query_string(client, request, world, reads, figures, name, role):
    plan = plan_of(name)
    url = sign_in(client, request, world, name, role)
    # The full count for the first role; the other roles run the same code past the gate.
    examples = GET_EXAMPLES if plan.get and role == ROLES[name][0] else PLAIN_EXAMPLES
    count = Counter()
    query = st.one_of(
        fz.query_params(list(plan.get)),
        fz.query_params(list(plan.get)),
        raw_query(plan.get).map(lambda raw: {"QUERY_STRING": raw}),
    )
    baseline = snapshot()

    @settings(FUZZ, max_examples=examples)
    @given(params=query, headers=st.sampled_from(HTMX_HEADERS))
    def run(params, headers):
        count["examples"] += 1
        reads.reads.clear()
        extra = {**headers}
        if "QUERY_STRING" in params:
            extra["QUERY_STRING"], params = params["QUERY_STRING"], {}
        with rolled_back(client):
            response = client.get(url, params, **extra)
            count["requests"] += 1
            check_response(response, params or extra)
            assert not changed_rows(baseline, snapshot()), f"a GET saved something: {short(params)}"
        unplanned = {
            key for key in reads.keys_read(response.wsgi_request.GET) - FRAMEWORK_KEYS if not planned(plan, key)
        }
        assert not unplanned, f"{name} reads {sorted(unplanned)} from the query string: add them to PLAN"

    run()
    TOTALS.update({"get_urls": 1, **count})
    figures(
        f"{name} as {role}: {count['examples']} examples, {count['requests']} requests, "
        f"parameters {list(plan.get) or '(none; extra and htmx only)'}"
    )


# What kind of value a query-string parameter holds, for the fixed sweep.
PARAM_KINDS = {
    "date": "date",
    "date_from": "date",
    "date_to": "date",
    "start": "datetime",
    "time": "time",
    "doctor": "number",
    "patient": "number",
    "services": "number",
    "page": "number",
    "days": "number",
    "drug": "number",
    "end": "date",
    "next": "url",
}  # the rest: "search"


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "role"), [(n, r) for n, r in GET_CASES if PLAN[n].get and r == ROLES[n][0]])
def test_it_never_fails_for_each_bad_value_in_each_parameter(client, request, world, figures, name, role):
    """A fixed sweep next to the random one: each parameter in turn gets each bad value fit for
    its kind, with and without htmx."""
    url = sign_in(client, request, world, name, role)
    count = Counter()
    baseline = snapshot()
    for param in PLAN[name].get:
        for i, bad in enumerate(fz.sweep("", PARAM_KINDS.get(param, "search"))):
            headers = HTMX_HEADERS[i % 2]
            with rolled_back(client):
                response = client.get(url, {param: bad}, **headers)
                count["requests"] += 1
                check_response(response, {param: bad})
                assert not changed_rows(baseline, snapshot()), f"a GET saved something: {short(bad)}"
    TOTALS.update({"examples": count["requests"], **count})
    figures(f"{name} as {role}: {count['requests']} requests, one bad value in one parameter each")


# --- Forms ------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", POST_CASES)
def test_it_never_fails_or_saves_bad_data_on_a_fuzzed_form(client, request, world, reads, figures, name):
    plan = plan_of(name)
    url = sign_in(client, request, world, name, writer(name))
    base = plan.post(world)
    count = Counter()

    # The valid form is accepted, and the view reads each of its fields: the fuzzing starts from a
    # form that works and has no field the view ignores.
    with rolled_back(client):
        response = client.post(url, base)
        form = response.context.get("form") if response.context else None
        assert success(response), f"{name}: the valid form was refused: {form.errors if form else response}"
        unread = set(base) - reads.keys_read(response.wsgi_request.POST)
        assert not unread, f"{name} never reads {sorted(unread)}: remove them from its valid form in PLAN"

    baseline = snapshot()

    @settings(FUZZ, max_examples=POST_EXAMPLES)
    @given(mutation=fz.mutations(sorted(base)))
    def run(mutation):
        count["examples"] += 1
        reads.reads.clear()
        data = fz.spoil(base, mutation)
        with rolled_back(client):
            response = client.post(url, data)
            count["requests"] += 1
            check_response(response, data)
            changed = changed_rows(baseline, snapshot())
            if success(response):
                count["saved"] += 1
                for model, pk in changed:
                    check_saved(model, pk)
            else:
                assert not changed, f"refused ({response.status_code}) but saved {changed} for {short(data)}"
        unplanned = reads.keys_read(response.wsgi_request.POST) - set(base) - FRAMEWORK_KEYS
        assert not unplanned, f"{name} reads the fields {sorted(unplanned)}: add them to its valid form in PLAN"

    run()
    TOTALS.update({"post_urls": 1, **count})
    figures(
        f"{name}: {count['examples']} examples, {count['requests']} requests, "
        f"{count['saved']} accepted and checked with full_clean(); fields {sorted(base)}"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("name", POST_CASES)
def test_it_never_fails_or_saves_bad_data_for_each_bad_value_in_each_field(client, request, world, figures, name):
    """A fixed sweep next to the random one: each field in turn gets each bad value fit for its
    kind (dates, times, numbers, text), the rest of the form valid; e.g. a NUL byte inside an
    otherwise valid value (PostgreSQL refuses NUL in text: saving one is a 500 there, and silent
    corruption on MariaDB and SQLite)."""
    plan = plan_of(name)
    url = sign_in(client, request, world, name, writer(name))
    base = plan.post(world)
    count = Counter()
    baseline = snapshot()
    for field in sorted(base) or ["notes"]:
        for bad in fz.sweep(base.get(field, "x")):
            data = {**base, field: bad}
            with rolled_back(client):
                response = client.post(url, data)
                count["requests"] += 1
                check_response(response, data)
                changed = changed_rows(baseline, snapshot())
                if success(response):
                    count["saved"] += 1
                    for model, pk in changed:
                        check_saved(model, pk)
                else:
                    assert not changed, f"refused ({response.status_code}) but saved {changed} for {short(data)}"
    TOTALS.update({"examples": count["requests"], **count})
    figures(f"{name}: {count['requests']} requests, one bad value in one field each; {count['saved']} accepted")


BAD_AMOUNTS = [
    "-1",
    "-150000",
    "0",
    "0,00",
    "-0",
    "NaN",
    "nan",
    "sNaN",
    "Infinity",
    "-Infinity",
    "inf",
    "1e309",
    "1e5",
    "99999999999999999999",
    "999.999.999.999.999",
    "9999999999999",
    "150001",
    "150000,001",
    "150.000,999",
    "0,001",
    "Rp -150.000",
    "1.5",
    "\x00",
    "100000\x00",
    "",
    " ",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "١٢٣٤٥٦٧٨٩٠١٢٣",
    "1" * 10_000,
]


@pytest.mark.django_db
@pytest.mark.parametrize("amount", BAD_AMOUNTS)
def test_it_refuses_a_negative_huge_or_not_a_number_amount(client, receptionist, world, amount):
    url = reverse("billing:pay", args=[world.bill.pk])
    client.force_login(receptionist)
    baseline = snapshot()
    response = client.post(url, {"amount": amount, "method": "Cash", "insurance": "", "reference": ""})
    check_response(response, amount)
    assert response.status_code == 200
    assert response.context["form"].errors, "the amount was accepted"
    assert not changed_rows(baseline, snapshot())


# --- Filters and sorting: off the allow-list is ignored ----------------------------------------


def _ids(items) -> list:
    return [getattr(item, "pk", item) for item in items]


def _slots(context) -> list:
    return [(slot["start"], getattr(slot["appointment"], "pk", None)) for slot in context["slots"]]


# name → (base query, what the page lists). (The patient searches are POSTed and list no
# filters or sort orders: not here.)
LISTS = {
    "scheduling:board": ({}, lambda c: _ids(c["appointments"])),
    "scheduling:day": ({}, lambda c: (getattr(c["doctor"], "pk", None), c["day"], _slots(c))),
    "billing:unpaid": ({}, lambda c: _ids(c["page"].object_list)),
    "records:queue": ({}, lambda c: _ids(c["appointments"])),
    "audit:search": ({}, lambda c: _ids(c["page"].object_list)),
}
# Filter parameters with an allow-list: values off it must be ignored...
ALLOW_LISTED = {
    "scheduling:board": ("doctor", "status"),
    "scheduling:day": ("doctor", "date"),
    "billing:unpaid": ("page",),
    "audit:search": ("action", "date_from", "date_to", "page"),
}
# ... and a value on it changes the list (else "ignored" would prove nothing).
KNOWN_FILTERS = {
    "scheduling:board": lambda w: [{"status": S.CHECKED_IN}, {"doctor": w.other_doctor.pk}],
    "scheduling:day": lambda w: [{"doctor": w.doctor.pk}, {"date": w.next_week.isoformat()}],
    "audit:search": lambda w: [{"action": AuditLog.Action.READ}, {"date_from": w.next_week.isoformat()}],
}
# The forms whose validation is the allow-list of a date: a date they refuse is ignored.
DATE_FILTER_FORMS = {"scheduling:day": DayFilterForm, "audit:search": AuditSearchForm}
SORT_NAMES = ["sort", "order", "o", "ordering", "order_by", "desc", "dir"]


def _on_allow_list(name: str, param: str, value, world: World) -> bool:
    """Whether the view may legitimately act on `value` (so it is not 'unknown')."""
    value = value[-1] if isinstance(value, list) else value  # a QueryDict gives the last value
    if param == "status":
        return value in S.values
    if param == "action":
        return value in AuditLog.Action.values
    if param == "doctor":
        if name == "scheduling:day":  # forms.IntegerField also takes "7.0"
            value = re.sub(r"\.0*\s*$", "", value)
        try:
            return int(value) in {world.doctor.pk, world.other_doctor.pk}
        except ValueError:
            return False
    if param in ("date", "date_from", "date_to"):
        form = DATE_FILTER_FORMS[name]({param: value})
        return form.is_valid() and form.cleaned_data[param] is not None
    return False  # page: one page of rows, any page number shows it


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(LISTS))
def test_it_ignores_filter_and_sort_values_off_the_allow_list(client, request, world, figures, name):
    base, listed = LISTS[name]
    url = sign_in(client, request, world, name, writer(name))

    def listing(query):  # rolled back: reading a page may write to the audit log the next one lists
        with rolled_back(client):
            response = client.get(url, query)
            check_response(response, query)
            assert response.status_code == 200, short(query)
            return listed(response.context)

    expected = listing(base)
    assert expected, f"{name}: the unfiltered page lists nothing; the check would prove nothing"
    for known in KNOWN_FILTERS.get(name, lambda w: [])(world):
        assert listing({**base, **known}) != expected, f"{name} ignores {known}"
    count = Counter()
    allow_listed = ALLOW_LISTED.get(name, ())
    fuzzed = st.tuples(st.sampled_from([*SORT_NAMES, *allow_listed]), fz.value)

    @settings(FUZZ, max_examples=FILTER_EXAMPLES)
    @given(pairs=st.lists(fuzzed, min_size=1, max_size=3, unique_by=lambda p: p[0]))
    def run(pairs):
        assume(not any(p in allow_listed and _on_allow_list(name, p, v, world) for p, v in pairs))
        count["examples"] += 1
        count["requests"] += 1
        assert listing({**base, **dict(pairs)}) == expected, f"{name} acted on {short(pairs)}"

    run()
    TOTALS.update(count)
    figures(f"{name}: {count['examples']} unknown filter/sort values, each showed the unfiltered list")


# --- The waiting room's screen: public, opened by its token -------------------------------------

DISPLAY_TOKENS = st.one_of(st.sampled_from([t for t in fz.FIXED if t]), fz.ANY_TEXT.filter(bool), st.text(min_size=200))


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["queue:display", "queue:display_poll"])
def test_a_fuzzed_display_token_is_a_404_never_a_500(client, name):
    """The screen's URLs are outside PLAN (no login: test_url_gates.PUBLIC); any token but the
    display's own is a 404 without echoing it, whatever its bytes."""
    from urllib.parse import quote

    from scheduling.models import QueueDisplay

    display = QueueDisplay.objects.create(name="Lobi")
    prefix = reverse(name, args=["TOKEN"]).split("TOKEN")

    @settings(FUZZ, max_examples=GET_EXAMPLES)
    @given(token=DISPLAY_TOKENS, htmx=st.booleans())
    def run(token, htmx):
        assume(token != display.token)
        path = prefix[0] + quote(token, safe="") + prefix[1]
        response = client.get(path, **({"HTTP_HX_REQUEST": "true"} if htmx else {}))
        assert response.status_code in (400, 404), (repr(token), response.status_code)
        body = response.content.decode(errors="replace")
        for marker in fz.RAW_MARKERS:
            assert marker not in body

    run()
    assert client.get(reverse(name, args=[display.token])).status_code == 200
