"""The admin page of SATUSEHAT: every finished visit, sent / pending / failed, with the platform's
own message, a retry button and filters (docs/satusehat.md, README "SATUSEHAT")."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.policy import requires
from audit.models import AuditLog
from audit.services import audit_reads, audit_write
from satusehat import selectors, services
from satusehat.conf import config
from satusehat.forms import SubmissionFilterForm
from satusehat.models import Submission

PAGE_SIZE = 50


@requires("satusehat.manage")
@require_GET
def submissions(request):
    form = SubmissionFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = selectors.submission_list(
        status=filters.get("status") or "",
        query=(filters.get("q") or "").strip(),
        start=filters.get("start"),
        end=filters.get("end"),
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    audit_reads(request, patients=[row.appointment.patient for row in page], what="SATUSEHAT submissions")
    return render(
        request,
        "satusehat/submissions.html",
        {
            "form": form,
            "page": page,
            "counts": selectors.status_counts(),
            "environment": config().env,
            "Status": Submission.Status,
        },
    )


@requires("satusehat.manage")
@require_POST
def retry(request, pk: int):
    submission = get_object_or_404(Submission.objects.select_related("appointment"), pk=pk)
    if submission.status == Submission.Status.SENT and not submission.update_due:
        messages.info(request, _("This visit has been sent already."))
    else:
        services.retry(submission)
        audit_write(
            action=AuditLog.Action.UPDATE,
            request=request,
            patient_id=submission.appointment.patient_id,
            obj=submission,
            what="SATUSEHAT: retry requested",
        )
        messages.success(request, _("The visit will be sent again shortly."))
    return redirect("satusehat:submissions")
