from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.policy import requires
from audit.services import Action, audit_read
from billing import pdf, selectors, services
from billing.access import get_bill_for, get_insurance_for
from billing.forms import InsuranceForm, PaymentForm, VoidForm
from billing.models import Billing
from core.forms import add_service_error
from patients.access import get_patient_for

PAGE_SIZE = 50

# requires() comes first so that anonymous visitors are sent to login on every URL,
# even with the wrong HTTP method; signed-in staff then get 405 for it.


@requires("billing.manage")
@require_GET
def unpaid_list(request):
    query = request.GET.get("q", "").strip()[:100]
    if query:
        bills = selectors.bill_list_unpaid(query=query)
        paginator = Paginator(bills, PAGE_SIZE)
        outstanding = selectors.bill_outstanding_total(bills=bills)
    else:
        # Unfiltered, the number and the balance of the open bills come from their summary
        # (billing/summaries.py), not from a COUNT and a SUM over every open bill, and the page
        # is read through the index (selectors.OpenBills) (issue 6).
        unpaid = selectors.unpaid_summary()
        paginator = Paginator(selectors.OpenBills(unpaid["count"]), PAGE_SIZE)
        outstanding = unpaid["total"]
    context = {
        "page": paginator.get_page(request.GET.get("page")),
        "query": query,
        "outstanding": outstanding,
    }
    if request.htmx:
        return render(request, "billing/partials/unpaid_table.html", context)
    return render(request, "billing/unpaid_list.html", context)


@requires("billing.manage")
@require_GET
def bill_detail(request, pk: int):
    bill = get_bill_for(request, pk)
    audit_read(request, patient=bill.patient, obj=bill, what="bill detail")
    context = pdf.receipt_context(bill=bill)
    context["void_form"] = VoidForm(bill=bill)
    return render(request, "billing/bill_detail.html", context)


def _payment_recorded_message(request, payment, *, new: bool) -> None:
    # The status comes from the bill the service updated (payment.billing): no read after the
    # commit, which during a database outage turned a saved payment into a 500 and a retry.
    status = payment.billing.get_status_display()
    if new:
        messages.success(request, _("Payment recorded. The bill is now: %(status)s.") % {"status": status})
    else:
        messages.info(
            request,
            _("This form was already sent: the payment was recorded once. The bill is now: %(status)s.")
            % {"status": status},
        )


@requires("billing.manage")
@require_http_methods(["GET", "POST"])
def bill_pay(request, pk: int):
    bill = get_bill_for(request, pk)
    if request.method == "POST":
        form = PaymentForm(request.POST, bill=bill)
        if form.is_valid():
            try:
                payment, new = services.payment_record_once(
                    key=form.cleaned_data["submit_token"],
                    bill=bill,
                    amount=form.cleaned_data["amount"],
                    method=form.cleaned_data["method"],
                    insurance=form.cleaned_data["insurance"],
                    reference=form.cleaned_data["reference"],
                    received_by=request.user,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                _payment_recorded_message(request, payment, new=new)
                return redirect("billing:detail", pk=bill.pk)
    else:
        if bill.status in (Billing.Status.PAID, Billing.Status.VOID):
            messages.info(request, _("This bill takes no more payments."))
            return redirect("billing:detail", pk=bill.pk)
        form = PaymentForm(bill=bill)
        audit_read(request, patient=bill.patient, obj=bill, what="payment form")
    return render(request, "billing/pay.html", {"bill": bill, "form": form})


@requires("billing.manage")
@require_GET
def receipt(request, pk: int):
    bill = get_bill_for(request, pk)
    audit_read(request, patient=bill.patient, obj=bill, what="receipt", action=Action.PRINT)
    return render(request, "billing/receipt.html", pdf.receipt_context(bill=bill))


@requires("billing.manage")
@require_GET
def receipt_pdf(request, pk: int):
    bill = get_bill_for(request, pk)
    audit_read(request, patient=bill.patient, obj=bill, what="receipt PDF", action=Action.EXPORT)
    response = HttpResponse(pdf.receipt_pdf(bill=bill, request=request), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{pdf.receipt_filename(bill=bill)}"'
    return response


@requires("billing.manage")
@require_POST
def bill_void(request, pk: int):
    bill = get_bill_for(request, pk)
    form = VoidForm(request.POST, bill=bill)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["submit_token"]))
        return redirect("billing:detail", pk=bill.pk)
    try:
        services.bill_void_once(key=form.cleaned_data["submit_token"], bill=bill, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        # A replay shows the first submit's result.
        messages.success(request, _("Bill %(number)s has been voided.") % {"number": bill.number})
    return redirect("billing:detail", pk=bill.pk)


# --- The patients' insurance policies (on the patient's pages) ----------------------------------


@requires("billing.insurance")
def insurance_add(request, pk):
    patient = get_patient_for(request, pk)
    if request.method == "POST":
        form = InsuranceForm(request.POST)
        if form.is_valid():
            try:
                services.insurance_add(patient=patient, data=form.cleaned_data, by=request.user)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The insurance policy is added."))
                return redirect("patients:detail", patient.pk)
    else:
        form = InsuranceForm()
    return render(request, "patients/insurance_form.html", {"form": form, "patient": patient, "insurance": None})


@requires("billing.insurance")
def insurance_edit(request, pk):
    insurance = get_insurance_for(request, pk)
    patient = insurance.patient
    if request.method == "POST":
        form = InsuranceForm(request.POST, instance=insurance)
        if form.is_valid():
            try:
                services.insurance_update(insurance=insurance, data=form.cleaned_data, by=request.user)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The insurance policy is saved."))
                return redirect("patients:detail", patient.pk)
    else:
        form = InsuranceForm(instance=insurance)
        audit_read(request, patient=patient, obj=insurance, what="insurance form")
    return render(request, "patients/insurance_form.html", {"form": form, "patient": patient, "insurance": insurance})
