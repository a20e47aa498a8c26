"""The pharmacy's rules: prescribing, dispensing by batch (FEFO) and every change of the stock.

The stock changes only here. Each change writes a StockMove and moves its batch's `on_hand` by
the same amount, in one transaction, with the batch row locked (select_for_update): two
pharmacists taking the last units of a batch at once are served one after the other, and
`on_hand` never goes below zero (a CHECK constraint says so too). Batches are always locked in
the same order (drug, expiry, id), so two dispenses never wait on each other in a circle."""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from billing.services import bill_item_add
from pharmacy.models import (
    Batch,
    CompoundIngredient,
    Dispense,
    DispenseSubmission,
    Drug,
    Prescription,
    PrescriptionLine,
    StockMove,
)
from records.selectors import known_allergies
from scheduling.models import Appointment

LINE_FIELDS = ("times_per_day", "dose", "route", "timing", "duration_days", "quantity", "instructions")


# --- reading the stock -------------------------------------------------------------------------


def usable_batches() -> Q:
    """Batches that may be dispensed: not expired (a batch expiring today is not given out)."""
    return Q(expiry_date__gt=timezone.localdate())


def available_of(drug_ids: Iterable[int]) -> dict[int, int]:
    """Units of each drug in batches that may be dispensed (one query)."""
    rows = (
        Batch.objects.filter(usable_batches(), drug_id__in=list(drug_ids), on_hand__gt=0)
        .values("drug_id")
        .annotate(total=Sum("on_hand"))
        .order_by()
    )
    return {row["drug_id"]: row["total"] for row in rows}


# --- prescribing -------------------------------------------------------------------------------


def _words(text: str) -> set[str]:
    return {word for word in "".join(c if c.isalnum() else " " for c in text.casefold()).split() if len(word) >= 4}


def allergy_warnings(*, allergies: list[str], drugs: Iterable[Drug]) -> list[str]:
    """A warning per drug whose name or generic name matches a recorded allergy. A warning, not a
    refusal: the doctor decides ("alergi amoksisilin" matches Amoxicillin's generic name only if
    written alike, so the match is by whole words of four letters or more, either way round)."""
    allergy_words = set().union(*(_words(a) for a in allergies)) if allergies else set()
    warnings = []
    for drug in drugs:
        names = _words(drug.name) | _words(drug.generic_name)
        if names & allergy_words:
            warnings.append(
                _("%(drug)s: the patient has a recorded allergy (%(allergies)s).")
                % {"drug": drug, "allergies": "; ".join(allergies)}
            )
    return warnings


def stock_warnings(*, needed: Mapping[Drug, int]) -> list[str]:
    """A warning per drug of which the pharmacy has fewer usable units than prescribed."""
    available = available_of(drug.pk for drug in needed)
    return [
        _("%(drug)s: only %(available)s %(unit)s in stock, %(needed)s prescribed.")
        % {"drug": drug, "available": available.get(drug.pk, 0), "unit": drug.unit, "needed": quantity}
        for drug, quantity in needed.items()
        if available.get(drug.pk, 0) < quantity
    ]


def _draft_for(appointment: Appointment) -> Prescription:
    if appointment.status != Appointment.Status.IN_CONSULTATION:
        raise ValidationError(_("A prescription is written while the patient is in consultation."))
    prescription, _created = Prescription.objects.select_for_update().get_or_create(
        appointment=appointment, defaults={"patient_id": appointment.patient_id, "doctor_id": appointment.doctor_id}
    )
    if prescription.status != Prescription.Status.DRAFT:
        raise ValidationError(_("This prescription has been sent to the pharmacy and can no longer be changed."))
    return prescription


def _check_drug(drug: Drug | None) -> Drug:
    if drug is None or not drug.is_active:
        raise ValidationError({"drug": _("Choose a drug of the catalogue.")})
    return drug


@dataclass
class Prescribed:
    line: PrescriptionLine
    warnings: list[str]


@transaction.atomic
def prescription_line_add(*, appointment: Appointment, drug: Drug | None, data: Mapping[str, Any]) -> Prescribed:
    """Adds a drug to the visit's prescription, with the warnings the doctor should read."""
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    drug = _check_drug(drug)
    prescription = _draft_for(appointment)
    line = PrescriptionLine(prescription=prescription, drug=drug, **{k: data[k] for k in LINE_FIELDS if k in data})
    line.full_clean(exclude=["prescription"])
    line.save()
    allergies = known_allergies(patient=appointment.patient)
    warnings = allergy_warnings(allergies=allergies, drugs=[drug]) + stock_warnings(needed={drug: line.quantity})
    return Prescribed(line, warnings)


@transaction.atomic
def compound_line_add(
    *, appointment: Appointment, data: Mapping[str, Any], ingredients: list[tuple[Drug, int]]
) -> Prescribed:
    """Adds a compound (racikan): `ingredients` (drug, units for the whole compound) made into
    data["quantity"] capsules or powders."""
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if not ingredients:
        raise ValidationError(_("A compound needs at least one drug."))
    drugs = [_check_drug(drug) for drug, _quantity in ingredients]
    if len({drug.pk for drug in drugs}) != len(drugs):
        raise ValidationError(_("Each drug appears once in a compound."))
    for _drug, quantity in ingredients:
        if quantity is None or quantity < 1:
            raise ValidationError(_("Each drug of a compound needs a quantity of at least 1."))
    prescription = _draft_for(appointment)
    line = PrescriptionLine(
        prescription=prescription,
        compound_name=data.get("compound_name", "").strip(),
        compound_form=data.get("compound_form", ""),
        **{k: data[k] for k in LINE_FIELDS if k in data},
    )
    line.full_clean(exclude=["prescription"])
    if not line.compound_name or not line.compound_form:
        raise ValidationError({"compound_name": _("Give the compound a name and what it is made into.")})
    line.save()
    CompoundIngredient.objects.bulk_create(
        [CompoundIngredient(line=line, drug=drug, quantity=quantity) for drug, quantity in ingredients]
    )
    allergies = known_allergies(patient=appointment.patient)
    warnings = allergy_warnings(allergies=allergies, drugs=drugs) + stock_warnings(needed=dict(ingredients))
    return Prescribed(line, warnings)


@transaction.atomic
def prescription_line_remove(*, appointment: Appointment, line_pk: int) -> None:
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    prescription = _draft_for(appointment)
    line = PrescriptionLine.objects.filter(prescription=prescription, pk=line_pk).first()
    if line is None:
        raise ValidationError(_("This line is not on the prescription."))
    line.ingredients.all().delete()
    line.delete()


@transaction.atomic
def prescription_send(*, appointment: Appointment) -> Prescription:
    """Opens the visit's prescription in the pharmacy's queue."""
    prescription = Prescription.objects.select_for_update().filter(appointment=appointment).first()
    if prescription is None or not prescription.lines.exists():
        raise ValidationError(_("The prescription has no lines yet."))
    if prescription.status != Prescription.Status.DRAFT:
        raise ValidationError(_("This prescription has already been sent to the pharmacy."))
    prescription.status = Prescription.Status.OPEN
    prescription.written_at = timezone.now()
    prescription.save(update_fields=["status", "written_at"])
    return prescription


def prescription_send_if_drafted(*, appointment: Appointment) -> None:
    """On completing the visit: a draft with lines goes to the pharmacy; nothing else changes."""
    prescription = Prescription.objects.filter(appointment=appointment, status=Prescription.Status.DRAFT).first()
    if prescription is not None and prescription.lines.exists():
        prescription_send(appointment=appointment)


# --- the stock ---------------------------------------------------------------------------------


def _move(batch: Batch, kind: str, quantity: int, *, by: User | None, reason: str = "", dispense=None) -> StockMove:
    """Writes one ledger row and moves the (locked) batch's on-hand by the same amount."""
    if batch.on_hand + quantity < 0:
        raise ValidationError(
            _("Batch %(batch)s has only %(on_hand)s on hand.") % {"batch": batch.batch_number, "on_hand": batch.on_hand}
        )
    move = StockMove.objects.create(
        batch=batch, kind=kind, quantity=quantity, reason=reason, dispense=dispense, by=by, at=timezone.now()
    )
    batch.on_hand += quantity
    batch.save(update_fields=["on_hand"])
    return move


def _locked(batch: Batch) -> Batch:
    # No join in a locking read: MariaDB would lock the joined drug row too (a dispense holding
    # it and waiting for the batch was a deadlock), PostgreSQL refuses FOR UPDATE on an outer join.
    return Batch.objects.select_for_update().get(pk=batch.pk)


@transaction.atomic
def stock_receive(
    *,
    drug: Drug,
    batch_number: str,
    expiry_date: datetime.date,
    quantity: int,
    purchase_price: Decimal,
    supplier: str,
    by: User | None,
) -> Batch:
    """Receives `quantity` units of a batch from a supplier (a new batch, or more of a known one)."""
    batch_number = " ".join((batch_number or "").split())
    supplier = " ".join((supplier or "").split())
    if not batch_number:
        raise ValidationError({"batch_number": _("Enter the batch number.")})
    if quantity is None or quantity < 1:
        raise ValidationError({"quantity": _("The quantity must be at least 1.")})
    if expiry_date <= timezone.localdate():
        raise ValidationError({"expiry_date": _("This batch has already expired: it cannot be received.")})
    if purchase_price is not None and purchase_price < 0:  # the CHECK constraint's rule, said in words
        raise ValidationError({"purchase_price": _("The price must not be negative.")})
    batch = Batch.objects.select_for_update().filter(drug=drug, batch_number=batch_number).first()
    if batch is None:
        batch = Batch(
            drug=drug,
            batch_number=batch_number,
            expiry_date=expiry_date,
            supplier=supplier,
            purchase_price=purchase_price,
            received_at=timezone.now(),
        )
        batch.full_clean(exclude=["drug"], validate_unique=False, validate_constraints=False)
        try:
            with transaction.atomic():
                batch.save()
        except IntegrityError:  # received at the same moment by someone else: add to theirs
            batch = Batch.objects.select_for_update().get(drug=drug, batch_number=batch_number)
    if batch.expiry_date != expiry_date:
        raise ValidationError(
            {
                "expiry_date": _("Batch %(batch)s of this drug is already recorded with expiry %(expiry)s.")
                % {"batch": batch_number, "expiry": batch.expiry_date.strftime("%d-%m-%Y")}
            }
        )
    _move(batch, StockMove.Kind.RECEIVE, quantity, by=by, reason=supplier)
    return batch


@transaction.atomic
def stock_count(*, batch: Batch, counted: int, reason: str, by: User | None) -> StockMove | None:
    """A stock count (stock opname): the batch's on-hand becomes what was counted; the difference
    is a ledger row with its reason. Nothing is written when the count agrees."""
    reason = (reason or "").strip()
    if counted is None or counted < 0:
        raise ValidationError({"counted": _("The count cannot be negative.")})
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the adjustment.")})
    batch = _locked(batch)
    difference = counted - batch.on_hand
    if difference == 0:
        return None
    return _move(batch, StockMove.Kind.COUNT, difference, by=by, reason=reason)


@transaction.atomic
def stock_remove(*, batch: Batch, quantity: int, kind: str, reason: str, by: User | None) -> StockMove:
    """Returns units of a batch to its supplier, or writes them off (expired, damaged)."""
    if kind not in (StockMove.Kind.RETURN, StockMove.Kind.WRITE_OFF):
        raise ValidationError({"kind": _("Choose a return or a write-off.")})
    if quantity is None or quantity < 1:
        raise ValidationError({"quantity": _("The quantity must be at least 1.")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason.")})
    batch = _locked(batch)
    if quantity > batch.on_hand:
        raise ValidationError({"quantity": _("Only %(on_hand)s on hand in this batch.") % {"on_hand": batch.on_hand}})
    return _move(batch, kind, -quantity, by=by, reason=reason)


# --- dispensing --------------------------------------------------------------------------------


def _take_fefo(batches: list[Batch], drug_id: int, wanted: int) -> list[tuple[Batch, int]]:
    """From the drug's locked usable batches, earliest expiry first: (batch, units) to take."""
    taken = []
    for batch in batches:
        if wanted == 0:
            break
        if batch.drug_id != drug_id or batch.on_hand == 0:
            continue
        units = min(batch.on_hand, wanted)
        taken.append((batch, units))
        wanted -= units
    return taken


def _status_of(prescription: Prescription) -> str:
    lines = list(prescription.lines.values_list("quantity", "quantity_dispensed"))
    if all(done >= quantity for quantity, done in lines):
        return Prescription.Status.DISPENSED
    if any(done > 0 for _quantity, done in lines):
        return Prescription.Status.PARTIAL
    return Prescription.Status.OPEN


@dataclass
class Dispensed:
    line: PrescriptionLine
    quantity: int
    wanted: int

    @property
    def short(self) -> bool:
        return self.quantity < self.wanted


def dispense_already_sent(*, key: str | None, prescription: Prescription) -> bool:
    """Whether the dispensing form with this one-time key was already recorded."""
    return key is not None and DispenseSubmission.objects.filter(key=key, prescription_id=prescription.pk).exists()


def dispense_once(
    *, key: str, prescription: Prescription, quantities: Mapping[int, int], by: User | None
) -> list["Dispensed"] | None:
    """dispense() under a form's one-time key; None when that form was already sent (nothing is
    dispensed or billed a second time)."""
    try:
        with transaction.atomic():
            DispenseSubmission.objects.create(key=key, prescription_id=prescription.pk, by=by)
            return dispense(prescription=prescription, quantities=quantities, by=by)
    except IntegrityError:
        if DispenseSubmission.objects.filter(key=key, prescription_id=prescription.pk).exists():
            return None
        raise


@transaction.atomic
def dispense(*, prescription: Prescription, quantities: Mapping[int, int], by: User | None) -> list[Dispensed]:
    """Dispenses `quantities` (line pk → units; a compound is made whole or not at all) of an
    open prescription, from the batches earliest expiry first, never an expired one. When stock
    is short the line gets what there is and the rest stays open. Each drug handed over becomes
    a line of the visit's bill at the catalogue price of the moment, in the same transaction."""
    # Locks in the order every service takes them: the visit, the prescription, its lines, the
    # batches (then billing locks the bill).
    appointment = Appointment.objects.select_for_update().get(pk=prescription.appointment_id)
    prescription = Prescription.objects.select_for_update().get(pk=prescription.pk)
    if prescription.status not in (Prescription.Status.OPEN, Prescription.Status.PARTIAL):
        raise ValidationError(_("This prescription is not waiting to be dispensed."))
    # Locking reads without joins (see _locked); the drugs are read after, without a lock.
    lines = {
        line.pk: line
        for line in PrescriptionLine.objects.select_for_update()
        .filter(prescription=prescription, pk__in=list(quantities))
        .order_by("id")
    }
    drugs = Drug.objects.in_bulk({line.drug_id for line in lines.values() if line.drug_id})
    for line in lines.values():
        if line.drug_id:
            line.drug = drugs[line.drug_id]
    wanted = {}
    for pk, quantity in quantities.items():
        line = lines.get(pk)
        if line is None:
            raise ValidationError(_("This line is not on the prescription."))
        if quantity is None or quantity < 0:
            raise ValidationError(_("A quantity cannot be negative."))
        if quantity > line.remaining:
            raise ValidationError(
                _("%(line)s: at most %(remaining)s remain to be dispensed.")
                % {"line": line.title, "remaining": line.remaining}
            )
        if quantity:
            wanted[pk] = quantity
    if not wanted:
        raise ValidationError(_("Enter a quantity to dispense."))
    ingredients: dict[int, list[CompoundIngredient]] = {}
    for ingredient in CompoundIngredient.objects.filter(line_id__in=list(wanted)).select_related("drug"):
        ingredients.setdefault(ingredient.line_id, []).append(ingredient)
    drug_ids = {lines[pk].drug_id for pk in wanted if lines[pk].drug_id} | {
        i.drug_id for pk in wanted for i in ingredients.get(pk, [])
    }
    # Every batch this dispense may touch, locked at once in one order (drug, expiry, id).
    batches = list(
        Batch.objects.select_for_update()
        .filter(usable_batches(), drug_id__in=drug_ids, on_hand__gt=0)
        .order_by("drug_id", "expiry_date", "id")
    )
    now = timezone.now()
    results = []
    for pk, quantity in wanted.items():
        line = lines[pk]
        if line.is_compound:
            # A compound is made whole: each ingredient in proportion to the units made.
            plan = []
            for ingredient in ingredients.get(pk, []):
                units = -(-ingredient.quantity * quantity // line.quantity)  # rounded up
                take = _take_fefo(batches, ingredient.drug_id, units)
                if sum(n for _b, n in take) < units:
                    raise ValidationError(
                        _("%(line)s: not enough %(drug)s in stock to make the compound.")
                        % {"line": line.title, "drug": ingredient.drug}
                    )
                plan.append((ingredient.drug, take))
                for batch, n in take:
                    batch.on_hand -= n  # reserved for this plan; written back by _move below
            for _drug, take in plan:
                for batch, n in take:
                    batch.on_hand += n
            given = quantity
        else:
            take = _take_fefo(batches, line.drug_id, quantity)
            given = sum(n for _b, n in take)
            if given == 0:
                results.append(Dispensed(line, 0, quantity))
                continue
            plan = [(line.drug, take)]
        record = Dispense.objects.create(line=line, quantity=given, dispensed_by=by, dispensed_at=now)
        for drug, take in plan:
            for batch, n in take:
                _move(batch, StockMove.Kind.DISPENSE, -n, by=by, dispense=record)
            units = sum(n for _b, n in take)
            bill_item_add(
                appointment=appointment,
                code=drug.kfa_code,
                description=(f"{line.compound_name}: {drug}" if line.is_compound else str(drug)),
                quantity=units,
                unit_price=drug.price,
                source=f"pharmacy.dispense:{record.pk}:{drug.pk}",
            )
        line.quantity_dispensed += given
        line.save(update_fields=["quantity_dispensed"])
        results.append(Dispensed(line, given, quantity))
    if not any(result.quantity for result in results):
        raise ValidationError(_("Nothing could be dispensed: these drugs are out of stock."))
    prescription.status = _status_of(prescription)
    prescription.save(update_fields=["status"])
    return results
