"""Summary tables of the dashboard (issue 6), kept by clinic/summaries.py.

Each row holds one Jakarta day's figure, so the dashboard reads at most a few thousand rows
whatever the number of patients, bills and payments. They are derived data: rebuilt from the
raw tables by `manage.py rebuild_summaries`, never edited by hand."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from billing.models import PaymentMethod
from scheduling.models import Service

MONEY = {"max_digits": 18, "decimal_places": 2, "default": 0}


class RevenueDaily(models.Model):
    """Payments received per Jakarta day (of paid_at) and method."""

    day = models.DateField(_("day"))
    method = models.CharField(_("method"), max_length=20, choices=PaymentMethod.choices)
    amount = models.DecimalField(_("amount (Rp)"), **MONEY)
    payments = models.BigIntegerField(_("payments"), default=0)

    class Meta:
        db_table = "summary_revenue_daily"
        verbose_name = _("daily revenue")
        verbose_name_plural = _("daily revenue")
        constraints = [models.UniqueConstraint(fields=["day", "method"], name="summary_revenue_day_method")]
        # The dashboard's sums by day and by method read a range of days from this index alone;
        # through the unique key it fetched every row from the table as well, which cost more the
        # older the clinic (1.4 ms for a year at 1M patients against 0.9 at 10k, the same rows).
        indexes = [models.Index(fields=["day", "method", "amount", "payments"], name="summary_revenue_day_cover")]

    def __str__(self):
        return f"{self.day} {self.method}"


class BilledServiceDaily(models.Model):
    """Lines of the bills issued per Jakarta day (of issued_at), void bills left out, per service."""

    day = models.DateField(_("day"))
    # Its own index serves the foreign key; the figures are read through the covering
    # (day, service, sums) index below, without a join (clinic.selectors.billed_by_service).
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+", verbose_name=_("service"))
    amount = models.DecimalField(_("amount (Rp)"), **MONEY)
    quantity = models.BigIntegerField(_("quantity"), default=0)
    lines = models.BigIntegerField(_("lines"), default=0)

    class Meta:
        db_table = "summary_billed_service_daily"
        verbose_name = _("daily billed per service")
        verbose_name_plural = _("daily billed per service")
        constraints = [models.UniqueConstraint(fields=["day", "service"], name="summary_billed_day_service")]
        # A range of days with the sums' columns: a year's figures per service are read from
        # this index alone (8,000 entries at 1M patients), not by walking each service's every
        # day through a (service, day) index (143,000 entries: 26 ms).
        indexes = [models.Index(fields=["day", "service", "amount", "quantity", "lines"],
                                name="summary_billed_day_cover")]

    def __str__(self):
        return f"{self.day} {self.service_id}"


class OutstandingDaily(models.Model):
    """The balance of the unpaid and partially paid bills, per Jakarta day of issue."""

    day = models.DateField(_("day"), unique=True)
    amount = models.DecimalField(_("amount (Rp)"), **MONEY)
    bills = models.BigIntegerField(_("bills"), default=0)

    class Meta:
        db_table = "summary_outstanding_daily"
        verbose_name = _("daily outstanding balance")
        verbose_name_plural = _("daily outstanding balance")

    def __str__(self):
        return str(self.day)


class RegistrationDaily(models.Model):
    """Patients registered per Jakarta day (of created_at), and how many of them are active."""

    day = models.DateField(_("day"), unique=True)
    registered = models.BigIntegerField(_("registered"), default=0)
    active = models.BigIntegerField(_("active"), default=0)

    class Meta:
        db_table = "summary_registration_daily"
        verbose_name = _("daily registrations")
        verbose_name_plural = _("daily registrations")

    def __str__(self):
        return str(self.day)


class AppointmentDaily(models.Model):
    """Appointments per Jakarta day (of their start), doctor and status: a day's figures for the
    whole clinic (the board's counts, the dashboard's table by doctor) read its few hundred rows
    instead of counting its appointments (a chain's 1,800)."""

    day = models.DateField(_("day"))
    doctor = models.ForeignKey("patients.Doctor", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("doctor"))
    status = models.CharField(_("status"), max_length=20)
    appointments = models.BigIntegerField(_("appointments"), default=0)

    class Meta:
        db_table = "summary_appointment_daily"
        verbose_name = _("daily appointments")
        verbose_name_plural = _("daily appointments")
        # Also the index of a day's rows (its leading column); the doctor's own index serves the key.
        constraints = [models.UniqueConstraint(fields=["day", "doctor", "status"],
                                               name="summary_appointment_day_doctor_status")]

    def __str__(self):
        return f"{self.day} {self.doctor_id} {self.status}"
