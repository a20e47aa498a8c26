"""Gives the audit log its context: who is acting and from where, for the model signals of
audit.signals. Placed right after AuthenticationMiddleware.

It also turns accounts.policy.NotInCare (a doctor opening a patient who is not in their care)
into the "not in your care" page that offers emergency access, still with status 404, and logs
every 404 a view of patient data answers a signed-in user (another doctor's visit, record or lab
result; an object that does not exist) as a refusal, like handler403 logs a 403: an object the
user may not know of answers 404 exactly like one that does not exist, so both are logged."""

from django.http import Http404
from django.shortcuts import render

from accounts.policy import NotInCare
from audit import services as audit
from audit.forms import EmergencyAccessForm

# The URL namespaces whose views show patient data (their 404s are refusals to log).
PATIENT_DATA_NAMESPACES = frozenset({"patients", "records", "scheduling", "billing", "insurance", "audit"})


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
        if not isinstance(exception, NotInCare):  # (a NotInCare is an Http404 too)
            if isinstance(exception, Http404):
                self._log_not_found(request)
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

    @staticmethod
    def _log_not_found(request) -> None:
        user = getattr(request, "user", None)
        match = getattr(request, "resolver_match", None)
        if user is None or not user.is_authenticated or match is None:
            return
        if match.namespace not in PATIENT_DATA_NAMESPACES:
            return
        audit.audit_write(
            action=audit.Action.DENIED,
            request=request,
            object_type="url",
            what=f"{request.method} {request.path}"[:240],
            changes={"status": 404},
        )
