"""Payments on one bill under real concurrent requests (issue 5).

Ten cashiers post payments on the same bill at the same moment: the accepted payments never
add up to more than the total, every accepted payment has its row, and the bill's amount paid
and status follow its rows. Real threads, so MariaDB and PostgreSQL only (SQLite ignores row
locks); .ci/run runs the suite on both."""

import random
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from billing import services
from billing.models import Billing, Payment, PaymentMethod, Receipt, ReceiptSequence
from billing.tests.factories import BillingFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor == "sqlite",
        reason="SQLite serialises all writes; this runs on MariaDB and PostgreSQL in .ci/run",
    ),
]

CASHIERS = 10


def already_paid() -> str:
    return _("This bill is already paid in full.")


def more_than_owed(balance: str = "") -> str:
    """The refusal for an amount above the balance; without a balance, the part before it."""
    message = _("The amount is more than what is owed (Rp %(balance)s).")
    return message % {"balance": balance} if balance else message.split("%(balance)s")[0]


def rp(amount) -> str:
    """Rp 1.000.652,39 — whole rupiah without the cents."""
    text = f"{amount:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return "Rp " + text.removesuffix(",00")


def pay_together(bill, amounts):
    """One thread per amount, released together; ("ok", Payment) or ("error", exception) each."""
    barrier = threading.Barrier(len(amounts))
    outcomes = [None] * len(amounts)

    def worker(index, amount):
        try:
            barrier.wait(timeout=30)
            outcomes[index] = (
                "ok",
                services.payment_record(
                    bill=Billing.objects.get(pk=bill.pk),
                    amount=amount,
                    method=PaymentMethod.CASH,
                    received_by=None,
                    reference=f"kasir-{index}",
                ),
            )
        except BaseException as error:  # noqa: BLE001 - every outcome is inspected by the test
            outcomes[index] = ("error", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, amount)) for i, amount in enumerate(amounts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung (lock wait?)"
    return outcomes


def check_ledger(bill, outcomes, amounts, earlier=()):
    """Asserts the bill's invariants after the run (`earlier`: payments already accepted on
    it before); returns (accepted payments, refusals)."""
    accepted = [value for kind, value in outcomes if kind == "ok"]
    errors = [value for kind, value in outcomes if kind == "error"]
    refused = [error for error in errors if isinstance(error, ValidationError)]
    assert [e for e in errors if not isinstance(e, ValidationError)] == [], "a payment crashed"
    bill.refresh_from_db()
    rows = Payment.objects.filter(billing=bill)
    accepted_sum = sum((p.amount for p in [*earlier, *accepted]), Decimal("0"))
    # No payment lost, none invented: each accepted call has its row, and only those.
    assert sorted(p.pk for p in [*earlier, *accepted]) == sorted(rows.values_list("pk", flat=True))
    assert (rows.aggregate(s=Sum("amount"))["s"] or Decimal("0")) == accepted_sum
    assert accepted_sum <= bill.total_amount
    assert bill.amount_paid == accepted_sum
    assert bill.status == Billing.status_for(total=bill.total_amount, paid=bill.amount_paid)
    # The balance only goes down, so whoever was refused asked for more than what is left even
    # now (or came after the bill was paid in full): no payment was refused wrongly.
    for (kind, value), amount in zip(outcomes, amounts, strict=False):
        if kind == "error":
            if value.messages == [already_paid()]:
                assert bill.status == Billing.Status.PAID
            else:
                assert len(value.messages) == 1 and value.messages[0].startswith(more_than_owed()), value.messages
                assert amount > bill.balance
    return accepted, refused


class TestConcurrentPayments:
    @pytest.mark.parametrize(
        ("total", "accepted_count", "refusal"),
        [
            # 6 × 50.000 pay it off; the other 4 find it paid in full.
            (Decimal("300000"), 6, already_paid),
            # 5 × 50.000 leave Rp 25.000 owed; the other 5 ask for more than that.
            (Decimal("275000"), 5, lambda: more_than_owed("25.000")),
        ],
        ids=["300000-paid-off", "275000-more-than-owed"],
    )
    def test_it_accepts_exactly_what_the_bill_can_take(self, total, accepted_count, refusal, figures):  # noqa: F811
        for round_number in range(3):
            bill = BillingFactory(total_amount=total)
            amounts = [Decimal("50000")] * CASHIERS
            outcomes = pay_together(bill, amounts)
            accepted, refused = check_ledger(bill, outcomes, amounts)
            figures(
                f"round {round_number + 1}: bill {rp(total)}, {CASHIERS} × Rp 50.000 at once: "
                f"{len(accepted)} accepted (sum {rp(bill.amount_paid)}, status {bill.status}), "
                f"{len(refused)} refused: {sorted({' '.join(e.messages) for e in refused})}"
            )
            assert len(accepted) == accepted_count
            assert len(refused) == CASHIERS - accepted_count
            assert [error.messages for error in refused] == [[refusal()]] * (CASHIERS - accepted_count)
            assert bill.amount_paid == Decimal("50000") * accepted_count

    def test_it_never_takes_more_than_the_total_with_random_amounts(self, figures):  # noqa: F811
        rng = random.Random(5)
        for round_number in range(5):
            total = Decimal(rng.randrange(100_000, 600_000, 500))
            # Whole rupiah and some with cents; together they ask for about twice the total.
            amounts = [
                (total * Decimal(rng.uniform(0.05, 0.4))).quantize(rng.choice([Decimal("1"), Decimal("0.01")]))
                for _ in range(CASHIERS)
            ]
            bill = BillingFactory(total_amount=total)
            outcomes = pay_together(bill, amounts)
            accepted, refused = check_ledger(bill, outcomes, amounts)
            figures(
                f"round {round_number + 1}: bill {rp(total)}, {CASHIERS} payments asking for "
                f"{rp(sum(amounts))} at once: {len(accepted)} accepted, sum {rp(bill.amount_paid)} "
                f"≤ total, status {bill.status}, {len(refused)} refused"
            )
            assert accepted
            # Then every cashier tries to settle the rest at once: one does, the others find it paid.
            rest = [bill.balance] * CASHIERS
            outcomes = pay_together(bill, rest)
            settled, refused = check_ledger(bill, outcomes, rest, earlier=accepted)
            figures(
                f"round {round_number + 1}: {CASHIERS} × the balance {rp(rest[0])} at once: "
                f"{len(settled)} accepted, {len(refused)} refused as paid in full; "
                f"{bill.payments.count()} payment rows, sum {rp(bill.amount_paid)}, status {bill.status}"
            )
            assert len(settled) == 1
            assert [error.messages for error in refused] == [[already_paid()]] * (CASHIERS - 1)
            assert bill.status == Billing.Status.PAID and bill.amount_paid == total


def test_bills_paid_off_at_once_get_unique_gapless_receipt_numbers():
    # Ten cashiers each pay off a different bill at the same moment: the receipt numbers of the
    # year (billing.services.receipt_number_next) are 1..10, none twice, none skipped.
    bills = [BillingFactory(total_amount=Decimal("50000")) for _ in range(CASHIERS)]
    # The year's row, as migration 0005 writes it (this test's database is flushed between tests).
    ReceiptSequence.objects.get_or_create(year=timezone.localdate().year)
    barrier = threading.Barrier(CASHIERS)
    errors = []

    def worker(bill):
        try:
            barrier.wait(timeout=30)
            services.payment_record(bill=bill, amount=Decimal("50000"), method=PaymentMethod.CASH, received_by=None)
        except BaseException as error:  # noqa: BLE001 - the test reports every failure
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(bill,)) for bill in bills]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    numbers = sorted(Receipt.objects.filter(billing__in=[b.pk for b in bills]).values_list("number", flat=True))
    year = numbers[0].split("-")[1]
    assert numbers == [f"KW-{year}-{n:06d}" for n in range(1, CASHIERS + 1)]
