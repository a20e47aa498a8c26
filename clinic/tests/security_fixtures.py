"""Builders shared by the access-control and XSS tests (issue 4): a small clinic in which every
URL that names an object has a real object the right role may open, and an object of another
doctor that the same role may not.

Appointments are written with the factories, each in the state its URL needs (a scheduled one
to check in or move, a checked-in one to start, one in consultation to write its record and lab
results, a completed one with its bill); the bill comes from the billing service, as in the
clinic."""

import datetime
from types import SimpleNamespace

from django.apps import apps
from django.utils import timezone

from audit.models import EmergencyAccess
from billing.services import bill_issue_for
from billing.tests.factories import InsuranceFactory, pay_token
from patients.tests.factories import PatientFactory, WorkingHoursFactory
from pharmacy.models import CompoundIngredient, Prescription, PrescriptionLine
from pharmacy.services import dispense, stock_receive
from pharmacy.tests.factories import DrugFactory, dispense_token
from records.tests.factories import LabResultFactory, MedicalRecordFactory
from scheduling.models import Appointment, QueueDisplay
from scheduling.tests.factories import AppointmentFactory, AppointmentServiceFactory, ServiceFactory

Status = Appointment.Status

# The project's own apps plus the two-step login's devices: what a request must not change.
PROJECT_APPS = {
    "accounts",
    "audit",
    "patients",
    "scheduling",
    "records",
    "billing",
    "pharmacy",
    "satusehat",
    "otp_totp",
    "otp_static",
}
# Appended to by design on refusals and reads (the audit log is append-only; its own tests check it).
AUDIT_MODELS = {"audit.auditlog", "audit.audithead"}


def today_at(hour: int, minute: int = 0, days: int = 0) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def future_weekday(days_ahead: int = 7) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days_ahead)


def visit(doctor, patient, start, status, service=None, **fields) -> Appointment:
    appointment = AppointmentFactory(
        doctor=doctor,
        patient=patient,
        appointment_date=start,
        end_time=start + datetime.timedelta(minutes=15),
        status=status,
        **fields,
    )
    AppointmentServiceFactory(appointment=appointment, service=service or ServiceFactory())
    return appointment


def build_clinic(*, doctor_user, other_doctor_user, **text) -> SimpleNamespace:
    """The clinic of the security tests. `text` overrides free-text fields (the XSS tests):
    patient_name, address, emergency_contact_name, insurance_provider, policy_number, reason, notes,
    complaint, allergies, diagnosis, treatment, prescription, record_notes, test_name, unit,
    service_name, drug_name, generic_name, batch_number, supplier, line_instructions, compound_name,
    display_name."""
    doctor, other = doctor_user.doctor_profile, other_doctor_user.doctor_profile
    # Every day of the week, all day: bookings, moves and walk-ins are inside working hours
    # (a walk-in in the last quarter hour before midnight would find no slot).
    for weekday in range(7):
        for someone in (doctor, other):
            WorkingHoursFactory(
                doctor=someone, weekday=weekday, start_time=datetime.time(0), end_time=datetime.time(23, 59)
            )
    service = ServiceFactory(**({"name": text["service_name"]} if "service_name" in text else {}))
    patient_fields = {
        k: text[v]
        for k, v in (
            ("full_name", "patient_name"),
            ("address", "address"),
            ("emergency_contact_name", "emergency_contact_name"),
        )
        if v in text
    }
    patient = PatientFactory(**patient_fields)
    outsider = PatientFactory()  # never seen by doctor_user: only other_doctor_user's patient
    visit_text = {k: text[k] for k in ("reason", "notes") if k in text}
    record_text = {
        k: text[k] for k in ("complaint", "allergies", "diagnosis", "treatment", "prescription") if k in text
    }
    if "record_notes" in text:
        record_text["notes"] = text["record_notes"]
    lab_text = {k: text[k] for k in ("test_name", "unit") if k in text}

    scheduled = visit(doctor, patient, today_at(10, days=3), Status.SCHEDULED, service, **visit_text)
    checked_in = visit(
        doctor,
        patient,
        today_at(9),
        Status.CHECKED_IN,
        service,
        queue_number=1,
        arrived_at=timezone.now(),
        **visit_text,
    )
    consult = visit(
        doctor,
        patient,
        today_at(9, 30),
        Status.IN_CONSULTATION,
        service,
        queue_number=2,
        arrived_at=timezone.now(),
        **visit_text,
    )
    record = MedicalRecordFactory(appointment=consult, **record_text)
    lab = LabResultFactory(medical_record=record, **lab_text)
    completed = visit(
        doctor, patient, today_at(8), Status.COMPLETED, service, queue_number=3, arrived_at=timezone.now(), **visit_text
    )
    MedicalRecordFactory(appointment=completed, **record_text)
    bill = bill_issue_for(appointment=completed)
    insurance = InsuranceFactory(
        patient=patient,
        valid_from=timezone.localdate() - datetime.timedelta(days=30),
        valid_until=None,
        **({"provider_name": text["insurance_provider"], "kind": "private"} if "insurance_provider" in text else {}),
        **({"policy_number": text["policy_number"]} if "policy_number" in text else {}),
    )

    # The other doctor's world: their patient, their visits, their record and lab, their bill.
    other_scheduled = visit(other, outsider, today_at(11, days=3), Status.SCHEDULED, service)
    other_checked_in = visit(
        other, outsider, today_at(9), Status.CHECKED_IN, service, queue_number=3, arrived_at=timezone.now()
    )
    other_consult = visit(
        other, outsider, today_at(9, 30), Status.IN_CONSULTATION, service, queue_number=1, arrived_at=timezone.now()
    )
    other_record = MedicalRecordFactory(appointment=other_consult)
    other_lab = LabResultFactory(medical_record=other_record)
    other_completed = visit(
        other, outsider, today_at(8), Status.COMPLETED, service, queue_number=2, arrived_at=timezone.now()
    )
    MedicalRecordFactory(appointment=other_completed)
    other_bill = bill_issue_for(appointment=other_completed)
    other_insurance = InsuranceFactory(patient=outsider, valid_from=timezone.localdate(), valid_until=None)

    pharmacy = build_pharmacy(doctor, other, completed, consult, other_completed, other_consult, text)

    # The waiting room's screen (public: its token is its key), showing every doctor.
    queue_display = QueueDisplay.objects.create(name=text.get("display_name", "Layar lobi"))

    return SimpleNamespace(
        **pharmacy,
        queue_display=queue_display,
        doctor=doctor,
        other_doctor=other,
        service=service,
        patient=patient,
        outsider=outsider,
        scheduled=scheduled,
        checked_in=checked_in,
        consult=consult,
        record=record,
        lab=lab,
        completed=completed,
        bill=bill,
        insurance=insurance,
        other_scheduled=other_scheduled,
        other_checked_in=other_checked_in,
        other_consult=other_consult,
        other_record=other_record,
        other_lab=other_lab,
        other_completed=other_completed,
        other_bill=other_bill,
        other_insurance=other_insurance,
    )


def write_prescription(appointment, status, drug, text, *, compound=False) -> Prescription:
    """A prescription written directly (the visit may already be completed), with a drug line
    and, if asked, a compound line of the same drug."""
    prescription = Prescription.objects.create(
        appointment=appointment,
        patient_id=appointment.patient_id,
        doctor_id=appointment.doctor_id,
        status=status,
        written_at=None if status == Prescription.Status.DRAFT else timezone.now(),
    )
    use = {"times_per_day": 3, "dose": "1 tablet", "timing": "after", "route": "oral", "duration_days": 3}
    PrescriptionLine.objects.create(
        prescription=prescription, drug=drug, quantity=10, instructions=text.get("line_instructions", ""), **use
    )
    if compound:
        line = PrescriptionLine.objects.create(
            prescription=prescription,
            compound_name=text.get("compound_name", "Puyer batuk"),
            compound_form="powder",
            quantity=6,
            **use,
        )
        CompoundIngredient.objects.create(line=line, drug=drug, quantity=3)
    return prescription


def build_pharmacy(doctor, other, completed, consult, other_completed, other_consult, text) -> dict:
    """The pharmacy of the security tests: a drug with a batch in stock; an open prescription of
    doctor's completed visit (a drug line partly dispensed, so its bill has a drug line, and a
    compound), a draft on the visit in consultation; the other doctor's alike."""
    drug = DrugFactory(
        name=text.get("drug_name", "Parasetamol Uji"), generic_name=text.get("generic_name", "parasetamol")
    )
    batch = stock_receive(
        drug=drug,
        batch_number=text.get("batch_number", "PCT-001"),
        expiry_date=timezone.localdate() + datetime.timedelta(days=200),
        quantity=100,
        purchase_price=300,
        supplier=text.get("supplier", "PT Uji Farma"),
        by=None,
    )
    prescription = write_prescription(completed, Prescription.Status.OPEN, drug, text, compound=True)
    first_line = prescription.lines.order_by("id").first()
    dispense(prescription=prescription, quantities={first_line.pk: 2}, by=None)
    draft = write_prescription(consult, Prescription.Status.DRAFT, drug, text)
    other_prescription = write_prescription(other_completed, Prescription.Status.OPEN, drug, text)
    other_draft = write_prescription(other_consult, Prescription.Status.DRAFT, drug, text)
    return {
        "drug": drug,
        "batch": batch,
        "prescription": prescription,
        "draft": draft,
        "draft_line": draft.lines.get(),
        "other_prescription": other_prescription,
        "other_draft": other_draft,
        "other_draft_line": other_draft.lines.get(),
    }


def open_emergency_access(
    *, doctor_user, patient, reason: str = "Pasien tidak sadar, riwayat alergi"
) -> EmergencyAccess:
    now = timezone.now()
    return EmergencyAccess.objects.create(
        doctor=doctor_user, patient=patient, reason=reason, created_at=now, expires_at=now + datetime.timedelta(hours=1)
    )


def project_models(*, include_audit: bool = False):
    for model in apps.get_models():
        label = f"{model._meta.app_label}.{model._meta.model_name}"
        if model._meta.app_label in PROJECT_APPS and (include_audit or label not in AUDIT_MODELS):
            yield label, model


def snapshot(*, include_audit: bool = False) -> dict:
    """Every row of every project model, as `values()` lists ordered by primary key."""
    return {
        label: list(model._default_manager.order_by("pk").values())
        for label, model in project_models(include_audit=include_audit)
    }


# --- Valid form posts ------------------------------------------------------------------------
# What a user of the right role sends to each form of the staff pages, built on build_clinic's
# world: the role matrix expects the redirect of a success, the IDOR tests add fields on top.


def _day(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def _now_local() -> str:
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


def patient_form(patient, **changes) -> dict:
    data = {
        "full_name": patient.full_name,
        "date_of_birth": patient.date_of_birth.isoformat(),
        "gender": patient.gender,
        "blood_type": patient.blood_type,
        "address": patient.address,
        "emergency_contact_name": patient.emergency_contact_name,
        "is_active": "on",
    }
    return {**data, **changes}


VALID_POSTS = {
    "patients:create": lambda w: {
        "full_name": "Siti Aminah",
        "date_of_birth": "1990-01-02",
        "gender": "F",
        "address": "Jl. Melati 1, Bandung",
        "confirmed_not_duplicate": "on",
    },
    "patients:edit": lambda w: patient_form(w.patient, address="Jl. Kenanga 2, Bandung"),
    "audit:emergency_access": lambda w: {"reason": "Pasien tidak sadar di IGD, perlu riwayat alergi"},
    "insurance:add": lambda w: {
        "kind": "private",
        "provider_name": "Asuransi Sehat",
        "policy_number": "AS-0001",
        "valid_from": _day(-1),
        "is_active": "on",
    },
    "insurance:edit": lambda w: {
        "kind": w.insurance.kind,
        "provider_name": w.insurance.provider_name,
        "policy_number": w.insurance.policy_number,
        "valid_from": _day(-10),
        "is_active": "on",
    },
    "scheduling:book": lambda w: {
        "patient": w.patient.pk,
        "doctor": w.doctor.pk,
        "date": _day(6),
        "time": "10:00",
        "services": [w.service.pk],
        "reason": "Kontrol",
    },
    "scheduling:walk_in": lambda w: {
        "patient": w.patient.pk,
        "doctor": w.doctor.pk,
        "services": [w.service.pk],
        "reason": "Demam",
    },
    "scheduling:reschedule": lambda w: {"date": _day(5), "time": "10:00"},
    "records:record": lambda w: {
        "complaint": "Batuk tiga hari",
        "diagnosis": "ISPA",
        "icd10_code": "J06.9",
        "systolic_bp": "120",
        "diastolic_bp": "80",
    },
    "records:lab_add": lambda w: {
        "test_name": "Glukosa puasa",
        "value": "90",
        "unit": "mg/dL",
        "reference_low": "70",
        "reference_high": "100",
        "sampled_at": _now_local(),
    },
    "records:lab_edit": lambda w: {
        "test_name": w.lab.test_name,
        "value": "14.1",
        "unit": w.lab.unit,
        "reference_low": "12",
        "reference_high": "16",
        "sampled_at": timezone.localtime(w.lab.sampled_at).strftime("%Y-%m-%dT%H:%M"),
    },
    "billing:pay": lambda w: {
        "amount": "50000",
        "method": "Cash",
        "reference": "Kasir 1",
        "submit_token": pay_token(w.bill),
    },
    "pharmacy:prescribe": lambda w: {
        "kind": "drug",
        "drug-drug": w.drug.name,
        "drug-times_per_day": "3",
        "drug-dose": "1 tablet",
        "drug-route": "oral",
        "drug-timing": "after",
        "drug-duration_days": "3",
        "drug-quantity": "9",
    },
    "pharmacy:prescription": lambda w: {
        **{f"line_{line.pk}": "1" if line.drug_id else "0" for line in w.prescription.lines.all() if line.remaining},
        "submit_token": dispense_token(w.prescription),
    },
    "pharmacy:receive": lambda w: {
        "drug": w.drug.pk,
        "batch_number": "NEW-01",
        "expiry_date": _day(400),
        "quantity": "50",
        "purchase_price": "450",
        "supplier": "PT Kimia Farma Trading",
    },
    "pharmacy:batch_count": lambda w: {"counted": "97", "reason": "Stock opname: 3 tablet rusak"},
    "pharmacy:batch_remove": lambda w: {"kind": "write_off", "quantity": "5", "reason": "Kemasan rusak"},
}
