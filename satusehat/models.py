from django.db import models
from django.utils.translation import gettext_lazy as _

from scheduling.models import Appointment


class Submission(models.Model):
    """The outbox row of one finished visit: written in the completion's transaction, sent by a
    worker, and the platform's answer kept for the admin page (docs/satusehat.md)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    appointment = models.OneToOneField(
        Appointment, on_delete=models.PROTECT, related_name="satusehat_submission", verbose_name=_("visit")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    # Bumped by every correction of the visit's record or lab results; sent_revision is the one
    # the platform has. revision > sent_revision on a sent row means an update is due.
    revision = models.PositiveIntegerField(_("revision"), default=1)
    sent_revision = models.PositiveIntegerField(_("sent revision"), default=0)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    # A worker holds the row while it sends; a killed worker's claim runs out and another resends.
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    http_status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    message = models.TextField(_("platform's message"), blank=True)
    operation_outcome = models.JSONField(_("OperationOutcome"), null=True, blank=True)
    # The platform's ids of what this visit sent: {"Encounter": id, "Condition/<record pk>": id, ...}.
    resource_ids = models.JSONField(_("platform ids"), default=dict, blank=True)
    encounter_id = models.CharField(_("Encounter id"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        db_table = "satusehat_submissions"
        verbose_name = _("SATUSEHAT submission")
        verbose_name_plural = _("SATUSEHAT submissions")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="satusehat_due_idx"),
        ]

    def __str__(self):
        return f"{self.appointment_id}: {self.status}"

    @property
    def update_due(self) -> bool:
        return self.status == self.Status.SENT and self.revision > self.sent_revision
