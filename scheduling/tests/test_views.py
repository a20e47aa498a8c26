import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext

from patients.tests.factories import DoctorFactory, PatientFactory, WorkingHoursFactory
from scheduling import services
from scheduling.models import Appointment
from scheduling.tests.factories import AppointmentFactory, AppointmentServiceFactory, ServiceFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 12, 7)


def at(hour, minute=0, day=MONDAY):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


NOW = at(10, 7)  # the clinic clock in these tests: Monday 07-12-2026 10.07


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.fixture
def doctor(doctor_user):
    doctor = doctor_user.doctor_profile
    WorkingHoursFactory(doctor=doctor, weekday=0, start_time=datetime.time(8), end_time=datetime.time(12))
    return doctor


@pytest.fixture
def other_doctor(other_doctor_user):
    doctor = other_doctor_user.doctor_profile
    WorkingHoursFactory(doctor=doctor, weekday=0, start_time=datetime.time(8), end_time=datetime.time(12))
    return doctor


@pytest.fixture
def consult():
    return ServiceFactory(name="Konsultasi Umum", price=Decimal("150000"), duration_minutes=15)


@pytest.fixture
def patient():
    return PatientFactory(full_name="Siti Rahmawati")


@pytest.fixture
def front_desk(client, receptionist):
    client.force_login(receptionist)
    return client


def appointment(doctor, start, **kwargs):
    kwargs.setdefault("end_time", start + datetime.timedelta(minutes=15))
    return AppointmentFactory(doctor=doctor, appointment_date=start, **kwargs)


def booking_data(patient, doctor, service, day="2026-12-07", time="11:00", **extra):
    return {
        "patient": patient.pk,
        "doctor": doctor.pk,
        "date": day,
        "time": time,
        "services": [service.pk],
        f"quantity_{service.pk}": "",
        "reason": "Demam",
        **extra,
    }


def page(response) -> str:
    return response.content.decode()


# --- Role gates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("scheduling:board", []),
        ("scheduling:book", []),
        ("scheduling:walk_in", []),
        ("scheduling:day", []),
        ("scheduling:patient_lookup", []),
        ("scheduling:detail", [1]),
        ("scheduling:reschedule", [1]),
    ],
)
def test_it_sends_anonymous_visitors_to_login(client, name, args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("name", ["scheduling:check_in", "scheduling:cancel", "scheduling:no_show"])
def test_it_sends_anonymous_posts_to_login_and_changes_nothing(client, doctor, name):
    booked = appointment(doctor, at(11))
    response = client.post(reverse(name, args=[booked.pk]))
    assert response.status_code == 302
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.SCHEDULED


@pytest.mark.parametrize(
    "name", ["scheduling:board", "scheduling:book", "scheduling:walk_in", "scheduling:patient_lookup"]
)
def test_it_forbids_front_desk_pages_to_a_doctor(client, doctor_user, name):
    client.force_login(doctor_user)
    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize(
    "name", ["scheduling:check_in", "scheduling:cancel", "scheduling:no_show", "scheduling:reschedule"]
)
def test_it_forbids_a_doctor_to_change_even_their_own_appointment(client, doctor_user, doctor, name):
    booked = appointment(doctor, at(11))
    client.force_login(doctor_user)
    assert client.post(reverse(name, args=[booked.pk])).status_code == 403
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.SCHEDULED


@pytest.mark.parametrize("name", ["scheduling:check_in", "scheduling:cancel", "scheduling:no_show"])
def test_it_answers_get_on_a_post_only_action_with_405(front_desk, doctor, name):
    booked = appointment(doctor, at(11))
    assert front_desk.get(reverse(name, args=[booked.pk])).status_code == 405


def test_it_lets_the_admin_use_the_board(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("scheduling:board")).status_code == 200


# --- Booking ---------------------------------------------------------------------------------


def test_it_prefills_the_booking_form_from_the_link(front_desk, doctor, patient, consult):
    response = front_desk.get(
        reverse("scheduling:book"), {"patient": patient.pk, "doctor": doctor.pk, "start": "2026-12-07T11:15"}
    )
    assert response.status_code == 200
    html = page(response)
    assert "Siti Rahmawati" in html
    assert f'name="patient" value="{patient.pk}"' in html
    assert 'value="07-12-2026"' in html  # dd-mm-yyyy whatever the browser (issue 17)
    assert 'value="11.15"' in html
    assert f'<option value="{doctor.pk}" selected>' in html
    assert "Konsultasi Umum" in html and "Rp 150.000" in html


def test_it_ignores_a_garbled_prefill(front_desk, doctor):
    response = front_desk.get(reverse("scheduling:book"), {"patient": "x", "doctor": "y", "start": "soon"})
    assert response.status_code == 200


def test_it_finds_patients_without_javascript(front_desk, doctor, patient):
    PatientFactory(full_name="Siti Nonaktif", is_active=False)
    sent = front_desk.post(
        reverse("scheduling:patient_lookup"),
        {"q": "siti", "page": "scheduling:book", "doctor": doctor.pk, "date": "2026-12-07"},
    )
    assert sent.status_code == 302 and "siti" not in sent.url and "?s=" in sent.url
    response = front_desk.get(sent.url)
    assert response.context["form"].initial["doctor"] == doctor.pk
    html = page(response)
    assert f'type="radio" name="patient" value="{patient.pk}"' in html
    assert "Siti Nonaktif" not in html
    assert 'form="appointment-form"' in html


def test_it_answers_the_htmx_patient_search_with_a_partial(front_desk, patient):
    response = front_desk.post(
        reverse("scheduling:patient_lookup"), {"q": patient.medical_record_number}, headers={"HX-Request": "true"}
    )
    html = page(response)
    assert response.status_code == 200
    assert "<html" not in html
    assert f'value="{patient.pk}"' in html


def test_it_books_and_redirects_to_the_appointment(front_desk, receptionist, doctor, patient, consult):
    lab = ServiceFactory(name="Cek Gula Darah", price=Decimal("35000"), duration_minutes=10)
    data = booking_data(patient, doctor, consult)
    data["services"] = [consult.pk, lab.pk]
    data[f"quantity_{lab.pk}"] = "2"
    response = front_desk.post(reverse("scheduling:book"), data)
    booked = Appointment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("scheduling:detail", args=[booked.pk])
    assert (booked.patient, booked.doctor, booked.appointment_date) == (patient, doctor, at(11))
    assert booked.booked_by == receptionist and booked.reason == "Demam"
    assert sorted((line.service.name, line.quantity) for line in booked.lines.all()) == [
        ("Cek Gula Darah", 2),
        ("Konsultasi Umum", 1),
    ]
    follow = front_desk.get(response["Location"])
    assert "Siti Rahmawati" in page(follow)
    assert [m.level_tag for m in follow.context["messages"]] == ["success"]


def test_it_says_the_slot_is_taken_and_saves_nothing(front_desk, doctor, patient, consult):
    appointment(doctor, at(11))
    response = front_desk.post(reverse("scheduling:book"), booking_data(patient, doctor, consult))
    assert response.status_code == 200
    assert escape(services.slot_taken_message()) in page(response)
    assert Appointment.objects.count() == 1


def test_it_refuses_a_time_outside_working_hours(front_desk, doctor, patient, consult):
    response = front_desk.post(reverse("scheduling:book"), booking_data(patient, doctor, consult, time="13:00"))
    assert response.status_code == 200
    message = gettext("The doctor does not work at that time. Choose a time inside the doctor's working hours.")
    assert escape(message) in page(response)
    assert not Appointment.objects.exists()


def test_it_refuses_an_inactive_patient(front_desk, doctor, consult):
    inactive = PatientFactory(is_active=False)
    response = front_desk.post(reverse("scheduling:book"), booking_data(inactive, doctor, consult))
    assert response.status_code == 200
    assert escape(gettext("This patient is no longer active.")) in page(response)
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(
    "change",
    [
        {"patient": ""},
        {"patient": "999999"},
        {"services": []},
        {"time": "10:10"},
        {"time": "jam sepuluh"},
        {"date": "2026-02-30"},
        {"date": "2026-12-07", "time": "09:00"},  # 09.00 has passed at 10.07
        {"doctor": "abc"},
        {"services": ["999999"]},
    ],
)
def test_it_shows_the_form_again_for_invalid_input(front_desk, doctor, patient, consult, change):
    data = {**booking_data(patient, doctor, consult), **change}
    response = front_desk.post(reverse("scheduling:book"), data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "alert-danger" in page(response)
    assert not Appointment.objects.exists()


# --- The appointment page and its actions ----------------------------------------------------


def test_it_shows_the_appointment_with_its_services_and_prices(front_desk, doctor, patient, consult):
    booked = appointment(doctor, at(11), patient=patient)
    AppointmentServiceFactory(appointment=booked, service=consult, quantity=2)
    response = front_desk.get(reverse("scheduling:detail", args=[booked.pk]))
    html = page(response)
    assert "Siti Rahmawati" in html and patient.medical_record_number in html
    assert doctor.full_name in html
    assert "07-12-2026" in html and "11.00" in html
    assert "Rp 150.000" in html and "Rp 300.000" in html
    assert reverse("scheduling:check_in", args=[booked.pk]) in html
    assert reverse("scheduling:reschedule", args=[booked.pk]) in html


def test_it_shows_a_doctor_their_own_appointment_without_front_desk_actions(client, doctor_user, doctor):
    booked = appointment(doctor, at(11))
    client.force_login(doctor_user)
    response = client.get(reverse("scheduling:detail", args=[booked.pk]))
    assert response.status_code == 200
    assert reverse("scheduling:check_in", args=[booked.pk]) not in page(response)


def test_it_hides_another_doctors_appointment(client, doctor_user, other_doctor):
    theirs = appointment(other_doctor, at(11))
    client.force_login(doctor_user)
    assert client.get(reverse("scheduling:detail", args=[theirs.pk])).status_code == 404


def test_it_answers_404_for_a_missing_appointment(front_desk):
    assert front_desk.get(reverse("scheduling:detail", args=[999999])).status_code == 404


def test_it_checks_in_with_a_queue_number_and_shows_it(front_desk, doctor):
    first = appointment(doctor, at(10, 30))
    second = appointment(doctor, at(11))
    front_desk.post(reverse("scheduling:check_in", args=[second.pk]))
    response = front_desk.post(reverse("scheduling:check_in", args=[first.pk]), {"next": reverse("scheduling:board")})
    assert response.status_code == 302
    assert response["Location"] == reverse("scheduling:board")
    first.refresh_from_db()
    assert (first.status, first.queue_number, first.arrived_at) == (Appointment.Status.CHECKED_IN, 2, NOW)
    board = page(front_desk.get(reverse("scheduling:board")))
    assert "<td>2</td>" in board and "<td>1</td>" in board
    assert "10.07" in board  # arrival time


def test_it_ignores_a_next_address_off_this_site(front_desk, doctor):
    booked = appointment(doctor, at(11))
    response = front_desk.post(reverse("scheduling:check_in", args=[booked.pk]), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("scheduling:detail", args=[booked.pk])


@pytest.mark.parametrize("name", ["scheduling:check_in", "scheduling:cancel", "scheduling:no_show"])
def test_it_explains_a_forbidden_transition_instead_of_failing(front_desk, doctor, name):
    done = appointment(doctor, at(9), status=Appointment.Status.COMPLETED)
    response = front_desk.post(reverse(name, args=[done.pk]), follow=True)
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    done.refresh_from_db()
    assert done.status == Appointment.Status.COMPLETED


def test_it_cancels_with_a_reason_and_frees_the_slot(front_desk, doctor, patient, consult):
    booked = appointment(doctor, at(11))
    response = front_desk.post(reverse("scheduling:cancel", args=[booked.pk]), {"reason": "Pasien sakit"})
    assert response.status_code == 302
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.CANCELLED and "Pasien sakit" in booked.notes
    front_desk.post(reverse("scheduling:book"), booking_data(patient, doctor, consult))
    assert Appointment.objects.filter(slot_active=True, appointment_date=at(11)).count() == 1


def test_it_marks_a_no_show(front_desk, doctor):
    booked = appointment(doctor, at(10))
    front_desk.post(reverse("scheduling:no_show", args=[booked.pk]))
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.NO_SHOW


def test_it_reschedules_a_scheduled_appointment(front_desk, doctor):
    booked = appointment(doctor, at(11))
    form = front_desk.get(reverse("scheduling:reschedule", args=[booked.pk]))
    assert 'value="11.00"' in page(form)
    response = front_desk.post(
        reverse("scheduling:reschedule", args=[booked.pk]), {"date": "2026-12-07", "time": "11:30"}
    )
    assert response.status_code == 302
    booked.refresh_from_db()
    assert (booked.appointment_date, booked.end_time) == (at(11, 30), at(11, 45))


def test_it_refuses_to_reschedule_into_a_taken_slot(front_desk, doctor):
    booked = appointment(doctor, at(11))
    appointment(doctor, at(11, 30))
    response = front_desk.post(
        reverse("scheduling:reschedule", args=[booked.pk]), {"date": "2026-12-07", "time": "11:30"}
    )
    assert response.status_code == 200
    assert escape(services.slot_taken_message()) in page(response)
    booked.refresh_from_db()
    assert booked.appointment_date == at(11)


def test_it_refuses_to_reschedule_a_checked_in_appointment(front_desk, doctor):
    booked = appointment(doctor, at(11), status=Appointment.Status.CHECKED_IN, queue_number=1)
    response = front_desk.post(
        reverse("scheduling:reschedule", args=[booked.pk]), {"date": "2026-12-07", "time": "11:30"}, follow=True
    )
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    booked.refresh_from_db()
    assert booked.appointment_date == at(11)


def test_it_shows_the_reschedule_form_again_for_a_bad_time(front_desk, doctor):
    booked = appointment(doctor, at(11))
    response = front_desk.post(reverse("scheduling:reschedule", args=[booked.pk]), {"date": "", "time": "11:20"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"date", "time"}


# --- Walk-in ---------------------------------------------------------------------------------


def test_it_checks_a_walk_in_into_the_current_slot(front_desk, doctor, patient, consult):
    response = front_desk.post(
        reverse("scheduling:walk_in"), {"patient": patient.pk, "doctor": doctor.pk, "services": [consult.pk]}
    )
    assert response.status_code == 302
    walk_in = Appointment.objects.get()
    assert walk_in.appointment_date == at(10)  # 10.07 rounded down to its slot
    assert (walk_in.status, walk_in.queue_number, walk_in.arrived_at) == (Appointment.Status.CHECKED_IN, 1, NOW)


def test_it_gives_a_walk_in_the_next_free_slot_when_now_is_taken(front_desk, doctor, patient, consult):
    appointment(doctor, at(10))
    appointment(doctor, at(10, 15))
    front_desk.post(
        reverse("scheduling:walk_in"), {"patient": patient.pk, "doctor": doctor.pk, "services": [consult.pk]}
    )
    assert Appointment.objects.get(patient=patient).appointment_date == at(10, 30)


def test_it_says_when_the_doctor_has_no_free_time_left_today(front_desk, doctor, patient, consult):
    for minute in range(0, 120, 15):
        appointment(doctor, at(10) + datetime.timedelta(minutes=minute))
    response = front_desk.post(
        reverse("scheduling:walk_in"), {"patient": patient.pk, "doctor": doctor.pk, "services": [consult.pk]}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Appointment.objects.filter(patient=patient).exists()


def test_it_shows_the_walk_in_form_again_without_a_patient(front_desk, doctor, consult):
    response = front_desk.post(reverse("scheduling:walk_in"), {"doctor": doctor.pk, "services": [consult.pk]})
    assert response.status_code == 200
    assert "patient" in response.context["form"].errors
    assert not Appointment.objects.exists()


# --- Today's board ---------------------------------------------------------------------------


def test_it_shows_todays_board_by_doctor_with_counts_and_waiting_time(front_desk, doctor, other_doctor, patient):
    appointment(doctor, at(11), patient=patient)
    appointment(other_doctor, at(9, 30), status=Appointment.Status.CHECKED_IN, queue_number=3, arrived_at=at(9, 45))
    appointment(doctor, at(11) + datetime.timedelta(days=1))  # tomorrow: not on the board
    response = front_desk.get(reverse("scheduling:board"))
    html = page(response)
    assert response.status_code == 200
    assert doctor.full_name in html and other_doctor.full_name in html
    assert "Siti Rahmawati" in html and patient.medical_record_number in html
    assert "badge status-checked_in" in html
    assert "22 menit" in html  # 10.07 − 09.45, in Indonesian (the default language)
    assert len(response.context["appointments"]) == 2
    counts = {item["status"]: item["count"] for item in response.context["counts"]}
    assert counts["scheduled"] == 1 and counts["checked_in"] == 1 and counts["completed"] == 0
    assert reverse("scheduling:walk_in") in html
    assert 'hx-trigger="every 30s"' in html


def test_it_filters_the_board_by_doctor_and_status(front_desk, doctor, other_doctor):
    mine = appointment(doctor, at(11))
    appointment(other_doctor, at(11))
    appointment(doctor, at(11, 30), status=Appointment.Status.CANCELLED)
    response = front_desk.get(reverse("scheduling:board"), {"doctor": doctor.pk, "status": "scheduled"})
    assert [row.pk for row in response.context["appointments"]] == [mine.pk]


def test_it_shows_the_board_a_page_of_doctors_at_a_time(front_desk):
    """A chain's hundred doctors are not one screen (issue 6): five doctors a page, by name."""
    doctors = [DoctorFactory(full_name=f"dr. Papan {i:02d}") for i in range(7)]
    for i, each in enumerate(doctors):
        appointment(each, at(9) + datetime.timedelta(minutes=15 * i))
    first = front_desk.get(reverse("scheduling:board"), {"status": "scheduled"})
    assert {a.doctor_id for a in first.context["appointments"]} == {d.pk for d in doctors[:5]}
    assert first.context["pages"]["next"] == "?status=scheduled&page=2"
    second = front_desk.get(reverse("scheduling:board") + first.context["pages"]["next"])
    assert {a.doctor_id for a in second.context["appointments"]} == {d.pk for d in doctors[5:]}
    assert second.context["pages"]["next"] is None and second.context["pages"]["previous"]
    assert sum(c["count"] for c in second.context["counts"]) == 7  # the day's counts stay whole
    assert front_desk.get(reverse("scheduling:board"), {"page": "x"}).context["pages"]["number"] == 1


def test_it_ignores_board_filters_off_the_allow_list(front_desk, doctor):
    appointment(doctor, at(11))
    response = front_desk.get(reverse("scheduling:board"), {"doctor": "1 OR 1=1", "status": "deleted"})
    assert response.status_code == 200
    assert len(response.context["appointments"]) == 1


def test_it_answers_the_board_refresh_with_the_body_only(front_desk, doctor):
    appointment(doctor, at(11))
    response = front_desk.get(reverse("scheduling:board"), headers={"HX-Request": "true"})
    html = page(response)
    assert "<html" not in html and 'id="board-body"' in html


def test_it_runs_the_same_queries_for_1_or_50_appointments_on_the_board(front_desk, django_assert_num_queries):
    doctors = DoctorFactory.create_batch(5)
    appointment(doctors[0], at(8))
    url = reverse("scheduling:board")
    front_desk.get(url)  # warm up: the session's first read
    # user (the session is a cache hit), the active doctors (the filter's options and the page of
    # doctors), the status counts, the appointments (with patient and doctor joined)
    with django_assert_num_queries(4):
        response = front_desk.get(url)
    assert len(response.context["appointments"]) == 1
    for n in range(1, 50):
        appointment(
            doctors[n % 5],
            at(8) + datetime.timedelta(minutes=15 * (n // 5)),
            status=Appointment.Status.CHECKED_IN,
            queue_number=n,
            arrived_at=at(8),
        )
    with django_assert_num_queries(4):
        response = front_desk.get(url)
    assert len(response.context["appointments"]) == 50


# --- A doctor's day --------------------------------------------------------------------------


def test_it_shows_a_doctors_day_in_15_minute_slots(front_desk, doctor, patient):
    appointment(doctor, at(11), patient=patient, end_time=at(11, 30))
    response = front_desk.get(reverse("scheduling:day"), {"doctor": doctor.pk, "date": "2026-12-07"})
    html = page(response)
    slots = response.context["slots"]
    assert len(slots) == 16  # 08.00–12.00
    taken = [s["start"] for s in slots if s["appointment"]]
    assert taken == [at(11), at(11, 15)]
    assert "Siti Rahmawati" in html and "badge status-scheduled" in html
    book = reverse("scheduling:book")
    assert f"{book}?doctor={doctor.pk}&amp;start=2026-12-07T11:30" in html
    assert "start=2026-12-07T09:00" not in html  # the past is not bookable
    assert "date=2026-12-06" in html and "date=2026-12-08" in html


def test_it_shows_a_doctor_their_own_day_whatever_doctor_is_asked(client, doctor_user, doctor, other_doctor):
    appointment(other_doctor, at(11), patient=PatientFactory(full_name="Pasien Dokter Lain"))
    client.force_login(doctor_user)
    response = client.get(reverse("scheduling:day"), {"doctor": other_doctor.pk, "date": "2026-12-07"})
    assert response.status_code == 200
    assert response.context["doctor"] == doctor
    assert "Pasien Dokter Lain" not in page(response)
    assert reverse("scheduling:book") + "?" not in page(response)


def test_it_forbids_the_day_view_to_a_doctor_account_without_a_doctor(client):
    from accounts.models import User
    from accounts.tests.factories import UserFactory

    client.force_login(UserFactory(role=User.Role.DOCTOR))
    assert client.get(reverse("scheduling:day")).status_code == 403


def test_it_falls_back_to_today_and_the_first_doctor_for_bad_filters(front_desk, doctor):
    response = front_desk.get(reverse("scheduling:day"), {"doctor": "x", "date": "kemarin"})
    assert response.status_code == 200
    assert response.context["day"] == MONDAY
    assert response.context["doctor"] == doctor


def test_it_says_when_the_doctor_does_not_work_that_day(front_desk, doctor):
    response = front_desk.get(reverse("scheduling:day"), {"doctor": doctor.pk, "date": "2026-12-08"})
    assert response.context["slots"] == []


def test_it_runs_the_same_queries_for_1_or_50_appointments_on_the_day(front_desk, doctor, django_assert_num_queries):
    WorkingHoursFactory(doctor=doctor, weekday=0, start_time=datetime.time(12), end_time=datetime.time(22))
    url = reverse("scheduling:day") + f"?doctor={doctor.pk}&date=2026-12-07"
    appointment(doctor, at(8))
    front_desk.get(url)
    # user (the session is a cache hit), the active doctors (the select and the chosen one), working
    # hours, the day's appointments (with patient joined)
    with django_assert_num_queries(4):
        front_desk.get(url)
    for n in range(1, 50):
        appointment(doctor, at(8) + datetime.timedelta(minutes=15 * n))
    with django_assert_num_queries(4):
        response = front_desk.get(url)
    assert sum(1 for s in response.context["slots"] if s["appointment"]) == 50
