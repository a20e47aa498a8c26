import csv
import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.policy import requires
from audit.services import Action, audit_read
from core.csv_safe import safe_row
from core.forms import add_service_error
from pharmacy import selectors, services
from pharmacy.access import get_batch_for, get_drug_for, get_prescription_for
from pharmacy.forms import (
    MAX_INGREDIENTS,
    CompoundLineForm,
    CountForm,
    DispenseForm,
    DrugLineForm,
    MovementsForm,
    NearExpiryForm,
    ReceiveForm,
    RemoveForm,
)
from pharmacy.models import Prescription, PrescriptionLine
from records.access import get_visit_for
from records.selectors import known_allergies
from scheduling.models import Appointment

PAGE_SIZE = 50
PRESCRIPTION_STATUS = Prescription.Status
# The names a drug name is typed under: the search's own, the drug line's and the compound's.
DRUG_SEARCH_NAMES = ("q", "drug-drug", *(f"compound-ingredient_{i}" for i in range(1, MAX_INGREDIENTS + 1)))


def _prescription_of(appointment):
    return selectors.prescriptions_with_lines().filter(appointment=appointment).first()


def _warn(request, warnings):
    for warning in warnings:
        messages.warning(request, warning)


# --- the doctor: prescribing on the visit --------------------------------------------------------


@requires("pharmacy.prescribe")
@require_http_methods(["GET", "POST"])
def prescribe(request, pk):
    """The visit's prescription: its lines, a drug line and a compound (racikan) to add."""
    appointment = get_visit_for(request, pk, write=True)
    drug_form, compound_form = DrugLineForm(prefix="drug"), CompoundLineForm(prefix="compound")
    if request.method == "POST":
        kind = request.POST.get("kind")
        form = CompoundLineForm(request.POST, prefix="compound") if kind == "compound" else None
        form = form or DrugLineForm(request.POST, prefix="drug")
        if kind == "compound":
            compound_form = form
            drug_form.autofocus = None  # the cursor goes to the compound's error
        else:
            drug_form = form
        if form.is_valid():
            data = form.cleaned_data
            try:
                if kind == "compound":
                    added = services.compound_line_add(
                        appointment=appointment, data=data, ingredients=data["ingredients"]
                    )
                else:
                    added = services.prescription_line_add(appointment=appointment, drug=data["drug"], data=data)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                _warn(request, added.warnings)
                messages.success(request, _("%(line)s added to the prescription.") % {"line": added.line.title})
                return redirect("pharmacy:prescribe", appointment.pk)
    else:
        audit_read(request, patient=appointment.patient, obj=appointment, what="prescription form")
    prescription = _prescription_of(appointment)
    return render(
        request,
        "pharmacy/prescribe.html",
        {
            "appointment": appointment,
            "prescription": prescription,
            "editable": appointment.status == Appointment.Status.IN_CONSULTATION
            and (prescription is None or prescription.status == PRESCRIPTION_STATUS.DRAFT),
            "drug_form": drug_form,
            "compound_form": compound_form,
            "allergies": known_allergies(patient=appointment.patient),
            "form": drug_form if drug_form.is_bound else compound_form,
        },
    )


@requires("pharmacy.prescribe")
@require_POST
def line_remove(request, pk, line_pk):
    appointment = get_visit_for(request, pk, write=True)
    # Another visit's line is a 404, as a line that does not exist.
    get_object_or_404(PrescriptionLine, pk=line_pk, prescription__appointment=appointment)
    try:
        services.prescription_line_remove(appointment=appointment, line_pk=line_pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The line was removed from the prescription."))
    return redirect("pharmacy:prescribe", appointment.pk)


@requires("pharmacy.prescribe")
@require_POST
def send(request, pk):
    appointment = get_visit_for(request, pk, write=True)
    try:
        services.prescription_send(appointment=appointment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The prescription was sent to the pharmacy."))
    return redirect("pharmacy:prescribe", appointment.pk)


@requires("pharmacy.catalogue")
@require_GET
def drug_search(request):
    """The drug names that match what is typed: the options of the prescription form's list."""
    # htmx sends the typed text under the field's own name (drug-drug, compound-ingredient_2...):
    # only those names are read, never whatever else the query string holds.
    typed = next((request.GET.get(name) for name in DRUG_SEARCH_NAMES if request.GET.get(name)), "")
    drugs = selectors.drug_search(typed)
    return render(request, "pharmacy/partials/drug_options.html", {"drugs": drugs})


# --- the pharmacist: queue, dispensing, labels ---------------------------------------------------


@requires("pharmacy.dispense")
@require_GET
def queue(request):
    page = Paginator(selectors.queue(), PAGE_SIZE).get_page(request.GET.get("page"))
    # The status labels, translated once for the page (get_status_display() per row hashes the
    # lazily translated choices each time: a third of the page's time).
    statuses = {value: str(label) for value, label in Prescription.Status.choices}
    return render(request, "pharmacy/queue.html", {"page": page, "statuses": statuses})


@requires("pharmacy.dispense")
@require_http_methods(["GET", "POST"])
def prescription(request, pk):
    """The prescription to prepare, with the patient's allergies (not the rest of the record)."""
    prescription = get_prescription_for(request, pk)
    if request.method == "POST":
        form = DispenseForm(request.POST, prescription=prescription)
        if services.dispense_already_sent(key=form.sent_key(), prescription=prescription):
            messages.info(request, _("This dispensing was already recorded; nothing was dispensed twice."))
            return redirect("pharmacy:prescription", prescription.pk)
        if form.is_valid():
            try:
                results = services.dispense_once(
                    key=form.cleaned_data["submit_token"],
                    prescription=prescription,
                    quantities=form.quantities(),
                    by=request.user,
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                if results is None:
                    messages.info(request, _("This dispensing was already recorded; nothing was dispensed twice."))
                    return redirect("pharmacy:prescription", prescription.pk)
                for result in results:
                    if result.short:
                        messages.warning(
                            request,
                            _("%(line)s: %(given)s of %(wanted)s dispensed, not enough in stock; the rest stays open.")
                            % {
                                "line": result.line.title,
                                "given": result.quantity,
                                "wanted": result.wanted,
                            },
                        )
                messages.success(request, _("Dispensed; the drugs are on the visit's bill."))
                return redirect("pharmacy:prescription", prescription.pk)
    else:
        form = DispenseForm(prescription=prescription)
    audit_read(request, patient=prescription.patient, obj=prescription, what="prescription and allergies")
    return render(
        request,
        "pharmacy/prescription.html",
        {
            "prescription": prescription,
            "form": form,
            "allergies": known_allergies(patient=prescription.patient),
            "open": prescription.status in selectors.QUEUE_STATUSES,
        },
    )


def _printable(request, pk, template, what):
    prescription = get_prescription_for(request, pk)
    audit_read(request, patient=prescription.patient, obj=prescription, what=what, action=Action.PRINT)
    return render(request, template, {"prescription": prescription, "today": timezone.localdate()})


@requires("pharmacy.dispense")
@require_GET
def labels(request, pk):
    """The drug labels (etiket) of the dispensed lines, to print."""
    return _printable(request, pk, "pharmacy/labels.html", "drug labels")


@requires("pharmacy.dispense")
@require_GET
def copy(request, pk):
    """The copy of the prescription (copy resep): what was prescribed, and what was given."""
    return _printable(request, pk, "pharmacy/copy.html", "prescription copy")


# --- the stock -----------------------------------------------------------------------------------


def _csv(filename: str, header: list, rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(safe_row(header))
    for row in rows:
        writer.writerow(safe_row(row))
    return response


@requires("pharmacy.stock")
@require_GET
def stock(request):
    """Every drug with its usable stock, its expired units and its minimum; CSV with ?format=csv."""
    query = request.GET.get("q", "").strip()[:60]
    drugs = selectors.stock_on_hand(query=query)
    if request.GET.get("format") == "csv":
        return _csv(
            "stock-on-hand.csv",
            [_("Drug"), _("Generic name"), _("Unit"), _("Usable"), _("Expired"), _("Minimum")],
            ([str(d), d.generic_name, d.unit, d.usable, d.expired, d.minimum_stock] for d in drugs),
        )
    page = Paginator(drugs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "pharmacy/stock.html", {"page": page, "query": query})


@requires("pharmacy.stock")
@require_GET
def drug_stock(request, pk):
    drug = get_drug_for(request, pk)
    return render(request, "pharmacy/drug_stock.html", {"drug": drug, "batches": selectors.batches_of(drug)})


@requires("pharmacy.stock")
@require_http_methods(["GET", "POST"])
def receive(request):
    form = ReceiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            batch = services.stock_receive(by=request.user, **data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("%(quantity)s %(unit)s of %(drug)s received (batch %(batch)s).")
                % {
                    "quantity": data["quantity"],
                    "unit": batch.drug.unit,
                    "drug": batch.drug,
                    "batch": batch.batch_number,
                },
            )
            return redirect("pharmacy:drug_stock", batch.drug_id)
    return render(request, "pharmacy/stock_form.html", {"form": form, "title": _("Receive stock"), "batch": None})


@requires("pharmacy.stock")
@require_http_methods(["GET", "POST"])
def batch_count(request, pk):
    """A stock count (stock opname) of one batch: the difference is booked with its reason."""
    batch = get_batch_for(request, pk)
    form = CountForm(request.POST or None, initial={"counted": batch.on_hand})
    if request.method == "POST" and form.is_valid():
        try:
            move = services.stock_count(by=request.user, batch=batch, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            if move is None:
                messages.success(request, _("The count agrees with the stock; nothing changed."))
            else:
                messages.success(request, _("Stock adjusted by %(quantity)+d.") % {"quantity": move.quantity})
            return redirect("pharmacy:drug_stock", batch.drug_id)
    return render(request, "pharmacy/stock_form.html", {"form": form, "title": _("Stock count"), "batch": batch})


@requires("pharmacy.stock")
@require_http_methods(["GET", "POST"])
def batch_remove(request, pk):
    """Returns to the supplier, or writes off (expired, damaged), units of one batch."""
    batch = get_batch_for(request, pk)
    form = RemoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.stock_remove(by=request.user, batch=batch, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The stock was taken out of the batch."))
            return redirect("pharmacy:drug_stock", batch.drug_id)
    return render(
        request, "pharmacy/stock_form.html", {"form": form, "title": _("Return or write off"), "batch": batch}
    )


@requires("pharmacy.stock")
@require_GET
def near_expiry(request):
    form = NearExpiryForm(request.GET or None)
    days = (form.cleaned_data.get("days") if form.is_valid() else None) or 90
    batches = selectors.near_expiry(days=days)
    if request.GET.get("format") == "csv":
        return _csv(
            "near-expiry.csv",
            [_("Drug"), _("Batch number"), _("Expiry date"), _("On hand"), _("Supplier")],
            ([str(b.drug), b.batch_number, b.expiry_date.isoformat(), b.on_hand, b.supplier] for b in batches),
        )
    page = Paginator(batches, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "pharmacy/near_expiry.html",
        {"form": form, "days": days, "page": page, "today": timezone.localdate()},
    )


@requires("pharmacy.stock")
@require_GET
def below_minimum(request):
    drugs = selectors.below_minimum()
    if request.GET.get("format") == "csv":
        return _csv(
            "below-minimum.csv",
            [_("Drug"), _("Unit"), _("Usable"), _("Minimum")],
            ([str(d), d.unit, d.usable, d.minimum_stock] for d in drugs),
        )
    return render(request, "pharmacy/below_minimum.html", {"drugs": drugs})


@requires("pharmacy.stock")
@require_GET
def movements(request):
    form = MovementsForm(request.GET or None)
    today = timezone.localdate()
    data = form.cleaned_data if form.is_valid() else {}
    end = data.get("end") or today
    start = data.get("start") or end - datetime.timedelta(days=30)
    moves = selectors.movements(drug=data.get("drug"), start=start, end=end)
    if request.GET.get("format") == "csv":
        return _csv(
            f"stock-movements-{start.isoformat()}-{end.isoformat()}.csv",
            [_("Date and time"), _("Drug"), _("Batch number"), _("Kind"), _("Quantity"), _("Reason"), _("By")],
            (
                [
                    timezone.localtime(m.at).strftime("%Y-%m-%d %H:%M"),
                    str(m.batch.drug),
                    m.batch.batch_number,
                    m.get_kind_display(),
                    m.quantity,
                    m.reason,
                    str(m.by or ""),
                ]
                for m in moves
            ),
        )
    page = Paginator(moves, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "pharmacy/movements.html", {"form": form, "page": page, "start": start, "end": end})
