"""What the audit log records without a view asking: every create, update and delete of the
clinical and financial models (with what changed), logins, failed logins and lockouts (one row
per username and address per lockout window, the attempts after it counted in
audit.models.LoginFailureWindow: audit_login_failure).

Changes: each instance keeps a snapshot of its fields from when it was loaded (post_init); on
post_save the difference is written as {field: [old, new]}; personal identifiers (NIK, phone,
email) only as "•••" markers (audit.services.masked). Rows loaded by `loaddata` (raw) are not
user actions and are not logged. A bulk QuerySet.update() bypasses these signals: the services
do not use it for audited models."""

from django.apps import apps
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import post_delete, post_init, post_save

from audit import services as audit

Action = audit.Action

# Kept by the database itself, or internal: not "what the user changed".
IGNORED_FIELDS = {"created_at", "updated_at", "slot_active", "last_login"}


def _snapshot(instance) -> dict:
    values = instance.__dict__
    return {
        field.attname: values[field.attname]
        for field in instance._meta.concrete_fields
        if field.attname in values and field.attname not in IGNORED_FIELDS
    }


def remember_state(sender, instance, **kwargs):
    instance._audit_snapshot = _snapshot(instance)


def record_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    current = _snapshot(instance)
    if created:
        changes = {
            name: [None, audit.masked(name, value)]
            for name, value in current.items()
            if name != "id" and value not in (None, "")
        }
    else:
        changes = audit.diff(getattr(instance, "_audit_snapshot", {}), current)
        if not changes:
            instance._audit_snapshot = current
            return
    audit.audit_write(
        action=Action.CREATE if created else Action.UPDATE,
        obj=instance,
        patient_id=audit.patient_id_of(instance),
        what=audit.OBJECT_NAMES[sender._meta.label_lower],
        changes=changes,
    )
    instance._audit_snapshot = current


def record_delete(sender, instance, **kwargs):
    current = _snapshot(instance)
    changes = {
        name: [audit.masked(name, value), None]
        for name, value in current.items()
        if name != "id" and value not in (None, "")
    }
    # A deleted patient can no longer be referred to; its number stays in object_id.
    patient_id = None if sender._meta.label_lower == audit.PATIENT_MODEL else audit.patient_id_of(instance)
    audit.audit_write(
        action=Action.DELETE,
        obj=instance,
        patient_id=patient_id,
        what=audit.OBJECT_NAMES[sender._meta.label_lower],
        changes=changes,
    )


def record_login(sender, request, user, **kwargs):
    audit.audit_write(action=Action.LOGIN, request=request, actor=user, what="login")


def record_login_failed(sender, credentials, request=None, **kwargs):
    # Only the username that was tried; Django already replaced the password, and it is not kept.
    username = str(credentials.get("username", "") or "")
    audit.audit_login_failure(request, username)


def record_lockout(sender, request=None, username=None, ip_address=None, **kwargs):
    audit.audit_login_failure(request, str(username or ""), lockout=True)


def connect() -> None:
    for label in audit.OBJECT_NAMES:
        model = apps.get_model(label)
        uid = f"audit:{label}"
        post_init.connect(remember_state, sender=model, dispatch_uid=f"{uid}:init")
        post_save.connect(record_save, sender=model, dispatch_uid=f"{uid}:save")
        post_delete.connect(record_delete, sender=model, dispatch_uid=f"{uid}:delete")
    user_logged_in.connect(record_login, dispatch_uid="audit:login")
    user_login_failed.connect(record_login_failed, dispatch_uid="audit:login_failed")
    try:
        from axes.signals import user_locked_out
    except ImportError:  # django-axes is optional
        return
    user_locked_out.connect(record_lockout, dispatch_uid="audit:lockout")
