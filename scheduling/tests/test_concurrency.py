"""Bookings and completions under real concurrent requests (issue 5).

Each test starts real threads, one database connection each, held at a barrier so they hit the
database together, and prints its figures. SQLite ignores row locks and serialises every write,
so these run on MariaDB and PostgreSQL (.ci/run runs the suite on both)."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from patients.models import Doctor, Patient
from patients.tests.factories import DoctorFactory, PatientFactory, WorkingHoursFactory
from scheduling import services
from scheduling.models import Appointment, Service
from scheduling.tests.factories import ServiceFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor == "sqlite",
        reason="SQLite serialises all writes; this runs on MariaDB and PostgreSQL in .ci/run",
    ),
]

MONDAY = datetime.date(2026, 12, 7)
THREADS = 20
DOT_COMMA = str.maketrans(",.", ".,")  # 385,000.50 → 385.000,50


def at(hour, minute=0, day=MONDAY):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def run_together(calls):
    """Runs each zero-argument callable in its own thread, all released at once by a barrier.

    Returns one ("ok", result) or ("error", exception) per callable, in order. Every thread
    closes its own database connection."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait(timeout=30)
            outcomes[index] = ("ok", call())
        except BaseException as error:  # noqa: BLE001 - every outcome is inspected by the test
            outcomes[index] = ("error", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung (lock wait?)"
    return outcomes


def booking(*, patient_pk, doctor_pk, start, service_pk):
    """A booking as a request would make it: its own fresh objects, read on its own connection."""

    def call():
        return services.appointment_book(
            patient=Patient.objects.get(pk=patient_pk),
            doctor=Doctor.objects.get(pk=doctor_pk),
            start=start,
            services=[Service.objects.get(pk=service_pk)],
            booked_by=None,
        )

    return call


def split(outcomes):
    """(appointments booked, refusal messages, other exceptions)."""
    booked = [value for kind, value in outcomes if kind == "ok"]
    refused = [value.messages for kind, value in outcomes if kind == "error" and isinstance(value, ValidationError)]
    other = [value for kind, value in outcomes if kind == "error" and not isinstance(value, ValidationError)]
    return booked, refused, other


def refusals(refused):
    """ "19 refused with the slot-taken message", plus any other message seen (there should be none)."""
    taken = [services.slot_taken_message()]
    same = sum(m == taken for m in refused)
    others = sorted({" ".join(m) for m in refused if m != taken})
    text = f"{same} refused with the slot-taken message"
    return text + (f", {len(refused) - same} with other messages {others}" if others else "")


def span(appointment):
    return f"{timezone.localtime(appointment.appointment_date):%H.%M}–{timezone.localtime(appointment.end_time):%H.%M}"


def assert_no_overlap(doctor):
    """The doctor's appointments that hold a slot, read back from the database, never overlap."""
    held = list(Appointment.objects.filter(doctor=doctor, slot_active=True).order_by("appointment_date"))
    for first, second in zip(held, held[1:], strict=False):
        assert first.end_time <= second.appointment_date, f"overlap: {first.pk} and {second.pk}"
    return held


@pytest.fixture
def doctor():
    doctor = DoctorFactory()
    WorkingHoursFactory(
        doctor=doctor, weekday=MONDAY.weekday(), start_time=datetime.time(8), end_time=datetime.time(16)
    )
    return doctor


@pytest.fixture
def patients():
    return PatientFactory.create_batch(THREADS)


class TestNoDoubleBooking:
    def test_it_books_a_contested_slot_exactly_once_per_round(self, doctor, patients, figures):  # noqa: F811
        consult = ServiceFactory(duration_minutes=15)
        taken = services.slot_taken_message()
        for round_number in range(5):
            start = at(9) + datetime.timedelta(minutes=15 * round_number)
            outcomes = run_together(
                [
                    booking(patient_pk=patient.pk, doctor_pk=doctor.pk, start=start, service_pk=consult.pk)
                    for patient in patients
                ]
            )
            booked, refused, other = split(outcomes)
            figures(
                f"round {round_number + 1} ({timezone.localtime(start):%H.%M}): {len(outcomes)} attempts, "
                f"{len(booked)} booked, {refusals(refused)}, {len(other)} errors"
            )
            assert other == []
            assert len(booked) == 1
            assert refused == [[taken]] * (THREADS - 1)
            assert Appointment.objects.filter(doctor=doctor, appointment_date=start).count() == 1
        assert len(assert_no_overlap(doctor)) == 5

    def test_it_never_lets_bookings_of_different_lengths_overlap(self, doctor, patients, figures):  # noqa: F811
        lengths = [ServiceFactory(duration_minutes=minutes) for minutes in (15, 30, 45)]
        taken = services.slot_taken_message()
        for round_number, hour in enumerate((9, 11, 13)):
            starts = [at(hour), at(hour, 15), at(hour, 30)]
            # Thread i: length i % 3 from start (i // 3) % 3 — every pair of length and start.
            calls = [
                booking(
                    patient_pk=patient.pk, doctor_pk=doctor.pk, start=starts[(i // 3) % 3], service_pk=lengths[i % 3].pk
                )
                for i, patient in enumerate(patients)
            ]
            outcomes = run_together(calls)
            booked, refused, other = split(outcomes)
            held = [a for a in assert_no_overlap(doctor) if timezone.localtime(a.appointment_date).hour == hour]
            figures(
                f"round {round_number + 1} ({hour:02d}.00–{hour:02d}.30 starts, 15/30/45 min): "
                f"{len(outcomes)} attempts, {len(booked)} booked "
                f"[{', '.join(span(a) for a in held)}], "
                f"{refusals(refused)}, {len(other)} errors; no overlap in the database"
            )
            assert other == []
            assert booked, "somebody must get a slot"
            assert refused == [[taken]] * (THREADS - len(booked))
            assert sorted(a.pk for a in booked) == sorted(a.pk for a in held)

    def test_it_frees_a_cancelled_slot_for_exactly_one_new_booking(self, doctor, patients, figures):  # noqa: F811
        consult = ServiceFactory(duration_minutes=30)
        start = at(10)
        holder = services.appointment_book(
            patient=PatientFactory(), doctor=doctor, start=start, services=[consult], booked_by=None
        )
        taken = services.slot_taken_message()
        for round_number in range(3):
            services.appointment_cancel(appointment=holder, by=None, reason="test")
            outcomes = run_together(
                [
                    booking(patient_pk=patient.pk, doctor_pk=doctor.pk, start=start, service_pk=consult.pk)
                    for patient in patients
                ]
            )
            booked, refused, other = split(outcomes)
            figures(
                f"cancel + rebook round {round_number + 1}: {len(outcomes)} attempts, {len(booked)} booked, "
                f"{refusals(refused)}, {len(other)} errors"
            )
            assert other == []
            assert len(booked) == 1
            assert refused == [[taken]] * (THREADS - 1)
            holder = booked[0]
        # The cancelled bookings stay in the history; one appointment holds the slot.
        at_start = Appointment.objects.filter(doctor=doctor, appointment_date=start)
        assert at_start.filter(status=Appointment.Status.CANCELLED).count() == 3
        assert at_start.filter(slot_active=True).get() == holder


class TestCheckInQueue:
    def test_it_gives_every_arrival_its_own_queue_number(self, doctor, patients, figures):  # noqa: F811
        day = MONDAY + datetime.timedelta(days=7)  # the next Monday: the doctor works 8.00–16.00
        appointments = [
            services.appointment_book(
                patient=patient,
                doctor=doctor,
                services=[ServiceFactory()],
                booked_by=None,
                start=at(8, day=day) + i * datetime.timedelta(minutes=15),
            )
            for i, patient in enumerate(patients)
        ]

        def check_in(pk):
            return lambda: services.appointment_check_in(appointment=Appointment.objects.get(pk=pk), by=None)

        outcomes = run_together([check_in(a.pk) for a in appointments])
        errors = [value for kind, value in outcomes if kind == "error"]
        numbers = sorted(Appointment.objects.filter(doctor=doctor).values_list("queue_number", flat=True))
        figures(
            f"{len(outcomes)} patients of one doctor checked in at once: {len(outcomes) - len(errors)} "
            f"checked in, {len(errors)} errors, queue numbers {numbers[0]}..{numbers[-1]}, "
            f"{len(set(numbers))} distinct"
        )
        assert errors == []
        assert numbers == list(range(1, THREADS + 1))
