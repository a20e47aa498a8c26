"""The demo data in fixtures/ loads on every database and is as consistent as the application's
own services would have made it.

`loaddata` writes raw rows — no save(), no services, no signals — so nothing but these checks
stands between an inconsistent fixture and a demo that shows a bill whose total is not the sum of
its lines."""

import datetime
import re
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from accounts.models import User
from billing.models import Billing, Insurance, Payment, PaymentMethod
from core.crypto import blind_index
from patients.models import Doctor, Patient, WorkingHours
from records.models import LabResult, MedicalRecord
from scheduling.models import Appointment, AppointmentService, Service

FIXTURES = ("users", "patients", "scheduling", "records", "billing", "pharmacy")
FIXTURE_DIR = Path(settings.BASE_DIR) / "fixtures"
DEMO_PASSWORD = "klinik-demo-2026"
ARGON2_FIRST = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.MD5PasswordHasher",
]


@pytest.fixture(scope="module")
def sample_data(django_db_setup, django_db_blocker):
    """Loads the fixtures once for the module inside a transaction that is rolled back at the
    end, so the other test modules still start from an empty database. Each test's own
    transaction nests inside it as a savepoint."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            call_command("loaddata", *FIXTURES, verbosity=0)
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


def local(moment: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(moment)


@pytest.mark.django_db
def test_it_keeps_the_ten_tables_under_their_fixed_names_and_fills_them(sample_data):
    # The table names are part of the design: reports and other tools use them.
    tables = set(connection.introspection.table_names())
    expected = {
        "patients": Patient,
        "doctors": Doctor,
        "services": Service,
        "appointments": Appointment,
        "appointment_services": AppointmentService,
        "medical_records": MedicalRecord,
        "lab_results": LabResult,
        "insurance": Insurance,
        "billing": Billing,
        "users": User,
    }
    assert set(expected) <= tables
    for table, model in expected.items():
        assert model._meta.db_table == table
        assert model.objects.exists(), f"{table} is empty"


@pytest.mark.django_db
def test_it_has_enough_of_everything_for_a_believable_demo(sample_data):
    # Minimums promised for the demo: a clinic with a handful of doctors and a real week's work.
    assert Doctor.objects.count() >= 5
    assert Doctor.objects.values("specialization").distinct().count() >= 5
    assert not Doctor.objects.annotate(n=Count("working_hours")).filter(n=0).exists()
    assert Service.objects.filter(is_active=True).count() >= 15
    assert Patient.objects.count() >= 60
    assert Appointment.objects.count() >= 150
    assert set(Appointment.objects.values_list("status", flat=True)) == set(Appointment.Status.values)
    assert Payment.objects.exists()
    assert set(Billing.objects.values_list("status", flat=True)) == set(Billing.Status.values)
    assert Insurance.objects.filter(kind=Insurance.Kind.BPJS).exists()
    assert Insurance.objects.filter(kind=Insurance.Kind.PRIVATE).exists()
    assert LabResult.objects.filter(is_abnormal=True).exists()
    assert LabResult.objects.filter(is_abnormal=False).exists()
    assert Patient.objects.filter(nik__isnull=True).exists()  # "unknown" NIK is a real case


@pytest.mark.django_db
def test_it_gives_every_role_a_login_and_links_doctor_accounts(sample_data):
    # One demo login per role; a doctor account is useless without its doctor profile.
    roles = Counter(User.objects.values_list("role", flat=True))
    assert {User.Role.ADMIN, User.Role.DOCTOR, User.Role.RECEPTIONIST} <= set(roles)
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff and admin.role == User.Role.ADMIN
    assert User.objects.get(username="resepsionis").role == User.Role.RECEPTIONIST
    assert not User.objects.filter(is_staff=True).exclude(role=User.Role.ADMIN).exists()
    for username in ("dokter", "dokter2", "dokter3", "dokter4", "dokter5"):
        user = User.objects.get(username=username)
        assert user.role == User.Role.DOCTOR
        assert user.doctor_profile is not None
    assert User.objects.get(username="dokter").doctor_profile == Doctor.objects.order_by("pk").first()
    # Argon2, as in production (not the test settings' MD5).
    argon2 = Argon2PasswordHasher()
    for user in User.objects.all():
        assert user.password.startswith("argon2$")
        assert argon2.verify(DEMO_PASSWORD, user.password)


@pytest.mark.django_db
def test_it_lets_the_demo_admin_log_in(sample_data, client, settings):
    # The fixtures hold Argon2 hashes (production's hasher); the test settings hash with MD5
    # first, so Argon2 is put first for this login, as in production.
    settings.PASSWORD_HASHERS = ARGON2_FIRST
    assert client.login(username="admin", password=DEMO_PASSWORD)
    assert client.login(username="resepsionis", password=DEMO_PASSWORD)
    assert not client.login(username="admin", password="wrong-password")


@pytest.mark.django_db
def test_it_never_double_books_a_doctor_and_stays_inside_working_hours(sample_data):
    # The database refuses two active bookings at the same start; overlaps of different
    # lengths are the booking service's job, which loaddata bypasses — so check them here.
    hours = defaultdict(list)
    for block in WorkingHours.objects.all():
        hours[(block.doctor_id, block.weekday)].append((block.start_time, block.end_time))
    by_doctor = defaultdict(list)
    for appointment in Appointment.objects.all():
        start, end = local(appointment.appointment_date), local(appointment.end_time)
        assert end > start
        assert start.date() == end.date()
        assert any(s <= start.time() and end.time() <= e for s, e in hours[(appointment.doctor_id, start.weekday())]), (
            f"appointment {appointment.pk} is outside the doctor's working hours"
        )
        assert appointment.slot_active == (True if appointment.holds_slot else None)
        if appointment.holds_slot:
            by_doctor[appointment.doctor_id].append((start, end, appointment.pk))
    for slots in by_doctor.values():
        slots.sort()
        for (_s1, end1, pk1), (start2, _e2, pk2) in zip(slots, slots[1:], strict=False):
            assert end1 <= start2, f"appointments {pk1} and {pk2} overlap"


@pytest.mark.django_db
def test_it_books_services_at_their_price_and_lengths_in_whole_slots(sample_data):
    # Every appointment has 1–3 distinct services at the price list's price; its length is the
    # services' minutes rounded up to 15, as the booking service computes it.
    for appointment in Appointment.objects.prefetch_related("lines__service"):
        lines = list(appointment.lines.all())
        assert 1 <= len(lines) <= 3
        assert all(1 <= line.quantity <= 2 and line.unit_price == line.service.price for line in lines)
        minutes = sum(line.service.duration_minutes for line in lines)
        expected = -(-minutes // 15) * 15
        assert appointment.end_time - appointment.appointment_date == datetime.timedelta(minutes=expected)


@pytest.mark.django_db
def test_it_numbers_the_queue_in_arrival_order_per_doctor_and_day(sample_data):
    # The check-in service hands out 1, 2, 3... per doctor per day; the fixtures look the same.
    queued = defaultdict(list)
    for appointment in Appointment.objects.all():
        arrived = appointment.status in ("checked_in", "in_consultation", "completed")
        assert (appointment.queue_number is not None) == arrived
        assert (appointment.arrived_at is not None) == arrived
        if arrived:
            queued[(appointment.doctor_id, local(appointment.appointment_date).date())].append(appointment)
    for appointments in queued.values():
        appointments.sort(key=lambda a: (a.arrived_at, a.appointment_date))
        assert [a.queue_number for a in appointments] == list(range(1, len(appointments) + 1))


@pytest.mark.django_db
def test_it_gives_every_completed_visit_one_record_and_one_bill(sample_data):
    # Completing a visit creates both; nothing else has them.
    completed = Appointment.objects.filter(status=Appointment.Status.COMPLETED)
    assert MedicalRecord.objects.count() == completed.count() == Billing.objects.count()
    for appointment in completed.select_related("medical_record", "bill"):
        record, bill = appointment.medical_record, appointment.bill
        assert (record.patient_id, record.doctor_id) == (appointment.patient_id, appointment.doctor_id)
        assert bill.patient_id == appointment.patient_id
        assert bill.issued_at == appointment.end_time
    assert not MedicalRecord.objects.exclude(appointment__status=Appointment.Status.COMPLETED).exists()
    assert not Billing.objects.exclude(appointment__status=Appointment.Status.COMPLETED).exists()


@pytest.mark.django_db
def test_it_writes_plausible_records_and_flags_lab_results_from_their_range(sample_data):
    # The abnormal flag is computed on save(), which loaddata skips: it must already be right.
    icd10 = re.compile(r"^[A-Z]\d{2}(\.\d{1,2})?$")
    for record in MedicalRecord.objects.select_related("appointment"):
        assert icd10.match(record.icd10_code), record.icd10_code
        assert record.diagnosis and record.complaint
        if record.systolic_bp is not None:
            assert 90 <= record.systolic_bp <= 180 and 60 <= record.diastolic_bp <= 110
            assert record.systolic_bp > record.diastolic_bp
        assert Decimal("36.0") <= record.temperature_c <= Decimal("39.5")
        assert record.appointment.appointment_date <= record.created_at <= record.updated_at
    assert MedicalRecord.objects.filter(lab_results__isnull=False).distinct().count() >= 20
    for result in LabResult.objects.select_related("medical_record__appointment"):
        assert result.is_abnormal == result.compute_abnormal()
        appointment = result.medical_record.appointment
        assert appointment.appointment_date <= result.sampled_at <= appointment.end_time
        assert result.reported_at is None or result.reported_at >= result.sampled_at


@pytest.mark.django_db
def test_it_never_prescribes_a_penicillin_to_a_patient_allergic_to_it(sample_data):
    # A demo record that contradicts its own allergy field would teach users to ignore it.
    allergic = MedicalRecord.objects.filter(allergies__in=["Amoksisilin", "Penisilin"])
    assert allergic.exists()
    for record in allergic:
        assert "amoksisilin" not in record.prescription.lower()


@pytest.mark.django_db
def test_it_keeps_every_bill_consistent_with_its_lines_and_payments(sample_data):
    # What the payment service guarantees, checked on the raw rows: totals, paid amounts,
    # statuses, methods and the insurance used.
    for bill in Billing.objects.select_related("appointment").prefetch_related("payments", "appointment__lines"):
        lines = bill.appointment.lines.all()
        payments = sorted(bill.payments.all(), key=lambda p: (p.paid_at, p.pk))
        assert bill.total_amount == sum((line.unit_price * line.quantity for line in lines), Decimal("0"))
        assert bill.amount_paid == sum((p.amount for p in payments), Decimal("0"))
        assert bill.amount_paid <= bill.total_amount
        if bill.status == Billing.Status.VOID:
            assert not payments  # only a bill without payments can be voided
        else:
            assert bill.status == Billing.status_for(total=bill.total_amount, paid=bill.amount_paid)
        assert bill.payment_method == (payments[-1].method if payments else "")
        insured = [p for p in payments if p.method == PaymentMethod.INSURANCE]
        assert bill.insurance_id == (insured[0].insurance_id if insured else None)
        visit_day = local(bill.appointment.appointment_date).date()
        for payment in payments:
            assert payment.amount > 0 and payment.paid_at >= bill.issued_at
            assert payment.received_by.role == User.Role.RECEPTIONIST
            if payment.method == PaymentMethod.INSURANCE:
                assert payment.insurance.patient_id == bill.patient_id
                assert payment.insurance.covers(visit_day)
            else:
                assert payment.insurance_id is None
    numbers = list(Billing.objects.values_list("number", flat=True))
    assert all(re.fullmatch(r"INV-\d{6}-\d{5}", n) for n in numbers)


@pytest.mark.django_db
def test_it_gives_patients_indonesian_identities_of_the_right_shape(sample_data):
    # NIK: region code, birth date as DDMMYY with 40 added to a woman's day, then a serial.
    phone = re.compile(r"^\+62\d{8,13}$")
    for patient in Patient.objects.all():
        assert re.fullmatch(r"RM-\d{7}", patient.medical_record_number)
        if patient.nik is not None:
            assert re.fullmatch(r"\d{16}", patient.nik)
            day = patient.date_of_birth.day + (40 if patient.gender == Patient.Gender.FEMALE else 0)
            assert patient.nik[6:12] == f"{day:02d}{patient.date_of_birth:%m%y}"
        assert phone.match(patient.phone), patient.phone
        assert phone.match(patient.emergency_contact_phone), patient.emergency_contact_phone
        assert patient.created_at <= patient.updated_at
    for doctor in Doctor.objects.all():
        assert phone.match(doctor.phone)


@pytest.mark.django_db
def test_it_covers_insurance_payments_with_valid_policies(sample_data):
    # ~40% BPJS (13-digit card numbers) and ~15% private policies, each valid over a sensible range.
    patients = Patient.objects.count()
    bpjs = Insurance.objects.filter(kind=Insurance.Kind.BPJS)
    assert bpjs.values("patient").distinct().count() >= patients * 0.3
    assert Insurance.objects.filter(kind=Insurance.Kind.PRIVATE).values("patient").distinct().count() >= patients * 0.1
    assert all(re.fullmatch(r"\d{13}", number) for number in bpjs.values_list("policy_number", flat=True))
    for policy in Insurance.objects.all():
        assert policy.valid_until is None or policy.valid_until >= policy.valid_from


def test_it_regenerates_the_committed_fixtures_byte_for_byte(tmp_path):
    # The generator is the source of the fixtures: if either changes alone, this fails —
    # run `python manage.py generate_sample_data` and commit both.
    call_command("generate_sample_data", out=str(tmp_path), verbosity=0)
    for name in FIXTURES:
        generated = (tmp_path / f"{name}.json").read_bytes()
        committed = (FIXTURE_DIR / f"{name}.json").read_bytes()
        assert generated == committed, f"fixtures/{name}.json differs from what the generator writes"
    mock = (tmp_path / "satusehat_mock.json").read_bytes()
    assert mock == (FIXTURE_DIR / "satusehat_mock.json").read_bytes(), "fixtures/satusehat_mock.json differs"


# --- registration (Permenkes 24/2022) and SATUSEHAT ------------------------------------------------


@pytest.mark.django_db
def test_patients_have_the_registration_fields_and_doctors_their_nik_and_room(sample_data):
    patients = list(Patient.objects.all())
    for patient in patients:
        assert patient.place_of_birth and patient.religion and patient.occupation
        assert patient.education and patient.marital_status
        assert bool(patient.ihs_number) == bool(patient.nik)
    assert len({p.religion for p in patients}) >= 3 and len({p.marital_status for p in patients}) >= 3
    for doctor in Doctor.objects.select_related("room"):
        assert re.fullmatch(r"\d{16}", doctor.nik) and re.fullmatch(r"100\d{8}", doctor.ihs_id)
        assert doctor.room.satusehat_location_id
    first = Doctor.objects.first()
    assert Doctor.objects.get(nik_hash=blind_index("nik", first.nik)) == first  # indexed on load
    for appointment in Appointment.objects.filter(status=Appointment.Status.COMPLETED):
        assert appointment.arrived_at <= appointment.started_at <= appointment.completed_at


@pytest.mark.django_db
def test_every_completed_visit_gives_a_bundle_the_mock_platform_accepts(sample_data, settings):
    """satusehat_bundle for every completed visit: valid FHIR (fhir.resources R4B) and every rule
    of the platform, checked by the mock's own validation with the sample data's ids."""
    import json
    from io import StringIO

    from satusehat.mock import MockSatusehat

    settings.SATUSEHAT_ORGANIZATION_ID = "10000004"
    platform = MockSatusehat(json.loads((FIXTURE_DIR / "satusehat_mock.json").read_text()))
    completed = Appointment.objects.filter(status=Appointment.Status.COMPLETED).select_related("patient")
    sendable = 0
    for appointment in completed:
        if not appointment.patient.nik:
            with pytest.raises(CommandError, match="NIK"):
                call_command("satusehat_bundle", appointment=appointment.pk)
            continue
        out = StringIO()
        call_command("satusehat_bundle", appointment=appointment.pk, stdout=out)
        bundle = json.loads(out.getvalue())
        plan = platform.validate(bundle)
        assert {action for action, _id in plan} == {"create"}
        kinds = [entry["resource"]["resourceType"] for entry in bundle["entry"]]
        assert kinds[0] == "Encounter" and "Condition" in kinds and "Observation" in kinds
        sendable += 1
    assert sendable >= completed.count() - 10


@pytest.mark.django_db
def test_it_stocks_the_pharmacy_and_fills_its_queue(sample_data):
    """About sixty drugs, each batch's on-hand equal to its ledger (loaddata bypasses the stock
    service), an expired batch, some near expiry and some drugs below their minimum, today's
    prescriptions waiting in the queue and none of a penicillin for a patient allergic to it."""
    from django.db.models import Sum

    from pharmacy import selectors
    from pharmacy.models import Batch, Drug, Prescription, PrescriptionLine

    assert Drug.objects.count() >= 60
    for batch in Batch.objects.annotate(ledger=Sum("moves__quantity")):
        assert batch.on_hand == batch.ledger > 0
    assert User.objects.get(username="apoteker").role == User.Role.PHARMACIST
    assert selectors.near_expiry(days=90).exists()
    assert selectors.below_minimum().exists()
    assert Batch.objects.filter(expiry_date__lte=Prescription.objects.order_by("written_at").first().written_at.date())
    queue = list(selectors.queue())
    assert queue and all(p.appointment.status == "completed" for p in queue)
    for line in PrescriptionLine.objects.filter(drug__generic_name="Amoxicillin"):
        allergies = MedicalRecord.objects.filter(patient=line.prescription.patient).values_list("allergies", flat=True)
        assert not {"Amoksisilin", "Penisilin"} & set(allergies)
