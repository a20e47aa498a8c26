"""clinic.prepared.PreparedValues, and what runs on it: a doctor's day, the session read and the
signed-in user's read. On every database of the suite (.ci/run runs it on SQLite, MariaDB and
PostgreSQL), its rows must equal the ORM's for the same QuerySet."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import connection
from django.db.models import Q
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.backends import ClinicModelBackend
from accounts.models import User
from accounts.sessions import SessionStore
from accounts.tests.factories import UserFactory
from clinic import prepared
from clinic.prepared import PreparedValues
from patients.models import Doctor, WorkingHours
from patients.tests.factories import DoctorFactory, PatientFactory, WorkingHoursFactory
from scheduling import selectors
from scheduling.models import Appointment, Service
from scheduling.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 12, 7)


def at(hour, minute=0, day=MONDAY):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def day_query(doctor_id, start, end):
    return (Appointment.objects.filter(doctor_id=doctor_id, appointment_date__gte=start, appointment_date__lt=end)
            .order_by("appointment_date", "id")
            .values_list("pk", "appointment_date", "end_time", "status", "slot_active", "patient__full_name"))


@pytest.fixture
def day():
    doctor, other = DoctorFactory(), DoctorFactory()
    for start, minutes, status in ((at(8), 30, Appointment.Status.SCHEDULED),
                                   (at(9), 15, Appointment.Status.CANCELLED),
                                   (at(23, 45), 15, Appointment.Status.CHECKED_IN)):
        AppointmentFactory(doctor=doctor, appointment_date=start, end_time=start + datetime.timedelta(minutes=minutes),
                           status=status, patient=PatientFactory())
    AppointmentFactory(doctor=doctor, appointment_date=at(8, day=MONDAY + datetime.timedelta(days=1)),
                       end_time=at(8, 15, day=MONDAY + datetime.timedelta(days=1)))
    AppointmentFactory(doctor=other, appointment_date=at(10), end_time=at(10, 15))
    return doctor


def compiles(monkeypatch) -> list:
    """Every SQLCompiler.as_sql call from now on."""
    calls = []
    original = SQLCompiler.as_sql

    def counting(self, *args, **kwargs):
        calls.append(self.query.model)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", counting)
    return calls


def test_its_rows_are_the_orms_with_aware_datetimes(day):
    query = PreparedValues(day_query, doctor_id=int, start=datetime.datetime, end=datetime.datetime)
    start, end = selectors.day_bounds(MONDAY)
    rows = query(doctor_id=day.pk, start=start, end=end)
    assert rows == list(day_query(day.pk, start, end))
    assert len(rows) == 3
    assert all(timezone.is_aware(row[1]) and timezone.is_aware(row[2]) for row in rows)
    assert [row[4] for row in rows] == [True, None, True]  # booleans converted, NULL kept


def test_it_compiles_once_then_runs_one_query_per_call(day, monkeypatch):
    query = PreparedValues(day_query, doctor_id=int, start=datetime.datetime, end=datetime.datetime)
    start, end = selectors.day_bounds(MONDAY)
    query(doctor_id=day.pk, start=start, end=end)
    calls = compiles(monkeypatch)
    with CaptureQueriesContext(connection) as queries:
        for offset in range(3):
            later = start + datetime.timedelta(days=offset)
            assert query(doctor_id=day.pk, start=later, end=later + datetime.timedelta(days=1)) == list(
                day_query(day.pk, later, later + datetime.timedelta(days=1)))
    assert len(queries) == 6  # three prepared, three through the ORM for the comparison
    assert len(calls) == 3  # only the ORM's


def test_each_value_goes_to_its_own_place(day):
    """Two values of the same kind must not swap: an empty range when start and end swap."""
    query = PreparedValues(day_query, doctor_id=int, start=datetime.datetime, end=datetime.datetime)
    start, end = selectors.day_bounds(MONDAY)
    assert query(doctor_id=day.pk, start=end, end=start) == []
    assert len(query(doctor_id=day.pk, start=start, end=end)) == 3


def test_text_numbers_and_decimals_round_trip():
    Service.objects.create(code="PREP-1", name="Konsultasi", price=Decimal("150000.00"), duration_minutes=15)
    query = PreparedValues(lambda code, minutes: Service.objects.filter(code=code, duration_minutes=minutes)
                           .values_list("name", "price"), code=str, minutes=int)
    assert query(code="PREP-1", minutes=15) == [("Konsultasi", Decimal("150000.00"))]
    assert query(code="PREP-1", minutes=30) == []
    assert query(code="prep-1' OR '1'='1", minutes=15) == []  # a value, never SQL


@pytest.mark.parametrize("build", [
    lambda doctor_id: Doctor.objects.values_list("pk"),  # the value is not used
    lambda doctor_id: Doctor.objects.filter(Q(pk=doctor_id) | Q(user_id=doctor_id)).values_list("pk"),  # twice
], ids=["unused", "twice"])
def test_a_query_it_cannot_place_the_values_in_runs_through_the_orm(build, monkeypatch):
    doctors = [DoctorFactory(), DoctorFactory()]
    query = PreparedValues(build, doctor_id=int)
    query(doctor_id=doctors[0].pk)
    calls = compiles(monkeypatch)
    assert sorted(query(doctor_id=doctors[1].pk)) == sorted(build(doctors[1].pk))
    assert len(calls) >= 2  # compiled again on every call, as the ORM does


def test_it_reads_from_the_database_the_router_picks(day, monkeypatch):
    picked = []

    def db_for_read(model, **hints):
        picked.append(model)
        return "default"

    monkeypatch.setattr(prepared.router, "db_for_read", db_for_read)
    query = PreparedValues(day_query, doctor_id=int, start=datetime.datetime, end=datetime.datetime)
    alias, rows = query.fetch(doctor_id=day.pk, start=at(0), end=at(0) + datetime.timedelta(days=1))
    assert picked == [Appointment] and alias == "default" and len(rows) == 3


def test_it_refuses_wrong_values():
    with pytest.raises(TypeError):
        PreparedValues(lambda price: Service.objects.filter(price=price).values_list("pk"), price=Decimal)
    query = PreparedValues(lambda code: Service.objects.filter(code=code).values_list("pk"), code=str)
    with pytest.raises(TypeError):
        query(name="x")


# --- what runs on it ---------------------------------------------------------------------------


def test_the_working_blocks_are_the_orms(day):
    WorkingHoursFactory(doctor=day, weekday=0, start_time=datetime.time(13), end_time=datetime.time(17))
    WorkingHoursFactory(doctor=day, weekday=0, start_time=datetime.time(8), end_time=datetime.time(12))
    WorkingHoursFactory(doctor=day, weekday=1, start_time=datetime.time(8), end_time=datetime.time(9))
    expected = [(timezone.make_aware(datetime.datetime.combine(MONDAY, start)),
                 timezone.make_aware(datetime.datetime.combine(MONDAY, end)))
                for start, end in WorkingHours.objects.filter(doctor=day, weekday=0).order_by("start_time")
                .values_list("start_time", "end_time")]
    assert selectors.doctor_working_blocks(doctor=day, day=MONDAY) == expected
    assert [start.hour for start, _end in expected] == [8, 13]


def test_a_doctors_day_appointments_are_the_orms(day):
    rows = selectors.doctor_day_appointments(doctor=day, day=MONDAY)
    start, end = selectors.day_bounds(MONDAY)
    expected = Appointment.objects.filter(doctor=day, appointment_date__gte=start, appointment_date__lt=end) \
        .select_related("patient").order_by("appointment_date", "id")
    assert [(r.pk, r.start, r.end, r.status, r.patient_name, r.patient_mrn) for r in rows] == [
        (a.pk, a.appointment_date, a.end_time, a.status, a.patient.full_name, a.patient.medical_record_number)
        for a in expected]


def test_the_session_store_reads_a_live_session_and_no_expired_one():
    store = SessionStore()
    store["answer"] = 42
    store.create()
    assert SessionStore(store.session_key).load() == {"answer": 42}
    Session.objects.filter(pk=store.session_key).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    expired = SessionStore(store.session_key)
    assert expired.load() == {}
    assert expired.session_key is None  # as Django's store: a new key on the next save
    assert SessionStore("no-such-key-00000000000000000000").load() == {}


def test_a_signed_in_request_reads_its_session_through_it(client):
    user = UserFactory(role=User.Role.RECEPTIONIST)
    client.force_login(user)
    session = Session.objects.get(pk=client.cookies["sessionid"].value)
    assert str(session.get_decoded()[SESSION_KEY]) == str(user.pk)
    assert client.get("/patients/").status_code == 200


def test_the_backend_makes_the_user_and_the_profile_as_select_related_does():
    user = UserFactory(role=User.Role.DOCTOR, first_name="Ani")
    doctor = DoctorFactory(user=user, full_name="dr. Ani")
    loaded = ClinicModelBackend().get_user(str(user.pk))
    with CaptureQueriesContext(connection) as queries:
        assert loaded.doctor_profile == doctor
        assert loaded.doctor_profile.full_name == "dr. Ani"
        assert loaded.doctor_profile.user is loaded
    assert len(queries) == 0
    orm = User.objects.select_related("doctor_profile").get(pk=user.pk)
    for field in User._meta.concrete_fields:
        assert getattr(loaded, field.attname) == getattr(orm, field.attname), field.name
    for field in Doctor._meta.concrete_fields:
        assert getattr(loaded.doctor_profile, field.attname) == getattr(orm.doctor_profile, field.attname), field.name
    assert loaded._state.adding is False and loaded._state.db == "default"
    loaded.first_name = "Ana"
    loaded.save(update_fields=["first_name"])  # a normal instance: saves as an update
    assert User.objects.get(pk=user.pk).first_name == "Ana"


def test_the_backend_caches_no_profile_for_a_user_without_one():
    user = UserFactory(role=User.Role.RECEPTIONIST)
    loaded = ClinicModelBackend().get_user(user.pk)
    with CaptureQueriesContext(connection) as queries:
        assert getattr(loaded, "doctor_profile", None) is None
        with pytest.raises(Doctor.DoesNotExist):
            loaded.doctor_profile  # noqa: B018: the access is what is tested
    assert len(queries) == 0


@pytest.mark.parametrize("user_id", ["not-a-number", None, "999999999"])
def test_the_backend_finds_no_one_for_a_bad_or_unknown_id(user_id):
    assert ClinicModelBackend().get_user(user_id) is None


def test_the_backend_refuses_an_inactive_user():
    user = UserFactory(is_active=False)
    assert ClinicModelBackend().get_user(user.pk) is None
