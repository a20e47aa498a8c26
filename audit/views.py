import logging

from django.db import DatabaseError
from django.shortcuts import render

from audit import services as audit

logger = logging.getLogger(__name__)


def permission_denied(request, exception=None):
    """handler403: the refusal goes into the audit log, then a translated page."""
    try:
        audit.audit_write(
            action=audit.Action.DENIED, request=request, object_type="url", what=f"{request.method} {request.path}"
        )
    except DatabaseError:
        logger.exception("Could not write the audit row of a denied request.")
    return render(request, "403.html", status=403)
