"""Gives the audit log its context: who is acting and from where, for the model signals of
accounts.signals. Placed right after AuthenticationMiddleware.

It also turns patients.access.NotInCare (a doctor opening a patient who is not in their care)
into the "not in your care" page that offers emergency access, still with status 404."""

from django.shortcuts import render

from accounts import audit
from accounts.forms_audit import EmergencyAccessForm
from patients.access import NotInCare


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
        audit.audit_write(action=audit.Action.DENIED, request=request, patient=patient, obj=patient,
                          what="patient detail (not in care)")
        return render(request, "accounts/audit_not_in_care.html", {"patient": patient, "form": EmergencyAccessForm()},
                      status=404)
