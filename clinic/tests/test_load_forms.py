"""bench/load_forms.py reads the real pages the load test submits, as a browser would."""

from django.urls import reverse

from bench.load_forms import Forms, ids_in, with_values
from patients.tests.factories import DoctorFactory, PatientFactory
from scheduling.tests.factories import ServiceFactory


def test_it_finds_the_login_form_and_not_the_logout_form(client, receptionist):
    client.force_login(receptionist)
    board = Forms(client.get(reverse("scheduling:board")).content.decode())
    assert board.form_with("username") is None  # only the navigation's logout form is there

    client.logout()
    login = Forms(client.get(reverse("accounts:login")).content.decode()).form_with("username")
    assert [name for name, _value in login["fields"]] == ["csrfmiddlewaretoken", "next", "username", "password"]


def test_it_reads_the_booking_form_with_the_patient_chosen_above_it(client, receptionist):
    patient, doctor = PatientFactory(), DoctorFactory()
    services = [ServiceFactory(), ServiceFactory()]
    client.force_login(receptionist)
    url = f"{reverse('scheduling:book')}?doctor={doctor.pk}&start=2999-01-04T09:15&patient={patient.pk}"

    form = Forms(client.get(url).content.decode()).form_posting_to(r"/appointments/book/$")

    fields = dict(form["fields"])
    # The chosen patient's hidden input sits before the form and names it (form="appointment-form").
    assert fields["patient"] == str(patient.pk)
    assert (fields["doctor"], fields["date"], fields["time"]) == (
        str(doctor.pk),
        "04-01-2999",
        "09.15",
    )  # as the form shows them
    assert fields["csrfmiddlewaretoken"]
    assert sorted(form["choices"]["services"]) == sorted(str(s.pk) for s in services)
    assert "services" not in fields  # nothing is ticked until the load test ticks it


def test_it_replaces_values_and_repeats_a_list():
    form = {"fields": [("a", "1"), ("b", "2")]}
    assert with_values(form, b="3", services=[4, 5]) == [("a", "1"), ("b", "3"), ("services", "4"), ("services", "5")]


def test_it_takes_the_ids_out_of_links():
    assert ids_in(["/patients/12/", "/patients/12/edit/", "/patients/?q=x", "/patients/7/"], r"/patients/(\d+)/") == [
        12,
        7,
    ]
