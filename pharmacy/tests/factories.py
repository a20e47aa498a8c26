import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from pharmacy.models import Batch, Drug


class DrugFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Drug

    name = factory.Sequence(lambda n: f"Obat Uji {n}")
    generic_name = factory.Sequence(lambda n: f"generikum {n}")
    form = Drug.Form.TABLET
    strength = "500 mg"
    unit = "tablet"
    price = Decimal("500")


def batch_of(drug, *, on_hand=0, days=365, number=None, expiry=None) -> Batch:
    """A batch written directly (its on-hand without ledger rows): for tests that start from a
    stock, not from receiving it. stock() below receives through the service instead."""
    return Batch.objects.create(
        drug=drug,
        batch_number=number or f"B{Batch.objects.count() + 1:04d}",
        expiry_date=expiry or timezone.localdate() + datetime.timedelta(days=days),
        supplier="PT Uji Farma",
        purchase_price=Decimal("300"),
        on_hand=on_hand,
        received_at=timezone.now(),
    )


def stock(drug, quantity, *, days=365, number=None, by=None) -> Batch:
    """Receives `quantity` of a new batch through the service (a ledger row and its on-hand)."""
    from pharmacy.services import stock_receive

    return stock_receive(
        drug=drug,
        batch_number=number or f"B{Batch.objects.count() + 1:04d}",
        expiry_date=timezone.localdate() + datetime.timedelta(days=days),
        quantity=quantity,
        purchase_price=Decimal("300"),
        supplier="PT Uji Farma",
        by=by,
    )


def dispense_token(prescription) -> str:
    """The one-time token the dispensing form carries (pharmacy.forms.DispenseForm)."""
    from core.forms import submit_token_new
    from pharmacy.forms import dispense_token_scope

    return submit_token_new(dispense_token_scope(prescription))
