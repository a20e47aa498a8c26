"""Completing a visit, across the apps it touches: scheduling completes the appointment and sends
`appointment_completed`; records writes the medical record and billing issues the bill (their
receivers). These tests read all three, so they live above them."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from billing.models import Billing
from records.models import MedicalRecord
from records.tests.factories import MedicalRecordFactory
from records.tests.test_views import S, assert_login_redirect, visit_of
from scheduling import services
from scheduling.tests.factories import AppointmentFactory, AppointmentServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def doctor_client(client, doctor_user):
    client.force_login(doctor_user)
    return client


class TestCompletion:
    def test_it_creates_one_record_and_one_bill_from_the_services(self):
        line = AppointmentServiceFactory(appointment__status="in_consultation", quantity=2, unit_price=Decimal("75000"))
        AppointmentServiceFactory(appointment=line.appointment, unit_price=Decimal("20000"))

        services.appointment_complete(appointment=line.appointment, by=None)

        record = MedicalRecord.objects.get(appointment=line.appointment)
        assert (record.patient, record.doctor) == (line.appointment.patient, line.appointment.doctor)
        bill = Billing.objects.get(appointment=line.appointment)
        assert (bill.total_amount, bill.amount_paid, bill.status) == (Decimal("170000"), 0, Billing.Status.UNPAID)

    def test_it_changes_nothing_when_completed_twice(self):
        line = AppointmentServiceFactory(appointment__status="in_consultation")
        services.appointment_complete(appointment=line.appointment, by=None)
        services.appointment_complete(appointment=line.appointment, by=None)
        assert MedicalRecord.objects.filter(appointment=line.appointment).count() == 1
        assert Billing.objects.filter(appointment=line.appointment).count() == 1

    def test_it_keeps_a_record_the_doctor_already_wrote(self):
        line = AppointmentServiceFactory(appointment__status="in_consultation")
        MedicalRecord.objects.create(
            appointment=line.appointment,
            patient=line.appointment.patient,
            doctor=line.appointment.doctor,
            diagnosis="Hipertensi",
            icd10_code="I10",
        )
        services.appointment_complete(appointment=line.appointment, by=None)
        assert MedicalRecord.objects.get(appointment=line.appointment).icd10_code == "I10"

    def test_it_refuses_to_complete_a_visit_that_has_not_started(self):
        appointment = AppointmentFactory(status="scheduled")
        with pytest.raises(ValidationError):
            services.appointment_complete(appointment=appointment, by=None)
        assert not MedicalRecord.objects.exists()
        assert not Billing.objects.exists()


class TestComplete:
    def url(self, appointment):
        return reverse("records:complete", args=[appointment.pk])

    def test_it_completes_with_one_record_and_one_bill(self, doctor_client, doctor_user):
        appointment = visit_of(doctor_user)
        AppointmentServiceFactory(appointment=appointment, unit_price=Decimal("150000"))
        response = doctor_client.post(self.url(appointment), follow=True)
        assert response.redirect_chain[-1][0] == reverse("records:queue")
        assert list(response.context["messages"])[0].level_tag == "success"
        appointment.refresh_from_db()
        assert appointment.status == S.COMPLETED
        assert MedicalRecord.objects.filter(appointment=appointment).count() == 1
        bill = Billing.objects.get(appointment=appointment)
        assert bill.total_amount == Decimal("150000")

    def test_it_keeps_the_record_already_written(self, doctor_client, doctor_user):
        appointment = visit_of(doctor_user)
        AppointmentServiceFactory(appointment=appointment)
        MedicalRecordFactory(appointment=appointment, diagnosis="Tertulis")
        doctor_client.post(self.url(appointment))
        assert MedicalRecord.objects.get().diagnosis == "Tertulis"

    def test_it_is_harmless_to_complete_twice(self, doctor_client, doctor_user):
        appointment = visit_of(doctor_user)
        AppointmentServiceFactory(appointment=appointment)
        doctor_client.post(self.url(appointment), follow=True)
        response = doctor_client.post(self.url(appointment), follow=True)
        assert response.status_code == 200
        assert list(response.context["messages"])[0].level_tag == "info"
        assert MedicalRecord.objects.count() == 1
        assert Billing.objects.count() == 1

    def test_it_issues_a_missing_bill_of_a_completed_visit_once(self, doctor_client, doctor_user):
        appointment = visit_of(doctor_user, S.COMPLETED)  # e.g. loaded from sample data without its bill
        AppointmentServiceFactory(appointment=appointment)
        doctor_client.post(self.url(appointment))
        doctor_client.post(self.url(appointment))
        assert Billing.objects.filter(appointment=appointment).count() == 1
        assert MedicalRecord.objects.filter(appointment=appointment).count() == 1

    def test_it_explains_when_the_consultation_has_not_started(self, doctor_client, doctor_user):
        appointment = visit_of(doctor_user, S.CHECKED_IN)
        AppointmentServiceFactory(appointment=appointment)
        response = doctor_client.post(self.url(appointment), follow=True)
        assert response.redirect_chain[-1][0] == reverse("records:visit", args=[appointment.pk])
        assert list(response.context["messages"])[0].level_tag == "error"
        assert not Billing.objects.exists()
        assert not MedicalRecord.objects.exists()

    def test_it_is_post_only(self, doctor_client, doctor_user):
        assert doctor_client.get(self.url(visit_of(doctor_user))).status_code == 405

    def test_it_hides_another_doctors_visit(self, client, doctor_user, other_doctor_user):
        appointment = visit_of(doctor_user)
        client.force_login(other_doctor_user)
        assert client.post(self.url(appointment)).status_code == 404
        assert not Billing.objects.exists()

    @pytest.mark.parametrize("role", ["receptionist", "admin_user"])
    def test_it_refuses_other_roles(self, client, request, doctor_user, role):
        appointment = visit_of(doctor_user)
        client.force_login(request.getfixturevalue(role))
        assert client.post(self.url(appointment)).status_code == 403
        assert not Billing.objects.exists()

    def test_it_sends_anonymous_visitors_to_login(self, client, doctor_user):
        assert_login_redirect(client.post(self.url(visit_of(doctor_user))))
