"""Gives the audit log its context: who is acting and from where, for the model signals of
audit.signals. Placed right after AuthenticationMiddleware.

It also turns accounts.policy.NotInCare (a doctor opening a patient who is not in their care)
into the "not in your care" page that offers emergency access, still with status 404."""

from django.shortcuts import render

from accounts.policy import NotInCare
from audit import services as audit
from audit.forms import EmergencyAccessForm


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = audit.set_current_request(request)
        try:
            return self.get_response(request)
        finally:
            audit.reset_current_request(token)

    def process_exception(self, request, exception):
        if not isinstance(exception, NotInCare):
            return None
        patient = exception.patient
        audit.audit_write(
            action=audit.Action.DENIED,
            request=request,
            patient=patient,
            obj=patient,
            what="patient detail (not in care)",
        )
        return render(
            request, "accounts/audit_not_in_care.html", {"patient": patient, "form": EmergencyAccessForm()}, status=404
        )
