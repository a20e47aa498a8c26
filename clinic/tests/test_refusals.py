"""One refusal behaviour (docs/architecture.md, "Who may see what"): 403 when the role may not
open the page, 404 for an object the user may not know exists — the same in every app."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import UserFactory
from billing.access import get_bill_for, get_insurance_for
from billing.tests.factories import BillingFactory, InsuranceFactory
from patients.access import get_patient_for
from patients.tests.factories import PatientFactory
from records.access import get_visit_for
from scheduling.access import get_appointment_for
from scheduling.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


def request_of(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


@pytest.mark.parametrize("name", ["scheduling:detail", "records:visit"])
def test_it_answers_404_for_another_doctors_appointment_in_every_app(client, doctor_user, other_doctor_user, name):
    appointment = AppointmentFactory(doctor=other_doctor_user.doctor_profile)
    client.force_login(doctor_user)
    assert client.get(reverse(name, args=[appointment.pk])).status_code == 404


@pytest.mark.parametrize("name", ["scheduling:detail", "records:visit"])
def test_it_answers_403_to_a_doctor_account_without_a_doctors_row_in_every_app(client, name):
    # Scheduling used to answer 404 here and records 403: the account may not act as a doctor.
    appointment = AppointmentFactory()
    client.force_login(UserFactory(role=User.Role.DOCTOR))
    assert client.get(reverse(name, args=[appointment.pk])).status_code == 403


@pytest.mark.parametrize(
    ("helper", "make"),
    [
        (get_bill_for, lambda: BillingFactory().pk),
        (get_insurance_for, lambda: InsuranceFactory().pk),  # was a 404 for a role without billing
    ],
)
def test_the_object_helpers_answer_403_to_a_role_without_the_page(doctor_user, helper, make):
    with pytest.raises(PermissionDenied):
        helper(request_of(doctor_user), make())


def test_the_visit_helper_refuses_the_receptionist_and_a_write_by_the_admin(receptionist, admin_user):
    appointment = AppointmentFactory()
    with pytest.raises(PermissionDenied):
        get_visit_for(request_of(receptionist), appointment.pk)
    with pytest.raises(PermissionDenied):
        get_visit_for(request_of(admin_user), appointment.pk, write=True)
    assert get_visit_for(request_of(admin_user), appointment.pk) == appointment


@pytest.mark.parametrize("helper", [get_patient_for, get_appointment_for, get_bill_for, get_insurance_for])
def test_the_object_helpers_answer_404_for_an_id_that_does_not_exist(receptionist, helper):
    with pytest.raises(Http404):
        helper(request_of(receptionist), 999999)


def test_the_patient_helper_gives_a_doctor_only_the_patients_in_their_care(doctor_user):
    cared_for = AppointmentFactory(doctor=doctor_user.doctor_profile).patient
    assert get_patient_for(request_of(doctor_user), cared_for.pk) == cared_for
    with pytest.raises(Http404):
        get_patient_for(request_of(doctor_user), PatientFactory().pk)
