"""`manage.py seed_demo`: a small clinic on whatever database the suite runs on, checked for the
invariants the app relies on. transaction=True: on MariaDB the rows arrive through a connection
of the command's own (LOAD DATA LOCAL INFILE), which the test's transaction would not see."""

import datetime as dt
import io
import re
from collections import defaultdict
from decimal import Decimal

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum
from django.utils import timezone

from accounts.models import User
from audit.models import AuditLog
from audit.services import Action, audit_write
from billing.models import Billing, Insurance, Payment
from core.crypto import blind_index
from patients.models import Doctor, Patient
from patients.services import patient_register
from records.models import LabResult, MedicalRecord
from sampledata.management.commands.seed_demo import DEFAULT_SEED
from sampledata.seed import generate, load
from sampledata.seed.plan import ANCHOR_NAME, BIG_BILL_REASON
from scheduling.models import Appointment, AppointmentService, Service
from scheduling.services import appointment_book

pytestmark = pytest.mark.django_db(transaction=True)

TODAY = dt.date(2026, 11, 25)  # a Wednesday
PASSWORD = "seed-test-password"
MODELS = {
    "services": Service,
    "doctors": Doctor,
    "patients": Patient,
    "insurance": Insurance,
    "appointments": Appointment,
    "appointment_services": AppointmentService,
    "medical_records": MedicalRecord,
    "lab_results": LabResult,
    "billing": Billing,
    "payments": Payment,
}


def seed(*extra, patients=30, workers=1) -> str:
    out = io.StringIO()
    call_command(
        "seed_demo",
        "--patients",
        str(patients),
        "--today",
        TODAY.isoformat(),
        "--password",
        PASSWORD,
        "--anchor-visits",
        "40",
        "--workers",
        str(workers),
        *extra,
        stdout=out,
        stderr=io.StringIO(),
    )
    return out.getvalue()


@pytest.fixture
def seeded():
    return seed()


def printed_counts(output: str) -> dict[str, int]:
    return {m[1]: int(m[2].replace(",", "")) for m in re.finditer(r"^\s+(\w+)\s+([\d,]+)$", output, re.M)}


def test_it_prints_row_counts_that_are_the_tables_counts(seeded):
    counts = printed_counts(seeded)
    for table, model in MODELS.items():
        assert counts[table] == model.objects.count(), table
    assert counts["total"] == sum(v for k, v in counts.items() if k != "total")
    assert counts["patients"] == 30
    assert counts["appointments"] >= 5 * 30  # about five per patient; a small clinic has more
    assert re.search(r"rows in [\d.]+ s: [\d,]+ rows/s", seeded)


def test_every_nik_decrypts_matches_its_blind_index_and_is_unique(seeded):
    patients = list(Patient.objects.all())
    niks = [p.nik for p in patients if p.nik]
    assert len(niks) == len(set(niks)) >= 20
    for patient in patients:
        assert patient.nik_hash == blind_index("nik", patient.nik)
        assert patient.phone_hash == blind_index("phone", patient.phone)
        assert patient.email_hash == blind_index("email", patient.email)
        patient.full_clean(exclude=["medical_record_number"], validate_unique=False)  # NIK, +62 phones, email
        if patient.nik:
            born = patient.date_of_birth
            day = born.day + (40 if patient.gender == "F" else 0)
            assert patient.nik[6:12] == f"{day:02d}{born:%m%y}"


def test_bill_totals_are_their_lines_and_amount_paid_is_the_payments(seeded):
    lines = defaultdict(Decimal)
    for line in AppointmentService.objects.all():
        lines[line.appointment_id] += line.quantity * line.unit_price
    paid = dict(Payment.objects.values_list("billing").annotate(total=Sum("amount")))
    bills = list(Billing.objects.all())
    assert {b.status for b in bills} >= {"paid", "unpaid"}
    for bill in bills:
        assert bill.total_amount == lines[bill.appointment_id]
        assert bill.amount_paid == paid.get(bill.pk, 0) <= bill.total_amount
        if bill.status != Billing.Status.VOID:
            assert bill.status == Billing.status_for(total=bill.total_amount, paid=bill.amount_paid)
    for line in AppointmentService.objects.select_related("service"):
        assert line.unit_price == line.service.price
    assert set(Payment.objects.values_list("method", flat=True)) <= {"Cash", "CreditCard", "Insurance", "Transfer"}
    assert not Payment.objects.filter(method="Insurance", insurance__isnull=True).exists()


def test_completed_appointments_and_only_they_have_one_record_and_one_bill(seeded):
    completed = set(Appointment.objects.filter(status="completed").values_list("pk", flat=True))
    assert completed
    assert set(MedicalRecord.objects.values_list("appointment_id", flat=True)) == completed
    assert set(Billing.objects.values_list("appointment_id", flat=True)) == completed
    for record in MedicalRecord.objects.select_related("appointment"):
        assert (record.patient_id, record.doctor_id) == (record.appointment.patient_id, record.appointment.doctor_id)


def test_no_two_active_appointments_of_a_doctor_overlap(seeded):
    last_end = {}
    for appointment in Appointment.objects.filter(slot_active=True).order_by("doctor_id", "appointment_date"):
        previous = last_end.get(appointment.doctor_id)
        assert previous is None or appointment.appointment_date >= previous, appointment.pk
        last_end[appointment.doctor_id] = appointment.end_time
    assert not Appointment.objects.filter(status__in=["cancelled", "no_show"], slot_active__isnull=False).exists()


def test_lab_flags_follow_the_reference_range(seeded):
    results = list(LabResult.objects.all())
    assert results and any(r.is_abnormal for r in results) and not all(r.is_abnormal for r in results)
    for result in results:
        assert result.is_abnormal == result.compute_abnormal(), result.pk


def test_it_numbers_the_queue_in_arrival_order_as_check_in_does(seeded):
    # The sample data's rule (sampledata.rules.queue_numbers), not the order of the bookings.
    days = defaultdict(list)
    for appointment in Appointment.objects.exclude(arrived_at=None):
        days[(appointment.doctor_id, timezone.localdate(appointment.appointment_date))].append(appointment)
    assert days
    for appointments in days.values():
        appointments.sort(key=lambda a: (a.arrived_at, a.appointment_date))
        assert [a.queue_number for a in appointments] == list(range(1, len(appointments) + 1))


def test_it_prescribes_no_penicillin_to_a_patient_allergic_to_it(seeded):
    allergic = MedicalRecord.objects.filter(allergies__in=["Amoksisilin", "Penisilin"])
    assert allergic.exists()
    for record in allergic:
        assert "amoksisilin" not in record.prescription.lower()


def test_the_bench_anchors_are_there(seeded):
    anchor = Patient.objects.get(full_name=ANCHOR_NAME)
    visits = Appointment.objects.filter(patient=anchor)
    assert visits.count() == visits.filter(status="completed").count() == 40
    assert MedicalRecord.objects.filter(patient=anchor).count() == 40
    assert Billing.objects.filter(patient=anchor).count() == 40
    big = Appointment.objects.get(reason=BIG_BILL_REASON)
    assert big.status == "completed" and big.lines.count() == 50 and Service.objects.count() >= 50
    assert big.bill.total_amount == sum(line.unit_price for line in big.lines.all())
    assert anchor.medical_record_number in seeded and big.bill.number in seeded


def test_bench_users_log_in_and_bench_doctor_has_patients_today(seeded):
    # Argon2, production's hasher, so the accounts also log in under the production settings
    # (make load); checked before a login here rehashes them with the test settings' MD5.
    bench_users = User.objects.filter(username__startswith="bench_")
    assert bench_users.count() >= 3
    assert all(user.password.startswith("argon2$") for user in bench_users)
    for username, role in (
        ("bench_admin", "admin"),
        ("bench_receptionist", "receptionist"),
        ("bench_doctor", "doctor"),
    ):
        user = authenticate(username=username, password=PASSWORD)
        assert user is not None and user.role == role
    doctor = Doctor.objects.get(user__username="bench_doctor")
    # A range, not __date: MariaDB without time zone tables cannot convert to Asia/Jakarta.
    midnight = timezone.make_aware(dt.datetime.combine(TODAY, dt.time()))
    today = Appointment.objects.filter(
        doctor=doctor, appointment_date__gte=midnight, appointment_date__lt=midnight + dt.timedelta(days=1)
    )
    assert today.count() >= 10
    assert today.filter(status="scheduled").exists() and today.filter(status="completed").exists()
    assert User.objects.filter(role="doctor", doctor_profile__isnull=False).count() == Doctor.objects.count()


def test_the_apps_own_services_still_work_after_seeding(seeded):
    receptionist = User.objects.get(username="bench_receptionist")
    patient = patient_register(
        data={
            "full_name": "Pasien Baru Setelah Seed",
            "date_of_birth": dt.date(1990, 1, 2),
            "gender": "F",
            "nik": "3273014201900001",
            "phone": "081299990000",
        },
        by=receptionist,
    )
    assert patient.medical_record_number == "RM-0000031"
    doctor = Doctor.objects.get(user__username="bench_doctor")
    day = timezone.localdate() + dt.timedelta(days=30)
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(20, 30)))
    appointment = appointment_book(
        patient=patient,
        doctor=doctor,
        start=start,
        services=[Service.objects.get(code="KONS-UMUM")],
        booked_by=receptionist,
    )
    assert appointment.pk > Appointment.objects.exclude(pk=appointment.pk).order_by("-pk").first().pk
    assert appointment.lines.get().pk > 0


def test_it_refuses_a_database_with_clinic_data_unless_flush():
    seed()
    with pytest.raises(CommandError, match="--flush"):
        seed()
    output = seed("--flush", patients=12)
    assert "Emptied first" in output and Patient.objects.count() == 12
    assert User.objects.filter(username="bench_admin").count() == 1


def test_a_database_seeded_and_emptied_by_delete_since_gets_its_counters_back():
    """A transactional test's flush empties the tables by DELETE, which leaves the id counters
    past the old seeded ids (MariaDB's AUTO_INCREMENT, PostgreSQL's sequences). The rows the app
    writes before a new load must take ids below the seeded history's: the staff's audit rows
    had taken ids inside it, and the load failed on a duplicate key (CI, a whole-suite run)."""
    seed()
    call_command("flush", interactive=False, reset_sequences=False, verbosity=0)
    load.loader_for("default").reset_sequences()
    audit_write(action=Action.READ, what="probe")
    assert AuditLog.objects.get(what="probe").pk < generate.AUDIT_ID_BASE
    assert printed_counts(seed())["patients"] == Patient.objects.count() == 30


def test_the_same_seed_gives_the_same_clinic_with_any_number_of_workers():
    def snapshot():
        return (
            list(Patient.objects.order_by("pk").values_list("full_name", "nik_hash", "date_of_birth")),
            list(
                Appointment.objects.order_by("pk").values_list(
                    "pk", "patient_id", "doctor_id", "appointment_date", "status"
                )
            ),
            list(Billing.objects.order_by("pk").values_list("number", "total_amount", "amount_paid", "status")),
        )

    seed(workers=1)
    first = snapshot()
    seed("--flush", workers=2)
    assert snapshot() == first


def test_blind_index_shortcut_agrees_with_the_apps(seeded, tmp_path):
    generate.CONTEXT or generate.setup(_plan_stub(), str(tmp_path), "")
    for kind, value in (("nik", "3273010101900001"), ("phone", "+6281234567890"), ("email", "a.b@example.com")):
        assert generate.blind_index(kind, value) == blind_index(kind, value)


def _plan_stub(patients=10):
    from sampledata.seed.run import build_plan

    return build_plan(n_patients=patients, seed=1, today=TODAY, anchor_visits=0)


def test_appointments_per_doctor_day_stay_in_range_as_the_clinic_grows():
    from sampledata.seed.run import build_plan

    for n in (30, 20_000):
        plan = build_plan(n_patients=n, seed=1, today=TODAY, anchor_visits=1000)
        past = [
            c
            for ordinal, row in zip(plan.days, plan.counts, strict=False)
            if ordinal <= plan.today_ordinal
            for c in row
            if c
        ]
        assert min(past) >= 1 and max(past) <= 30
        assert sum(map(sum, plan.counts)) >= 5 * n
        assert sum(plan.anchors.values()) == 1000
    assert Appointment.objects.count() == 0


def test_a_failed_load_stops_the_seed_with_its_error_and_puts_the_indexes_back(monkeypatch, tmp_path):
    """On MariaDB the files load on two connections at once: a load that fails in one of them
    must end the seed with that error (not hang, not finish as if all were in), start no further
    file, and leave the schema whole: the indexes dropped for the load are built again."""
    import signal
    import tempfile

    from django.db import connection

    from sampledata.seed import load, run

    def indexes():
        with connection.cursor() as cursor:
            return {
                table: sorted(
                    name
                    for name, c in connection.introspection.get_constraints(cursor, table).items()
                    if c["index"] or c["unique"]
                )
                for table in generate.COLUMNS
            }

    before = indexes()
    loader_class = type(load.loader_for("default"))
    real_load, started = loader_class.load, []

    def load_or_fail(self, table, path):
        started.append(table)
        if table == "lab_results":
            raise RuntimeError("the disk is on fire")
        real_load(self, table, path)

    monkeypatch.setattr(loader_class, "load", load_or_fail)
    monkeypatch.setattr(run, "APPOINTMENTS_PER_CHUNK", 40)  # several day chunks, several files per table
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def hung(signum, frame):
        raise TimeoutError("seed_demo hung after a failed load")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(120)
    try:
        with pytest.raises(RuntimeError, match="the disk is on fire"):
            seed(patients=40, workers=2)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    failed = started.index("lab_results")
    assert len(started) - failed - 1 <= loader_class.load_threads - 1  # at most another connection's next file
    plan = run.build_plan(n_patients=40, seed=DEFAULT_SEED, today=TODAY, anchor_visits=40)
    assert started.count("appointments") < sum(task[0] is generate.day_chunk for task in run.chunks(plan))
    assert indexes() == before
    assert not list(tmp_path.iterdir())  # the chunks' files removed


def test_it_writes_the_first_days_of_a_history_longer_than_the_youngest_patients_lives(tmp_path):
    """At 20,000 patients the history reaches back years: a doctor's patient that day must have
    been old enough for that doctor then (a dentist's youngest case is for a four-year-old)."""
    from sampledata.seed.run import build_plan

    plan = build_plan(n_patients=20_000, seed=1, today=TODAY, anchor_visits=0)
    assert plan.today_ordinal - plan.history_start > 3 * 365
    generate.setup(plan, str(tmp_path), "")
    files = generate.day_chunk(0, 0, 30)
    written = {table: count for table, _path, count in files}
    assert written["appointments"] > 0 and written["medical_records"] > 0


def test_it_writes_a_signed_audit_history_that_verifies(seeded):
    from audit import services as audit
    from audit.models import AuditLog
    from sampledata.seed.generate import AUDIT_ID_BASE

    completed = Appointment.objects.filter(status=Appointment.Status.COMPLETED).count()
    history = AuditLog.objects.filter(id__gte=AUDIT_ID_BASE).exclude(object_type="accounts.user")  # (app rows after it)
    assert printed_counts(seeded)["audit_log"] == history.count() >= 10 * completed
    # Spread over the whole history, as the visits are.
    assert len(history.dates("created_at", "month")) >= len(Appointment.objects.dates("appointment_date", "month"))
    assert history.filter(action=AuditLog.Action.READ, what="patient detail").count() == Appointment.objects.count()
    report = audit.verify_chain(full=True)
    assert report.ok, report.problems[:3]
    assert report.checked == AuditLog.objects.count() and report.pending == 0


def test_a_reseed_starts_a_chain_that_verifies():
    from audit import services as audit

    seed()
    seed("--flush", patients=12)
    assert audit.verify_chain(full=True).ok


def test_every_seeded_patient_is_found_by_any_word_of_the_name(seeded):
    from patients.models import PatientNameWord, name_words
    from patients.selectors import patient_search

    for patient in Patient.objects.order_by("pk"):
        assert sorted(patient.name_words.values_list("word", flat=True)) == sorted(name_words(patient.full_name))
    patient = Patient.objects.order_by("pk").last()
    assert patient in patient_search(query=patient.full_name.split()[-1], limit=1000)
    assert PatientNameWord.objects.count() == sum(len(name_words(p.full_name)) for p in Patient.objects.all())
