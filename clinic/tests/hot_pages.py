"""A clinic of a chosen size and the hot pages of issue 6, shared by test_explain.py and
test_query_counts_scale.py.

`build_clinic()` writes the rows with bulk_create (a few thousand rows in a second or two, so the
EXPLAIN test can give the planner a realistic table) and then rebuilds the dashboard's summary
tables, as seed_demo does after its bulk load."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import UserFactory
from billing.models import Billing, Payment, PaymentMethod
from core.clock import day_start
from core.fields import fill_blind_indexes
from patients.models import Doctor, Patient, WorkingHours
from records.models import LabResult, MedicalRecord
from reports.summaries import rebuild_all
from scheduling.models import Appointment, AppointmentService, Service

NAMES = ("Siti", "Budi", "Agus", "Dewi", "Rina", "Joko", "Putri", "Wahyu", "Sri", "Eko")
BATCH = 500


@dataclass
class Clinic:
    doctors: list[Doctor]
    services: list[Service]
    frequent: Patient  # the patient with many visits
    latest_visit: Appointment  # the frequent patient's newest visit: its page shows the history
    bill: Billing
    serial: int  # how many patients were built so far
    frequent_visits: int


def _midnight(day: datetime.date) -> datetime.datetime:
    return day_start(day)


def _staff(doctor_count: int) -> tuple[list[Doctor], list[Service]]:
    doctors = []
    for i in range(doctor_count):
        user = UserFactory(username=f"hot_dokter{i}", role=User.Role.DOCTOR)
        doctor = Doctor.objects.create(
            full_name=f"dr. Hot {i}", specialization="Umum", user=user, license_number=f"SIP/HOT/{i:03d}"
        )
        WorkingHours.objects.bulk_create(
            WorkingHours(doctor=doctor, weekday=w, start_time=datetime.time(0, 0), end_time=datetime.time(23, 45))
            for w in range(7)
        )
        doctors.append(doctor)
    services = [
        Service.objects.create(code=f"HOT{i}", name=f"Layanan {i}", price=Decimal(50000 * (i + 1)), duration_minutes=15)
        for i in range(3)
    ]
    return doctors, services


def _patients(first: int, count: int) -> list[Patient]:
    patients = []
    for n in range(first, first + count):
        patient = Patient(
            medical_record_number=f"RM-{n + 1:07d}",
            full_name=f"{NAMES[n % len(NAMES)]} Pasien {n:06d}",
            nik=f"3273{n:012d}",
            phone=f"+62812{n:08d}",
            email=f"pasien{n}@contoh.id",
            date_of_birth=datetime.date(1950 + n % 60, 1 + n % 12, 1 + n % 28),
            gender="F",
        )
        fill_blind_indexes(patient)
        patients.append(patient)
    Patient.objects.bulk_create(patients, batch_size=BATCH)
    numbers = [p.medical_record_number for p in patients]
    return list(Patient.objects.filter(medical_record_number__in=numbers).order_by("id"))


def _visits(patients: list[Patient], doctors: list[Doctor], *, per_patient: int, offset: int) -> list[Appointment]:
    """Past visits of ordinary patients. Starts never collide: one 15-minute slot per patient
    and day, each block of 90 patients on days of its own."""
    today = _midnight(timezone.localdate())
    appointments = []
    for i, patient in enumerate(patients):
        block, slot = divmod(offset + i, 90)
        for k in range(per_patient):
            start = today - datetime.timedelta(days=1 + k + per_patient * block) + datetime.timedelta(minutes=15 * slot)
            appointments.append(
                Appointment(
                    patient=patient,
                    doctor=doctors[(offset + i + k) % len(doctors)],
                    appointment_date=start,
                    end_time=start + datetime.timedelta(minutes=15),
                    status=Appointment.Status.COMPLETED,
                    reason="Kontrol",
                )
            )
    return appointments


def _frequent_visits(patient: Patient, doctor: Doctor, days: range) -> list[Appointment]:
    """The frequent patient's visits, at 22.45 (a slot no ordinary patient uses) on each day back."""
    today = _midnight(timezone.localdate())
    starts = [today - datetime.timedelta(days=day) + datetime.timedelta(hours=22, minutes=45) for day in days]
    return [
        Appointment(
            patient=patient,
            doctor=doctor,
            appointment_date=start,
            reason="Kontrol",
            end_time=start + datetime.timedelta(minutes=15),
            status=Appointment.Status.COMPLETED,
        )
        for start in starts
    ]


def _complete(appointments: list[Appointment], services: list[Service]) -> None:
    """Saves completed visits with a line, a medical record and a lab result, and a bill (most
    paid, see _bills)."""
    Appointment.objects.bulk_create(appointments, batch_size=BATCH)
    appointments = list(
        Appointment.objects.filter(
            patient__in={a.patient_id for a in appointments}, status=Appointment.Status.COMPLETED, bill__isnull=True
        )
    )
    AppointmentService.objects.bulk_create(
        [
            AppointmentService(
                appointment=a,
                service=services[a.pk % len(services)],
                quantity=1,
                unit_price=services[a.pk % len(services)].price,
            )
            for a in appointments
        ],
        batch_size=BATCH,
    )
    MedicalRecord.objects.bulk_create(
        [
            MedicalRecord(
                patient_id=a.patient_id,
                doctor_id=a.doctor_id,
                appointment=a,
                complaint="Demam",
                allergies="Penisilin" if a.pk % 7 == 0 else "",
                diagnosis="ISPA",
                icd10_code="J06.9",
            )
            for a in appointments
        ],
        batch_size=BATCH,
    )
    records = list(MedicalRecord.objects.filter(appointment__in=appointments))
    LabResult.objects.bulk_create(
        [
            LabResult(
                medical_record=r,
                test_name="Hemoglobin",
                value=Decimal("13.5"),
                unit="g/dL",
                reference_low=Decimal(12),
                reference_high=Decimal(16),
                sampled_at=timezone.now(),
            )
            for r in records
        ],
        batch_size=BATCH,
    )
    _bills(appointments, services)


def _bills(appointments: list[Appointment], services: list[Service]) -> None:
    bills = []
    for a in appointments:
        # As at a clinic, most bills are paid in full: one in ten is unpaid, one in ten half paid
        # (so the planners see open bills as the small part of the table they are).
        total = services[a.pk % len(services)].price
        paid = {0: Decimal(0), 1: total / 2}.get(a.pk % 10, total)
        bills.append(
            Billing(
                number=f"INV-HOT-{a.pk:08d}",
                patient_id=a.patient_id,
                appointment=a,
                total_amount=total,
                amount_paid=paid,
                issued_at=a.end_time,
                status=Billing.status_for(total=total, paid=paid),
                payment_method=PaymentMethod.CASH if paid else "",
            )
        )
    Billing.objects.bulk_create(bills, batch_size=BATCH)
    Payment.objects.bulk_create(
        [
            Payment(billing=b, amount=b.amount_paid, method=PaymentMethod.CASH, paid_at=b.issued_at)
            for b in Billing.objects.filter(appointment__in=appointments, amount_paid__gt=0)
        ],
        batch_size=BATCH,
    )


def _today(patients: list[Patient], doctors: list[Doctor], offset: int, limit: int) -> None:
    """Some of the patients have an appointment today (the board, a doctor's day)."""
    today = _midnight(timezone.localdate())
    Appointment.objects.bulk_create(
        [
            Appointment(
                patient=p,
                doctor=doctors[(offset + i) % len(doctors)],
                reason="Kontrol",
                appointment_date=today + datetime.timedelta(minutes=15 * ((offset + i) // len(doctors))),
                end_time=today + datetime.timedelta(minutes=15 * ((offset + i) // len(doctors) + 1)),
            )
            for i, p in enumerate(patients[:limit])
        ],
        batch_size=BATCH,
    )


def _audit_history(count: int) -> None:
    """Sealed audit rows, as a clinic that has run for a while has (the audit log is a big table
    too: the pages append to it and seal what they appended)."""
    from audit.models import AuditLog
    from audit.services import audit_seal

    AuditLog.objects.bulk_create(
        [AuditLog(action=AuditLog.Action.READ, actor_username="hot", what="history") for _ in range(count)],
        batch_size=BATCH,
    )
    audit_seal()


def build_clinic(
    *,
    patients: int,
    visits: int = 2,
    frequent_visits: int = 5,
    today: int = 30,
    audit_rows: int = 0,
    clinic: Clinic | None = None,
) -> Clinic:
    """Adds `patients` patients with `visits` past visits each, `frequent_visits` more visits
    of the frequent patient, `today` appointments today, then rebuilds the summaries. Called
    again with the returned Clinic, it grows the same clinic."""
    if clinic is None:
        doctors, services = _staff(3)
        frequent, serial, frequent_so_far = _patients(0, 1)[0], 1, 0
    else:
        doctors, services, serial = clinic.doctors, clinic.services, clinic.serial
        frequent, frequent_so_far = clinic.frequent, clinic.frequent_visits
    new = _patients(serial, patients)
    _complete(
        _visits(new, doctors, per_patient=visits, offset=serial)
        + _frequent_visits(frequent, doctors[0], range(frequent_so_far + 1, frequent_so_far + frequent_visits + 1)),
        services,
    )
    _today(new, doctors, serial, max(0, min(today, 90 * len(doctors) - serial)))
    _audit_history(audit_rows)
    rebuild_all()
    if clinic is not None:
        clinic.serial += patients
        clinic.frequent_visits += frequent_visits
        return clinic
    latest = Appointment.objects.filter(patient=frequent).latest("appointment_date")
    return Clinic(
        doctors=doctors,
        services=services,
        frequent=frequent,
        latest_visit=latest,
        bill=Billing.objects.get(appointment=latest),
        serial=serial + patients,
        frequent_visits=frequent_visits,
    )


@dataclass
class Page:
    name: str
    role: str  # "admin" or "receptionist"
    url: str
    method: str = "get"  # or "post", or "search": the live search as htmx POSTs it (core/search_tokens.py)
    params: dict | None = None


def hot_pages(clinic: Clinic, *, booking_minute: int = 0) -> list[Page]:
    """The pages issue 6 names, on the given clinic. `booking_minute` moves the booked slot so
    that a second booking is not refused as a double booking."""
    frequent = clinic.frequent
    when = timezone.localdate() + datetime.timedelta(days=2)
    slot = datetime.time(20 + booking_minute // 60, booking_minute % 60)
    return [
        Page("search by name", "receptionist", reverse("patients:search"), "search", {"q": "Siti"}),
        Page("search by NIK", "receptionist", reverse("patients:search"), "search", {"q": frequent.nik}),
        Page("search by phone", "receptionist", reverse("patients:search"), "search", {"q": frequent.phone}),
        Page("booking's patient lookup", "receptionist", reverse("scheduling:patient_lookup"), "search", {"q": "Siti"}),
        Page("patient page", "receptionist", reverse("patients:detail", args=[frequent.pk])),
        Page("doctor's day", "receptionist", reverse("scheduling:day"), params={"doctor": clinic.doctors[0].pk}),
        Page("board", "receptionist", reverse("scheduling:board")),
        Page("bill", "receptionist", reverse("billing:detail", args=[clinic.bill.pk])),
        Page("unpaid bills", "receptionist", reverse("billing:unpaid")),
        Page("history (visit page)", "admin", reverse("records:visit", args=[clinic.latest_visit.pk])),
        Page("dashboard", "admin", reverse("dashboard")),
        Page("revenue per month", "admin", reverse("dashboard"), params={"period": "month"}),
        Page("revenue per year", "admin", reverse("dashboard"), params={"period": "year"}),
        Page(
            "booking",
            "receptionist",
            reverse("scheduling:book"),
            method="post",
            params={
                "patient": frequent.pk,
                "doctor": clinic.doctors[1].pk,
                "date": when.isoformat(),
                "time": slot.strftime("%H:%M"),
                "services": [clinic.services[0].pk],
                f"quantity_{clinic.services[0].pk}": "",
                "reason": "Kontrol",
            },
        ),
    ]


def fetch(client, page: Page):
    if page.method == "search":
        response = client.post(page.url, page.params or {}, HTTP_HX_REQUEST="true")
        assert response.status_code == 200, (page.name, response.status_code)
        return response
    response = getattr(client, page.method)(page.url, page.params or {})
    expected = 302 if page.method == "post" else 200
    assert response.status_code == expected, (page.name, response.status_code)
    return response


def _admin(label: str, view: str = "changelist", *args) -> str:
    app, model = label.split(".")
    return reverse(f"admin:{app}_{model}_{view}", args=args)


# The admin's lists of the big tables (issue 14) and the date field each one filters on.
ADMIN_BIG_LISTS = {
    "patients.patient": "created_at",
    "scheduling.appointment": "appointment_date",
    "scheduling.appointmentservice": None,
    "records.medicalrecord": "created_at",
    "records.labresult": "sampled_at",
    "billing.billing": "issued_at",
    "billing.payment": "paid_at",
    "billing.insurance": None,
    "audit.auditlog": "created_at",
}


def admin_pages(clinic: Clinic) -> list[Page]:
    """The Django admin's pages at a chain's scale (issue 14): every list of a big table, its
    date filter, the searches (a name, a NIK, a phone) and a change form of each big model."""
    frequent = clinic.frequent
    visit, bill = clinic.latest_visit, clinic.bill
    pages = []
    for label, date_field in ADMIN_BIG_LISTS.items():
        pages.append(Page(f"admin list {label}", "admin", _admin(label)))
        if date_field:
            # A month long ago: a range of the date's index that holds nothing here (a range
            # holding most of a small table is rightly read by a scan).
            month = {
                f"{date_field}__gte": "2001-01-01 00:00:00+07:00",
                f"{date_field}__lt": "2001-02-01 00:00:00+07:00",
            }
            pages.append(Page(f"admin list {label} one month", "admin", _admin(label), params=month))
    for label in ("scheduling.appointment", "billing.billing", "records.labresult", "billing.insurance"):
        pages.append(Page(f"admin search {label} by name", "admin", _admin(label), params={"q": "Siti"}))
    record = visit.medical_record
    return [
        *pages,
        Page("admin search patients by name", "admin", _admin("patients.patient"), params={"q": "Siti"}),
        Page("admin search patients by NIK", "admin", _admin("patients.patient"), params={"q": frequent.nik}),
        Page("admin search patients by phone", "admin", _admin("patients.patient"), params={"q": frequent.phone}),
        Page("admin search bills by number", "admin", _admin("billing.billing"), params={"q": bill.number}),
        Page(
            "admin filter appointments completed",
            "admin",
            _admin("scheduling.appointment"),
            params={"status": "completed"},
        ),
        Page("admin filter bills unpaid", "admin", _admin("billing.billing"), params={"status": "unpaid"}),
        Page("admin form patient", "admin", _admin("patients.patient", "change", frequent.pk)),
        Page("admin form appointment", "admin", _admin("scheduling.appointment", "change", visit.pk)),
        Page("admin form bill", "admin", _admin("billing.billing", "change", bill.pk)),
        Page("admin form medical record", "admin", _admin("records.medicalrecord", "change", record.pk)),
        Page("admin form lab result", "admin", _admin("records.labresult", "change", record.lab_results.first().pk)),
        Page("admin form payment", "admin", _admin("billing.payment", "change", Payment.objects.latest("pk").pk)),
        Page("admin form line", "admin", _admin("scheduling.appointmentservice", "change", visit.lines.first().pk)),
    ]
