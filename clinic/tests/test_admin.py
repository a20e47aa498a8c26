"""The Django admin: every registered model answers the demo admin, and only the admin."""

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from accounts.tests.factories import UserFactory
from billing.admin import ADMIN_PAYMENT_TOKEN_SCOPE
from billing.models import Billing, Payment
from billing.tests.factories import BillingFactory, InsuranceFactory, PaymentFactory
from core.forms import submit_token_new
from patients.models import Doctor, Patient, Room
from patients.tests.factories import DoctorFactory, PatientFactory, WorkingHoursFactory
from records.tests.factories import LabResultFactory
from scheduling.models import Appointment, QueueDisplay
from scheduling.services import slot_taken_message
from scheduling.tests.factories import AppointmentServiceFactory, ServiceFactory

# Admins read medical records and lab results but never write them:
# their add pages refuse even the admin.
READ_ONLY_FOR_ADMIN = {
    "records.medicalrecord",
    "records.labresult",
    "records.medicalrecordversion",
    "records.labresultversion",
    "audit.auditlog",
    "audit.emergencyaccess",
    # The stock: batches are received and counted on the stock pages, the ledger is append-only.
    "pharmacy.batch",
    "pharmacy.stockmove",
}


@pytest.fixture
def one_of_each(db):
    """One saved object of every registered model, keyed by "app.model"."""
    lab = LabResultFactory()
    record = lab.medical_record
    line = AppointmentServiceFactory()
    bill = BillingFactory(appointment=record.appointment, patient=record.patient)
    payment = PaymentFactory(billing=bill)
    Billing.objects.filter(pk=bill.pk).update(amount_paid=payment.amount, status=Billing.Status.PARTIALLY_PAID)
    return {
        "accounts.user": UserFactory(username="kasir_t"),
        "patients.patient": record.patient,
        "patients.doctor": record.doctor,
        "patients.workinghours": WorkingHoursFactory(doctor=record.doctor),
        "patients.room": Room.objects.create(name="Poli Umum", satusehat_location_id="loc-1"),
        "scheduling.service": line.service,
        "scheduling.appointment": line.appointment,
        "scheduling.appointmentservice": line,
        "scheduling.queuedisplay": QueueDisplay.objects.create(name="Layar lobi"),
        "records.medicalrecord": record,
        "records.labresult": lab,
        "billing.insurance": InsuranceFactory(patient=record.patient),
        "billing.billing": bill,
        "billing.payment": payment,
        **audit_objects(record, lab),
        **pharmacy_objects(),
    }


def pharmacy_objects() -> dict:
    from pharmacy.tests.factories import DrugFactory, stock

    drug = DrugFactory()
    batch = stock(drug, 10)
    return {"pharmacy.drug": drug, "pharmacy.batch": batch, "pharmacy.stockmove": batch.moves.get()}


def audit_objects(record, lab) -> dict:
    """The audit trail's read-only models (accounts and records, issue 4)."""
    from audit.models import AuditLog, EmergencyAccess
    from records.models import LabResultVersion, MedicalRecordVersion

    now = timezone.now()
    doctor = UserFactory(username="dokter_darurat_t", role="doctor")
    return {
        "audit.auditlog": AuditLog.objects.order_by("id").first(),
        "audit.emergencyaccess": EmergencyAccess.objects.create(
            doctor=doctor,
            patient=record.patient,
            reason="Pasien tidak sadar di IGD",
            created_at=now,
            expires_at=now + datetime.timedelta(hours=1),
        ),
        "records.medicalrecordversion": MedicalRecordVersion.objects.create(
            record=record, version=1, snapshot={"diagnosis": "lama"}, changed_at=now
        ),
        "records.labresultversion": LabResultVersion.objects.create(
            lab_result=lab, version=1, snapshot={"value": "1"}, changed_at=now
        ),
    }


def registered_models():
    return sorted(f"{m._meta.app_label}.{m._meta.model_name}" for m in admin.site._registry)


def test_it_registers_every_model_of_the_clinic():
    assert registered_models() == sorted(
        [
            "accounts.user",
            "patients.patient",
            "patients.doctor",
            "patients.workinghours",
            "patients.room",
            "scheduling.service",
            "scheduling.appointment",
            "scheduling.appointmentservice",
            "scheduling.queuedisplay",
            "records.medicalrecord",
            "records.labresult",
            "billing.insurance",
            "billing.billing",
            "billing.payment",
            "audit.auditlog",
            "audit.emergencyaccess",
            "records.medicalrecordversion",
            "records.labresultversion",
            "pharmacy.drug",
            "pharmacy.batch",
            "pharmacy.stockmove",
        ]
    )


@pytest.mark.parametrize("label", registered_models())
def test_it_serves_changelist_add_and_change_pages_to_the_admin(client, admin_user, one_of_each, label):
    client.force_login(admin_user)
    app, model = label.split(".")
    obj = one_of_each[label]

    assert client.get(reverse(f"admin:{app}_{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:{app}_{model}_change", args=[obj.pk])).status_code == 200
    add = client.get(reverse(f"admin:{app}_{model}_add"))
    assert add.status_code == (403 if label in READ_ONLY_FOR_ADMIN else 200)


@pytest.mark.parametrize("label", registered_models())
@pytest.mark.parametrize("role", ["receptionist", "doctor_user", "pharmacist", "inactive_user"])
def test_it_keeps_other_roles_out_of_the_admin(client, one_of_each, request, role, label):
    client.force_login(request.getfixturevalue(role))
    app, model = label.split(".")
    obj = one_of_each[label]
    for url in (
        reverse(f"admin:{app}_{model}_changelist"),
        reverse(f"admin:{app}_{model}_add"),
        reverse(f"admin:{app}_{model}_change", args=[obj.pk]),
    ):
        response = client.get(url)
        # The admin sends them to its login page, which refuses them.
        assert response.status_code in (302, 403), url
        if response.status_code == 302:
            assert reverse("admin:login") in response["Location"]


def test_it_refuses_the_admin_login_to_a_receptionist(client, receptionist):
    response = client.post(
        reverse("admin:login"), {"username": receptionist.username, "password": "Rahasia-Klinik-2026"}
    )
    assert response.status_code == 200  # the form again, with its message
    assert "_auth_user_id" not in client.session


def test_it_sends_anonymous_visitors_to_the_login_page(client, db):
    response = client.get(reverse("admin:patients_patient_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


@pytest.mark.parametrize("label", ["records.medicalrecord", "records.labresult", "billing.payment"])
def test_it_refuses_edits_of_clinical_and_ledger_rows_through_the_admin(client, admin_user, one_of_each, label):
    client.force_login(admin_user)
    app, model = label.split(".")
    obj = one_of_each[label]
    before = type(obj).objects.filter(pk=obj.pk).values().get()

    response = client.post(reverse(f"admin:{app}_{model}_change", args=[obj.pk]), {"notes": "diubah"})
    assert response.status_code == 403
    response = client.post(reverse(f"admin:{app}_{model}_delete", args=[obj.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert type(obj).objects.filter(pk=obj.pk).values().get() == before


class TestBookingThroughTheAdmin:
    @pytest.fixture
    def doctor(self, db):
        doctor = DoctorFactory()
        WorkingHoursFactory(doctor=doctor, weekday=0, start_time=datetime.time(8), end_time=datetime.time(12))
        return doctor

    def _post(self, client, patient, doctor, service, start):
        local = timezone.localtime(start)
        return client.post(
            reverse("admin:scheduling_appointment_add"),
            {
                "patient": patient.pk,
                "doctor": doctor.pk,
                "appointment_date_0": local.strftime("%d-%m-%Y"),
                "appointment_date_1": local.strftime("%H:%M:%S"),
                "booked_services": [service.pk],
                "reason": "Kontrol",
                "notes": "",
            },
        )

    def test_it_books_through_the_service_and_copies_the_price(self, client, admin_user, doctor):
        client.force_login(admin_user)
        patient, service = PatientFactory(), ServiceFactory(price=Decimal("175000"), duration_minutes=20)
        start = timezone.make_aware(datetime.datetime(2026, 12, 7, 9, 0))  # a Monday

        response = self._post(client, patient, doctor, service, start)

        assert response.status_code == 302, response.content.decode()[:2000]
        appointment = Appointment.objects.get(patient=patient)
        assert appointment.end_time == start + datetime.timedelta(minutes=30)  # two 15-minute slots
        assert appointment.booked_by == admin_user
        assert [(line.service, line.unit_price) for line in appointment.lines.all()] == [(service, Decimal("175000"))]

    def test_it_refuses_an_overlapping_booking_with_a_message(self, client, admin_user, doctor):
        client.force_login(admin_user)
        service = ServiceFactory(duration_minutes=30)
        start = timezone.make_aware(datetime.datetime(2026, 12, 7, 9, 0))
        assert self._post(client, PatientFactory(), doctor, service, start).status_code == 302

        response = self._post(client, PatientFactory(), doctor, service, start + datetime.timedelta(minutes=15))

        assert response.status_code == 200
        with translation.override("id"):
            assert escape(slot_taken_message()) in response.content.decode()
        assert Appointment.objects.count() == 1

    def test_it_refuses_a_booking_outside_working_hours(self, client, admin_user, doctor):
        client.force_login(admin_user)
        start = timezone.make_aware(datetime.datetime(2026, 12, 7, 13, 0))

        response = self._post(client, PatientFactory(), doctor, ServiceFactory(), start)

        assert response.status_code == 200
        assert Appointment.objects.count() == 0

    def test_it_refuses_a_forbidden_status_change(self, client, admin_user):
        client.force_login(admin_user)
        appointment = AppointmentServiceFactory(appointment__status=Appointment.Status.CANCELLED).appointment
        url = reverse("admin:scheduling_appointment_change", args=[appointment.pk])

        response = client.post(
            url,
            {
                "status": Appointment.Status.COMPLETED,
                "reason": "",
                "notes": "",
                "lines-TOTAL_FORMS": 0,
                "lines-INITIAL_FORMS": 0,
            },
        )

        assert response.status_code == 200
        appointment.refresh_from_db()
        assert appointment.status == Appointment.Status.CANCELLED

    def test_it_completes_through_the_service_creating_record_and_bill(self, client, admin_user):
        client.force_login(admin_user)
        line = AppointmentServiceFactory(
            appointment__status=Appointment.Status.IN_CONSULTATION, quantity=2, unit_price=Decimal("50000")
        )
        url = reverse("admin:scheduling_appointment_change", args=[line.appointment.pk])

        response = client.post(
            url,
            {
                "status": Appointment.Status.COMPLETED,
                "reason": "",
                "notes": "",
                "lines-TOTAL_FORMS": 1,
                "lines-INITIAL_FORMS": 1,
                "lines-0-id": line.pk,
                "lines-0-appointment": line.appointment.pk,
                "lines-0-service": line.service.pk,
                "lines-0-quantity": 2,
            },
        )

        assert response.status_code == 302, response.content.decode()[:3000]
        bill = Billing.objects.get(appointment=line.appointment)
        assert bill.total_amount == Decimal("100000")
        assert line.appointment.medical_record.patient == line.appointment.patient


def admin_token() -> str:
    return submit_token_new(ADMIN_PAYMENT_TOKEN_SCOPE)


class TestPaymentsThroughTheAdmin:
    def test_it_records_a_payment_and_updates_the_bill(self, client, admin_user):
        client.force_login(admin_user)
        bill = BillingFactory(total_amount=Decimal("300000"))

        response = client.post(
            reverse("admin:billing_payment_add"),
            {"billing": bill.pk, "amount": "100000", "method": "Cash", "reference": "", "submit_token": admin_token()},
        )

        assert response.status_code == 302
        bill.refresh_from_db()
        assert (bill.amount_paid, bill.status) == (Decimal("100000"), Billing.Status.PARTIALLY_PAID)

    def test_a_form_sent_twice_records_one_payment(self, client, admin_user):
        """The add form carries a one-time token (issue 14): a double click pays once."""
        client.force_login(admin_user)
        bill = BillingFactory(total_amount=Decimal("300000"))
        html = client.get(reverse("admin:billing_payment_add")).content.decode()
        token = re.search(r'name="submit_token" value="([^"]+)"', html)[1]
        data = {"billing": bill.pk, "amount": "100000", "method": "Cash", "reference": "", "submit_token": token}

        assert client.post(reverse("admin:billing_payment_add"), data).status_code == 302
        assert client.post(reverse("admin:billing_payment_add"), data).status_code == 302

        assert Payment.objects.filter(billing=bill).count() == 1
        bill.refresh_from_db()
        assert bill.amount_paid == Decimal("100000")

    def test_a_payment_without_its_token_is_refused(self, client, admin_user):
        client.force_login(admin_user)
        bill = BillingFactory(total_amount=Decimal("300000"))
        data = {"billing": bill.pk, "amount": "100000", "method": "Cash", "reference": ""}
        assert client.post(reverse("admin:billing_payment_add"), data).status_code == 200
        assert Payment.objects.count() == 0

    def test_it_refuses_more_than_is_owed(self, client, admin_user):
        client.force_login(admin_user)
        bill = BillingFactory(total_amount=Decimal("300000"))

        response = client.post(
            reverse("admin:billing_payment_add"),
            {"billing": bill.pk, "amount": "300001", "method": "Cash", "reference": "", "submit_token": admin_token()},
        )

        assert response.status_code == 200
        assert Payment.objects.count() == 0
        bill.refresh_from_db()
        assert bill.status == Billing.Status.UNPAID


class TestDeletingWithHistory:
    """Clinical and financial history is never cascaded away (PROTECT everywhere)."""

    @pytest.mark.parametrize("label", ["patients.patient", "patients.doctor", "scheduling.service"])
    def test_it_refuses_to_delete_through_the_admin_and_deletes_nothing(self, client, admin_user, one_of_each, label):
        client.force_login(admin_user)
        app, model = label.split(".")
        obj = one_of_each[label]
        counts = {m: m.objects.count() for m in (Patient, Doctor, Appointment, Billing, Payment)}

        response = client.post(reverse(f"admin:{app}_{model}_delete", args=[obj.pk]), {"post": "yes"})

        if label in ("patients.patient", "patients.doctor"):
            # People are deactivated, never deleted: the admin has no delete for them at all.
            assert response.status_code == 403
        else:
            assert response.status_code == 200
            assert (
                "Cannot delete" in response.content.decode()
                or "Tidak bisa menghapus" in response.content.decode()
                or "tidak dapat" in response.content.decode().lower()
            )
        assert type(obj).objects.filter(pk=obj.pk).exists()
        assert {m: m.objects.count() for m in counts} == counts
