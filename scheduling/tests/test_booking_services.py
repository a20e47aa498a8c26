"""Booking offers the services the chosen doctor gives (Service.doctors), refuses any other, and
shows the ticked services' total and length and the doctor's next free times (issue 17)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from patients.tests.factories import DoctorFactory, PatientFactory, WorkingHoursFactory
from scheduling import services
from scheduling.models import Appointment
from scheduling.selectors import service_active_list
from scheduling.tests.factories import AppointmentFactory, ServiceFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 12, 7)


def at(hour, minute=0, day=MONDAY):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


NOW = at(10, 7)


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def working_doctor(**kwargs):
    doctor = DoctorFactory(**kwargs)
    WorkingHoursFactory(doctor=doctor, weekday=0, start_time=datetime.time(8), end_time=datetime.time(12))
    return doctor


@pytest.fixture
def clinic():
    gp = working_doctor(full_name="dr. Andi Pratama", specialization="Dokter Umum")
    obgyn = working_doctor(full_name="dr. Ratna, Sp.OG", specialization="Spesialis Kandungan (Sp.OG)")
    consult = ServiceFactory(name="Konsultasi Dokter Umum", price=Decimal("75000"), duration_minutes=15)
    consult.doctors.add(gp)
    usg = ServiceFactory(name="USG Kandungan", price=Decimal("250000"), duration_minutes=20)
    usg.doctors.add(obgyn)
    lab = ServiceFactory(name="Cek Gula Darah", price=Decimal("30000"), duration_minutes=5)  # every doctor
    return {"gp": gp, "obgyn": obgyn, "consult": consult, "usg": usg, "lab": lab}


@pytest.fixture
def front_desk(client, receptionist):
    client.force_login(receptionist)
    return client


def names(services_):
    return sorted(s.name for s in services_)


def test_each_doctor_is_offered_their_own_services_and_the_unlinked_ones(clinic):
    assert names(service_active_list(doctor_id=clinic["gp"].pk)) == ["Cek Gula Darah", "Konsultasi Dokter Umum"]
    assert names(service_active_list(doctor_id=clinic["obgyn"].pk)) == ["Cek Gula Darah", "USG Kandungan"]
    assert len(service_active_list()) == 3  # no doctor chosen yet: the whole price list


def test_the_booking_page_lists_only_the_doctors_services(front_desk, clinic):
    response = front_desk.get(reverse("scheduling:book"), {"doctor": clinic["gp"].pk})
    html = response.content.decode()
    assert "Konsultasi Dokter Umum" in html and "Cek Gula Darah" in html
    assert "USG Kandungan" not in html


def test_the_doctor_change_swaps_in_that_doctors_services(front_desk, clinic):
    response = front_desk.get(
        reverse("scheduling:booking_options"),
        {"doctor": clinic["obgyn"].pk, "page": "book"},
        headers={"HX-Request": "true", "HX-Trigger-Name": "doctor"},
    )
    html = response.content.decode()
    assert 'id="booking-services"' in html and 'hx-swap-oob="true"' in html
    assert "USG Kandungan" in html and "Konsultasi Dokter Umum" not in html


def booking_data(clinic, doctor, *service_keys, **extra):
    return {
        "patient": PatientFactory().pk,
        "doctor": clinic[doctor].pk,
        "date": "07-12-2026",
        "time": "11.00",
        "services": [clinic[key].pk for key in service_keys],
        **extra,
    }


def test_booking_refuses_a_service_the_doctor_does_not_give(front_desk, clinic):
    response = front_desk.post(reverse("scheduling:book"), booking_data(clinic, "gp", "consult", "usg"))
    assert response.status_code == 200
    assert not Appointment.objects.exists()
    form = response.context["form"]
    # In the clinic's language, Indonesian by default.
    assert form.errors["services"] == [
        "dr. Andi Pratama tidak memberikan USG Kandungan. Pilih dokter lain atau layanan lain."
    ]


def test_a_walk_in_is_refused_a_service_the_doctor_does_not_give(front_desk, clinic):
    data = booking_data(clinic, "gp", "usg")
    response = front_desk.post(reverse("scheduling:walk_in"), data)
    assert response.status_code == 200
    assert "services" in response.context["form"].errors
    assert not Appointment.objects.exists()


def test_the_service_itself_refuses_on_every_path(clinic):
    """The admin and commands book through the same service: the rule holds there too."""
    with pytest.raises(ValidationError, match="tidak memberikan USG Kandungan"):
        services.appointment_book(
            patient=PatientFactory(), doctor=clinic["gp"], start=at(11), services=[clinic["usg"]], booked_by=None
        )
    with pytest.raises(ValidationError, match="tidak memberikan USG Kandungan"):
        services.appointment_book_walk_in(
            patient=PatientFactory(), doctor=clinic["gp"], services=[clinic["usg"]], booked_by=None
        )
    assert not Appointment.objects.exists()


def test_booking_a_doctors_own_and_unlinked_services_works(front_desk, clinic):
    response = front_desk.post(reverse("scheduling:book"), booking_data(clinic, "obgyn", "usg", "lab"))
    assert response.status_code == 302
    assert names(Appointment.objects.get().services.all()) == ["Cek Gula Darah", "USG Kandungan"]


def options(front_desk, clinic, **params):
    response = front_desk.get(
        reverse("scheduling:booking_options"),
        {"doctor": clinic["gp"].pk, "date": "07-12-2026", "page": "book", **params},
        headers={"HX-Request": "true", "HX-Trigger-Name": "services"},
    )
    assert response.status_code == 200
    return response


def test_the_partial_gives_the_running_total_and_length(front_desk, clinic):
    response = options(
        front_desk,
        clinic,
        services=[clinic["consult"].pk, clinic["lab"].pk],
        **{f"quantity_{clinic['lab'].pk}": "2"},
    )
    html = response.content.decode()
    assert "<html" not in html and "hx-swap-oob" not in html  # the summary only
    summary = response.context["summary"]
    assert summary["total"] == Decimal("135000")  # 75.000 + 2 × 30.000
    assert summary["minutes"] == 30  # 15 + 5 minutes, in whole slots
    assert 'id="booking-total">Rp 135.000<' in html


def test_a_service_of_another_doctor_does_not_count_in_the_total(front_desk, clinic):
    response = options(front_desk, clinic, services=[clinic["consult"].pk, clinic["usg"].pk])
    assert response.context["summary"]["total"] == Decimal("75000")


def test_the_partial_lists_the_doctors_next_free_times(front_desk, clinic):
    # 10.07 now: 10.00 has begun; the doctor is busy 10.30-11.00 and works until 12.00.
    AppointmentFactory(doctor=clinic["gp"], appointment_date=at(10, 30), end_time=at(11))
    response = options(front_desk, clinic, services=[clinic["consult"].pk])
    starts = [timezone.localtime(s).strftime("%H.%M") for s in response.context["summary"]["free_starts"]]
    assert starts == ["10.00", "10.15", "11.00", "11.15", "11.30", "11.45"]
    html = response.content.decode()
    assert 'data-slot-time="11.00"' in html and 'data-slot-date="07-12-2026"' in html
    # A 30-minute visit fits fewer places.
    response = options(
        front_desk, clinic, services=[clinic["consult"].pk, clinic["lab"].pk], **{f"quantity_{clinic['lab'].pk}": 1}
    )
    starts = [timezone.localtime(s).strftime("%H.%M") for s in response.context["summary"]["free_starts"]]
    assert starts == ["10.00", "11.00", "11.15", "11.30"]


def test_the_walk_in_partial_shows_no_free_times(front_desk, clinic):
    response = options(front_desk, clinic, page="walk_in", services=[clinic["consult"].pk])
    assert response.context["summary"]["free_starts"] is None
    assert "data-slot-time" not in response.content.decode()


def test_the_partial_is_for_the_front_desk_only(client, doctor_user, clinic):
    client.force_login(doctor_user)
    response = client.get(reverse("scheduling:booking_options"), {"doctor": clinic["gp"].pk})
    assert response.status_code == 403


def test_the_partial_survives_bad_input(front_desk, clinic):
    response = front_desk.get(
        reverse("scheduling:booking_options"),
        {"doctor": "x", "date": "31-02-2026", "services": ["y", "999999"], "quantity_1": "-4"},
    )
    assert response.status_code == 200
    assert response.context["summary"]["total"] == 0


def test_the_partial_runs_the_same_queries_for_1_or_20_services(front_desk, clinic, django_assert_num_queries):
    more = [ServiceFactory(price=Decimal("10000"), duration_minutes=5) for _ in range(19)]
    for service in more[:10]:
        service.doctors.add(clinic["gp"])
    for service in more[10:15]:
        service.doctors.add(clinic["obgyn"])  # ticked, but not counted: not the GP's
    url = reverse("scheduling:booking_options")
    front_desk.get(url)  # the session's first read
    params = {"doctor": clinic["gp"].pk, "date": "07-12-2026", "page": "book"}
    # user, the doctor, the services the doctor gives, every active service (the input's
    # choices), the working hours and the day's appointments (free times)
    with django_assert_num_queries(6):
        one = front_desk.get(url, {**params, "services": [clinic["consult"].pk]}, headers={"HX-Request": "true"})
    with django_assert_num_queries(6):
        many = front_desk.get(
            url,
            {**params, "services": [clinic["consult"].pk, *(s.pk for s in more)]},
            headers={"HX-Request": "true", "HX-Trigger-Name": "doctor"},
        )
    assert one.context["summary"]["total"] == Decimal("75000")
    # the consultation, the GP's ten and the four linked to no doctor
    assert many.context["summary"]["total"] == Decimal("75000") + 14 * Decimal("10000")
