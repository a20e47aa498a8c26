"""Emergency access ("break the glass"): a doctor reads a patient who is not in their care, for a
limited time, after giving a reason. Every opening is in the audit log and on the admins' list."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit import services as audit
from audit.forms import EMERGENCY_REASON_MIN
from audit.models import EmergencyAccess


def emergency_access_duration() -> datetime.timedelta:
    return datetime.timedelta(minutes=getattr(settings, "EMERGENCY_ACCESS_MINUTES", 60))


@transaction.atomic
def emergency_access_open(*, doctor: User, patient, reason: str, request=None) -> EmergencyAccess:
    reason = (reason or "").strip()
    if not doctor.is_doctor or not doctor.is_active:
        raise ValidationError(_("Only a doctor can open an emergency access."))
    if len(reason) < EMERGENCY_REASON_MIN:
        raise ValidationError(
            {
                "reason": _("Please describe the emergency in at least %(limit_value)d characters.")
                % {"limit_value": EMERGENCY_REASON_MIN}
            }
        )
    now = timezone.now()
    grant = EmergencyAccess(
        doctor=doctor,
        patient=patient,
        reason=reason,
        created_at=now,
        expires_at=now + emergency_access_duration(),
        ip_address=audit.client_ip(request),
    )
    grant.full_clean()
    grant.save()
    audit.audit_write(
        action=audit.Action.EMERGENCY_ACCESS,
        request=request,
        actor=doctor,
        patient=patient,
        obj=grant,
        what="emergency access opened",
        changes={"reason": reason, "expires_at": grant.expires_at},
    )
    return grant
