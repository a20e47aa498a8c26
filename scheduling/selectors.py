import datetime

from django.db.models import QuerySet
from django.utils import timezone

from patients.models import Doctor, WorkingHours
from scheduling.models import Appointment


def appointment_overlapping(*, doctor: Doctor, start: datetime.datetime, end: datetime.datetime,
                            exclude_pk: int | None = None) -> QuerySet[Appointment]:
    """Appointments of the doctor that hold a slot and overlap [start, end)."""
    qs = Appointment.objects.filter(
        doctor=doctor, slot_active=True, appointment_date__lt=end, end_time__gt=start
    )
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs


def working_hours_cover(*, doctor: Doctor, start: datetime.datetime, end: datetime.datetime) -> bool:
    """True when [start, end) lies inside one of the doctor's weekly working blocks (clinic time)."""
    local_start = timezone.localtime(start)
    local_end = timezone.localtime(end)
    if local_start.date() != local_end.date() and local_end.time() != datetime.time(0, 0):
        return False
    end_time = local_end.time() if local_end.date() == local_start.date() else datetime.time(23, 59, 59)
    return WorkingHours.objects.filter(
        doctor=doctor, weekday=local_start.weekday(),
        start_time__lte=local_start.time(), end_time__gte=end_time,
    ).exists()
