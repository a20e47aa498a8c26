import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from billing.models import Insurance
from billing.tests.factories import BillingFactory, InsuranceFactory
from patients.tests.test_views import form_data
from scheduling.models import Appointment
from scheduling.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


def insurance_data(**overrides):
    return {
        "kind": "bpjs",
        "provider_name": "",
        "policy_number": "0001234567890",
        "valid_from": "2026-01-01",
        "valid_until": "2026-12-31",
        "is_active": "on",
        **overrides,
    }


@pytest.fixture
def patient_in_care(patient, doctor_user):
    AppointmentFactory(patient=patient, doctor=doctor_user.doctor_profile)
    return patient


# ---------------------------------------------------------------- access, for every page


def all_urls(patient):
    insurance = InsuranceFactory(patient=patient)
    return [
        reverse("patients:search"),
        reverse("patients:create"),
        reverse("patients:detail", args=[patient.pk]),
        reverse("patients:edit", args=[patient.pk]),
        reverse("insurance:add", args=[patient.pk]),
        reverse("insurance:edit", args=[insurance.pk]),
    ]


def test_it_sends_anonymous_visitors_to_login_from_every_page(client, patient):
    for url in all_urls(patient):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url


def test_it_forbids_doctors_the_front_desk_pages(client, patient_in_care, doctor_user):
    client.force_login(doctor_user)
    detail = reverse("patients:detail", args=[patient_in_care.pk])
    for url in all_urls(patient_in_care):
        if url != detail:
            assert client.get(url).status_code == 403, url
            assert client.post(url, form_data()).status_code == 403, url


@pytest.mark.parametrize("role", ["admin_user", "receptionist"])
def test_it_shows_the_patient_page_to_the_front_desk(client, request, role, patient):
    InsuranceFactory(patient=patient, policy_number="0009990001")
    appointment = AppointmentFactory(patient=patient, status=Appointment.Status.COMPLETED, reason="Demam")
    bill = BillingFactory(appointment=appointment, total_amount=Decimal("150000"))
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse("patients:detail", args=[patient.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    for text in (
        "Budi Santoso",
        patient.medical_record_number,
        "3273010101800001",
        "17-05-1980",
        "0009990001",
        appointment.doctor.full_name,
        "Demam",
        "status-completed",
        bill.number,
        "Rp 150.000",
        reverse("patients:edit", args=[patient.pk]),
        reverse("insurance:add", args=[patient.pk]),
    ):
        assert text in page, text
    assert response.context["bills"] == [bill]


def test_it_links_the_bill_and_the_booking_page(client, receptionist, patient):
    bill = BillingFactory(appointment__patient=patient)
    client.force_login(receptionist)
    page = client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    assert reverse("billing:detail", args=[bill.pk]) in page
    assert f"{reverse('scheduling:book')}?patient={patient.pk}" in page


def test_it_lists_appointments_newest_first(client, receptionist, patient):
    older = AppointmentFactory(patient=patient)
    newer = AppointmentFactory(patient=patient)
    assert newer.appointment_date > older.appointment_date
    client.force_login(receptionist)
    response = client.get(reverse("patients:detail", args=[patient.pk]))
    assert response.context["appointments"] == [newer, older]


def test_it_shows_a_doctor_a_patient_in_their_care_without_edit_buttons_or_bills(client, doctor_user, patient_in_care):
    BillingFactory(appointment__patient=patient_in_care, number="INV-RAHASIA")
    InsuranceFactory(patient=patient_in_care)
    client.force_login(doctor_user)
    response = client.get(reverse("patients:detail", args=[patient_in_care.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Budi Santoso" in page
    assert reverse("patients:edit", args=[patient_in_care.pk]) not in page
    assert reverse("insurance:add", args=[patient_in_care.pk]) not in page
    assert "INV-RAHASIA" not in page
    assert response.context["bills"] is None


def test_it_hides_a_patient_outside_a_doctors_care(client, other_doctor_user, patient_in_care):
    client.force_login(other_doctor_user)
    assert client.get(reverse("patients:detail", args=[patient_in_care.pk])).status_code == 404


def test_it_shows_the_patient_page_with_the_same_number_of_queries_for_1_or_50_rows(
    client, receptionist, patient, django_assert_num_queries
):
    BillingFactory(appointment__patient=patient)
    InsuranceFactory(patient=patient)
    client.force_login(receptionist)
    url = reverse("patients:detail", args=[patient.pk])
    # user (the session is a cache hit), patient, audit row, insurance policies, appointments with their
    # doctors, bills
    with django_assert_num_queries(6):
        client.get(url)
    for _ in range(49):
        BillingFactory(appointment__patient=patient)
        AppointmentFactory(patient=patient)
    with django_assert_num_queries(6):
        response = client.get(url)
    # The latest 50 of the 99 appointments (issue 6: a patient's thousandth visit costs nothing more).
    assert len(response.context["appointments"]) == 50 and response.context["more_appointments"]
    assert len(response.context["bills"]) == 50 and not response.context["more_bills"]


def test_it_shows_a_doctor_the_patient_page_with_a_constant_number_of_queries(
    client, doctor_user, patient_in_care, django_assert_num_queries
):
    client.force_login(doctor_user)
    url = reverse("patients:detail", args=[patient_in_care.pk])
    # user (the session is a cache hit), patient in care, audit row, insurance policies, appointments
    # with their doctors
    with django_assert_num_queries(5):
        client.get(url)
    for _ in range(49):
        AppointmentFactory(patient=patient_in_care, doctor=doctor_user.doctor_profile)
    with django_assert_num_queries(5):
        client.get(url)


@pytest.mark.parametrize("role", ["admin_user", "receptionist"])
def test_it_adds_a_bpjs_policy_with_the_provider_filled_in(client, request, role, patient):
    client.force_login(request.getfixturevalue(role))
    url = reverse("insurance:add", args=[patient.pk])
    form = client.get(url).context["form"]
    assert form["provider_name"].value() == "BPJS Kesehatan"
    response = client.post(url, insurance_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("patients:detail", args=[patient.pk])
    insurance = Insurance.objects.get()
    assert (insurance.patient, insurance.provider_name, insurance.valid_until) == (
        patient,
        "BPJS Kesehatan",
        datetime.date(2026, 12, 31),
    )


def test_it_adds_a_private_policy(client, receptionist, patient):
    client.force_login(receptionist)
    client.post(
        reverse("insurance:add", args=[patient.pk]),
        insurance_data(kind="private", provider_name="Prudential", valid_until=""),
    )
    insurance = Insurance.objects.get()
    assert (insurance.kind, insurance.provider_name, insurance.valid_until) == ("private", "Prudential", None)


@pytest.mark.parametrize(
    "overrides",
    [
        {"valid_until": "2025-12-31"},
        {"policy_number": ""},
        {"valid_from": ""},
        {"kind": "asuransi"},
        {"kind": "private", "provider_name": ""},
        {"valid_from": "31-31-2026"},
    ],
)
def test_it_shows_the_insurance_form_again_for_bad_input(client, receptionist, patient, overrides):
    client.force_login(receptionist)
    response = client.post(reverse("insurance:add", args=[patient.pk]), insurance_data(**overrides))
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Insurance.objects.exists()


def test_it_refuses_a_policy_number_already_registered_as_a_form_error(client, receptionist, patient):
    InsuranceFactory(provider_name="BPJS Kesehatan", policy_number="0001234567890")
    client.force_login(receptionist)
    response = client.post(reverse("insurance:add", args=[patient.pk]), insurance_data())
    assert response.status_code == 200
    assert response.context["form"].errors
    assert Insurance.objects.count() == 1


def test_it_edits_a_policy(client, receptionist, patient):
    insurance = InsuranceFactory(patient=patient)
    client.force_login(receptionist)
    url = reverse("insurance:edit", args=[insurance.pk])
    form = client.get(url).context["form"]
    assert form["valid_from"].value() == datetime.date(2026, 1, 1)
    assert 'value="01-01-2026"' in client.get(url).content.decode()  # dd-mm-yyyy text (core.forms)
    response = client.post(
        url, insurance_data(policy_number=insurance.policy_number, valid_until="2027-06-30", is_active="")
    )
    assert response.status_code == 302
    insurance.refresh_from_db()
    assert insurance.valid_until == datetime.date(2027, 6, 30)
    assert not insurance.is_active


def test_it_shows_the_policy_edit_form_again_for_an_end_before_the_start(client, receptionist, patient):
    insurance = InsuranceFactory(patient=patient)
    client.force_login(receptionist)
    response = client.post(
        reverse("insurance:edit", args=[insurance.pk]),
        insurance_data(policy_number=insurance.policy_number, valid_until="2025-01-01"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["valid_until"]
    insurance.refresh_from_db()
    assert insurance.valid_until == datetime.date(2026, 12, 31)
