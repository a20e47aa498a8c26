from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.text import text_limit


class AuditLogQuerySet(models.QuerySet):
    """Audit rows are never deleted, and never changed except when they are sealed into the
    hash chain (audit.services.audit_seal), which fills in exactly the chain fields."""

    SEAL_FIELDS = frozenset({"seq", "prev_hash", "hash"})

    def delete(self):
        raise PermissionError("Audit log rows cannot be deleted.")

    delete.queryset_only = True

    def update(self, **kwargs):
        if not set(kwargs) <= self.SEAL_FIELDS:
            raise PermissionError("Audit log rows cannot be changed.")
        return super().update(**kwargs)


class AuditLog(models.Model):
    """One append-only entry of the audit log: who did or saw what, about which patient, when
    (UTC) and from where. Written only through audit.services; each row is chained to the one
    before it by `hash` = sha256(prev_hash + canonical JSON of the row), see verify_audit_chain."""

    class Action(models.TextChoices):
        READ = "read", _("Read")
        CREATE = "create", _("Create")
        UPDATE = "update", _("Update")
        DELETE = "delete", _("Delete")
        LOGIN = "login", _("Login")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOCKOUT = "lockout", _("Lockout")
        DENIED = "denied", _("Access denied")
        EMERGENCY_ACCESS = "emergency_access", _("Emergency access")
        EXPORT = "export", _("Export")
        PRINT = "print", _("Print")

    created_at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    # Copied: the log must read the same even if the account is renamed later.
    actor_username = models.CharField(_("username"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    # PROTECT: a patient with history in the log cannot be deleted (they are deactivated).
    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("patient"),
    )
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    what = models.CharField(_("what"), max_length=255, blank=True)
    # {field: [old, new]}; personal identifiers (NIK, phone, email) only as "•••" markers.
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=255, blank=True)
    # The chain: position, the previous row's hash and this row's. Empty until sealed, which
    # happens right after the transaction that wrote the row commits.
    seq = models.PositiveBigIntegerField(_("chain position"), null=True, blank=True, unique=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64, blank=True)
    hash = models.CharField(_("hash"), max_length=64, blank=True)
    # HMAC-SHA256 of the row's content under settings.AUDIT_KEY, which the database does not hold:
    # written with the row by the application, so a row inserted by hand cannot carry a valid one
    # and is never sealed. Empty only on the legacy rows written before the key existed
    # (id <= AuditHead.legacy_until_id), which the chain alone protects. The database default
    # lets the previous release, serving during an upgrade or after a rollback, still write rows.
    mac = models.CharField(_("signature"), max_length=64, blank=True, db_default="")

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        db_table = "audit_log"
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["created_at"], name="audit_log_created_idx"),
            models.Index(fields=["patient", "created_at"], name="audit_log_patient_idx"),
            models.Index(fields=["actor_username", "created_at"], name="audit_log_actor_idx"),
            models.Index(fields=["action", "created_at"], name="audit_log_action_idx"),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor_username or '-'} {self.action} {self.what}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("Audit log rows cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit log rows cannot be deleted.")


class AuditHead(models.Model):
    """The single row that serialises sealing: the chain's last position and hash. Sealing locks
    it, so the chain stays linear whatever the number of app servers and threads."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, blank=True)
    # Rows up to this id were written before rows were signed (audit migration 0002): they are
    # sealed and verified without a signature. Set once by that migration, never changed.
    legacy_until_id = models.PositiveBigIntegerField(default=0)

    class Meta:
        db_table = "audit_head"

    def __str__(self):
        return f"{self.seq}: {self.hash}"


class AuditCheckpoint(models.Model):
    """A verified point of the chain: "up to seq, the chain was sound and ended in hash", signed
    with an HMAC under AUDIT_KEY. verify_audit_chain resumes from the newest valid checkpoint and
    reads only the rows after it; `verify_audit_chain --full` rereads everything."""

    seq = models.PositiveBigIntegerField()
    hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    mac = models.CharField(max_length=64)

    class Meta:
        db_table = "audit_checkpoint"
        ordering = ["-seq", "-id"]
        indexes = [models.Index(fields=["seq"], name="audit_checkpoint_seq_idx")]

    def __str__(self):
        return f"{self.seq}: {self.hash}"


class EmergencyAccess(models.Model):
    """A doctor's time-limited right to read a patient who is not in their care, given with a
    reason ("break the glass"). Admins see every one of them."""

    doctor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="emergency_accesses",
        verbose_name=_("doctor"),
        limit_choices_to={"role": "doctor"},
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="+", verbose_name=_("patient")
    )
    reason = models.TextField(_("reason"), **text_limit("note"))
    created_at = models.DateTimeField(_("opened at"), default=timezone.now)
    expires_at = models.DateTimeField(_("valid until"))
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        db_table = "emergency_access"
        verbose_name = _("emergency access")
        verbose_name_plural = _("emergency accesses")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["doctor", "patient", "expires_at"], name="emergency_access_lookup_idx"),
            models.Index(fields=["created_at"], name="emergency_access_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")), name="emergency_access_expires_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.doctor} → {self.patient} ({self.created_at:%d-%m-%Y %H.%M})"

    @property
    def is_valid(self) -> bool:
        return self.expires_at > timezone.now()


class LoginFailureWindow(models.Model):
    """The failed logins of one username from one address within one lockout window
    (AXES_COOLOFF_TIME): the audit log gets one row for the first failure (and one for the
    lockout); the attempts after it only count here, with the time of the first and the last.
    Never deleted by the application: it is the evidence of a flood, without the flood."""

    username = models.CharField(_("username"), max_length=150)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    first_at = models.DateTimeField(_("first attempt"), default=timezone.now)
    last_at = models.DateTimeField(_("last attempt"), default=timezone.now)
    attempts = models.PositiveIntegerField(_("attempts"), default=1)
    locked = models.BooleanField(_("locked out"), default=False)
    audit_row = models.ForeignKey(
        AuditLog, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("audit row")
    )

    class Meta:
        db_table = "audit_login_failure"
        verbose_name = _("failed logins")
        verbose_name_plural = _("failed logins")
        ordering = ["-first_at", "-id"]
        indexes = [models.Index(fields=["username", "first_at"], name="audit_login_failure_user_idx")]

    def __str__(self):
        return f"{self.username} {self.ip_address or '-'} ×{self.attempts}"
