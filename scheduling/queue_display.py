"""The waiting room's screen: which display a token opens, and what it shows (queue numbers only).

A display's page has no login: its token is its key. The token is compared in constant time with
every active display's, so the answer's timing tells nothing of how much of a guess was right.
The screen polls every few seconds; one poll reads three queries whatever the number of doctors
and appointments (the displays, their doctors, the day's numbers)."""

import hmac
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone

from core.clock import day_bounds
from patients.models import Doctor
from scheduling.models import Appointment, QueueDisplay

# How many of the waiting numbers each doctor's panel lists after the one being served.
NEXT_SHOWN = 4


def display_for_token(token: str) -> QueueDisplay:
    """The active display whose token this is; 404 for anything else (one query)."""
    given = token.encode()
    found = None
    for display in QueueDisplay.objects.filter(is_active=True).only("pk", "name", "token"):
        # Every display is compared, with no early exit: the time does not depend on the match.
        if hmac.compare_digest(display.token.encode(), given) and found is None:
            found = display
    if found is None:
        raise Http404
    return found


@dataclass(frozen=True, slots=True)
class DoctorPanel:
    doctor_name: str
    room: str
    called: int | None  # the number last called to the room
    next_numbers: list[int]  # checked in, not called yet, in order
    waiting: int


@dataclass(frozen=True, slots=True)
class Board:
    panels: list[DoctorPanel]
    # Changes whenever a number is called (or called again): the screen chimes on a change.
    call_stamp: str


def board_for(display: QueueDisplay) -> Board:
    """Each of the display's doctors (every active doctor when it names none) with today's last
    called number and the next ones waiting: two queries."""
    chosen = QueueDisplay.doctors.through.objects.filter(queuedisplay_id=display.pk)
    doctors = list(
        Doctor.objects.filter(is_active=True)
        .filter(Q(Exists(chosen.filter(doctor_id=OuterRef("pk")))) | ~Exists(chosen))
        .order_by("full_name", "id")
        .values_list("pk", "full_name", "room__name")
    )
    start, end = day_bounds(timezone.localdate())
    rows = Appointment.objects.filter(
        doctor_id__in=[pk for pk, _name, _room in doctors],
        appointment_date__gte=start,
        appointment_date__lt=end,
        queue_number__isnull=False,
        status__in=[
            Appointment.Status.CHECKED_IN,
            Appointment.Status.IN_CONSULTATION,
            Appointment.Status.COMPLETED,
        ],
    ).values_list("doctor_id", "queue_number", "status", "called_at", "call_count")
    last_called: dict[int, tuple] = {}
    waiting: dict[int, list[int]] = {}
    calls = 0
    latest = None
    for doctor_id, number, status, called_at, call_count in rows:
        calls += call_count
        if called_at is not None:
            latest = called_at if latest is None else max(latest, called_at)
            if doctor_id not in last_called or called_at > last_called[doctor_id][0]:
                last_called[doctor_id] = (called_at, number)
        elif status == Appointment.Status.CHECKED_IN:
            waiting.setdefault(doctor_id, []).append(number)
    panels = []
    for pk, name, room in doctors:
        numbers = sorted(waiting.get(pk, []))
        called = last_called.get(pk)
        panels.append(DoctorPanel(name, room or "", called[1] if called else None, numbers[:NEXT_SHOWN], len(numbers)))
    stamp = f"{calls}-{latest.timestamp() if latest else 0}"
    return Board(panels, stamp)
