"""The pharmacy of a seeded clinic (seed_demo): the drug catalogue, two batches a drug received
through the ledger, and prescriptions on the latest completed visits — the newest still open in
the pharmacy's queue, the rest dispensed — so that the dispensing queue and the stock pages are
measured against a prescriptions table of realistic size. Through the ORM's bulk_create, after
the bulk load: a few hundred thousand rows at most."""

import datetime as dt
from collections import Counter
from decimal import Decimal
from random import Random

from django.db import transaction
from django.utils import timezone

from pharmacy.models import Batch, Drug, Prescription, PrescriptionLine, StockMove
from sampledata import vocab
from scheduling.models import Appointment

# One prescription for each of the latest completed visits, up to this many; the newest OPEN of
# them wait in the queue.
MAX_PRESCRIPTIONS = 50_000
OPEN = 200
BATCH_SIZE = 2_000


def seed_pharmacy(*, alias: str, n_patients: int, seed: int, today: dt.date, by_id: int | None) -> Counter:
    rng = Random(seed + 16)
    rows = Counter()
    tz = timezone.get_current_timezone()
    received = dt.datetime.combine(today - dt.timedelta(days=30), dt.time(9), tzinfo=tz)
    with transaction.atomic(using=alias):
        drugs = Drug.objects.using(alias).bulk_create(
            Drug(
                name=name,
                generic_name=generic,
                form=form,
                strength=strength,
                unit=unit,
                price=Decimal(price),
                minimum_stock=minimum,
            )
            for name, generic, form, strength, unit, price, minimum in vocab.DRUGS
        )
        batches = []
        for drug in drugs:
            for n in range(2):
                batches.append(
                    Batch(
                        drug=drug,
                        batch_number=f"BN{drug.pk:03d}-{n}",
                        expiry_date=today + dt.timedelta(days=rng.randint(30, 900)),
                        supplier=rng.choice(vocab.SUPPLIERS),
                        purchase_price=drug.price * Decimal("0.7"),
                        on_hand=rng.randint(2, 40) * max(drug.minimum_stock, 10),
                        received_at=received,
                    )
                )
        batches = Batch.objects.using(alias).bulk_create(batches)
        StockMove.objects.using(alias).bulk_create(
            StockMove(batch=b, kind="receive", quantity=b.on_hand, reason=b.supplier, by_id=by_id, at=received)
            for b in batches
        )
        rows.update(drugs=len(drugs), drug_batches=len(batches), stock_moves=len(batches))
        wanted = min(MAX_PRESCRIPTIONS, max(n_patients // 20, OPEN))
        visits = list(
            Appointment.objects.using(alias)
            .filter(status=Appointment.Status.COMPLETED)
            .order_by("-id")
            .values_list("id", "patient_id", "doctor_id", "end_time")[:wanted]
        )
        by_name = {drug.name: drug for drug in drugs}
        for start in range(0, len(visits), BATCH_SIZE):
            chunk = visits[start : start + BATCH_SIZE]
            prescriptions = Prescription.objects.using(alias).bulk_create(
                Prescription(
                    appointment_id=visit_id,
                    patient_id=patient_id,
                    doctor_id=doctor_id,
                    status="open" if start + i < OPEN else "dispensed",
                    written_at=end,
                )
                for i, (visit_id, patient_id, doctor_id, end) in enumerate(chunk)
            )
            lines = []
            for prescription in prescriptions:
                for drug, times, dose, timing, days, quantity in rng.choice(vocab.PRESCRIPTIONS):
                    lines.append(
                        PrescriptionLine(
                            prescription=prescription,
                            drug=by_name[drug],
                            times_per_day=times,
                            dose=dose,
                            timing=timing,
                            duration_days=days,
                            quantity=quantity,
                            quantity_dispensed=0 if prescription.status == "open" else quantity,
                        )
                    )
            PrescriptionLine.objects.using(alias).bulk_create(lines)
            rows.update(prescriptions=len(prescriptions), prescription_lines=len(lines))
    return rows
