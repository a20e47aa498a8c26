"""The clinic clock: its time zone, a day's bounds and the 15-minute slot.

The clinic's days are its own (settings.TIME_ZONE, Asia/Jakarta): a payment at 23:30 UTC belongs
to the next day in Jakarta. Appointments start on a slot boundary and last whole slots. Every
module that needs one of these asks here."""

import datetime
import math
from zoneinfo import ZoneInfo

from django.utils import timezone

SLOT_MINUTES = 15
SLOT = datetime.timedelta(minutes=SLOT_MINUTES)


def clinic_timezone() -> ZoneInfo:
    """The clinic's time zone (settings.TIME_ZONE)."""
    return timezone.get_default_timezone()


def local_day(moment: datetime.datetime) -> datetime.date:
    """The clinic's calendar day of an aware datetime, as TruncDate(tzinfo=clinic_timezone())
    gives it."""
    return moment.astimezone(clinic_timezone()).date()


def offset_isoformat(moment: datetime.datetime) -> str:
    """ISO 8601 to the second with the clinic's offset, 2026-12-05T09:30:00+07:00: how the
    national platform (SATUSEHAT's FHIR resources) wants every date-time."""
    return timezone.localtime(moment).isoformat(timespec="seconds")


def clinic_datetime(day: datetime.date, time: datetime.time) -> datetime.datetime:
    """`time` on `day` on the clinic's clock, aware."""
    return datetime.datetime.combine(day, time, tzinfo=clinic_timezone())


def day_start(day: datetime.date) -> datetime.datetime:
    """The clinic's midnight that starts `day`, aware."""
    return clinic_datetime(day, datetime.time.min)


def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The clinic's midnight that starts `day` and the one that ends it, both aware."""
    return day_start(day), day_start(day + datetime.timedelta(days=1))


def range_bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """[the clinic's midnight of start, the one after end): a range of days as aware datetimes."""
    return day_start(start), day_start(end + datetime.timedelta(days=1))


def slot_floor(moment: datetime.datetime) -> datetime.datetime:
    """The start of the slot `moment` falls in, in clinic time."""
    local = timezone.localtime(moment, clinic_timezone())
    return local.replace(minute=local.minute - local.minute % SLOT_MINUTES, second=0, microsecond=0)


def on_slot_boundary(moment: datetime.datetime | datetime.time) -> bool:
    """Whether `moment` starts a slot (08.00, 08.15, …): whole minutes on the slot's grid."""
    return not (moment.minute % SLOT_MINUTES or moment.second or moment.microsecond)


def whole_slots(minutes: int) -> datetime.timedelta:
    """`minutes` rounded up to whole slots; no minutes at all take one slot."""
    minutes = minutes or SLOT_MINUTES
    return datetime.timedelta(minutes=math.ceil(minutes / SLOT_MINUTES) * SLOT_MINUTES)
