"""A money form sent twice moves the money once (issue 14, "Money and faults").

Each payment and void form carries a one-time token (core.forms.SubmitTokenField); the service
stores it unique with what the submit did (billing.SubmitToken). A replay, a double click or a
retry after a lost answer shows the first result instead of paying again."""

import re
import threading
from decimal import Decimal

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from billing.models import Billing, Payment, SubmitToken
from billing.tests.factories import BillingFactory, pay_token, void_data
from core.forms import submit_token_new

pytestmark = pytest.mark.django_db


@pytest.fixture
def bill():
    return BillingFactory(total_amount=Decimal("300000"))


@pytest.fixture
def cashier(client, receptionist):
    client.force_login(receptionist)
    return client


def payment_data(bill, amount="100000", token=None):
    token = pay_token(bill) if token is None else token
    return {"amount": amount, "method": "Cash", "insurance": "", "reference": "", "submit_token": token}


def pay(client, bill, data, **kwargs):
    return client.post(reverse("billing:pay", args=[bill.pk]), data, **kwargs)


def message_levels(response):
    return [(m.level_tag, str(m)) for m in response.context["messages"]]


def test_the_payment_form_renders_a_one_time_token(cashier, bill):
    html = cashier.get(reverse("billing:pay", args=[bill.pk])).content.decode()
    tokens = re.findall(r'name="submit_token" value="([^"]+)"', html)
    again = re.findall(
        r'name="submit_token" value="([^"]+)"', cashier.get(reverse("billing:pay", args=[bill.pk])).content.decode()
    )
    assert len(tokens) == 1 and len(again) == 1 and tokens != again


def test_a_replayed_payment_is_recorded_once_and_shows_the_first_result(cashier, bill):
    data = payment_data(bill)
    first = pay(cashier, bill, data)
    assert first.status_code == 302 and first["Location"] == reverse("billing:detail", args=[bill.pk])
    replay = pay(cashier, bill, data, follow=True)
    assert replay.redirect_chain == [(reverse("billing:detail", args=[bill.pk]), 302)]
    assert Payment.objects.filter(billing=bill).count() == 1
    bill.refresh_from_db()
    assert bill.amount_paid == Decimal("100000")
    (level, text) = message_levels(replay)[-1]
    assert level == "info" and bill.get_status_display() in text
    assert SubmitToken.objects.get().payment == Payment.objects.get()


def test_a_replay_after_the_bill_was_paid_off_still_shows_the_first_result(cashier, bill):
    """The whole balance: a second payment would be refused; its replay is not an error."""
    data = payment_data(bill, amount="300000")
    pay(cashier, bill, data)
    replay = pay(cashier, bill, data, follow=True)
    assert message_levels(replay)[-1][0] == "info"
    assert Payment.objects.filter(billing=bill).count() == 1


def test_a_new_form_pays_again(cashier, bill):
    pay(cashier, bill, payment_data(bill))
    pay(cashier, bill, payment_data(bill))
    assert Payment.objects.filter(billing=bill).count() == 2


def test_a_refused_payment_leaves_its_token_for_the_corrected_submit(cashier, bill):
    token = pay_token(bill)
    refused = pay(cashier, bill, payment_data(bill, amount="999999", token=token))
    assert refused.status_code == 200 and refused.context["form"].errors
    assert not SubmitToken.objects.exists()
    assert pay(cashier, bill, payment_data(bill, token=token)).status_code == 302
    assert Payment.objects.filter(billing=bill).count() == 1


@pytest.mark.parametrize(
    "token",
    [
        "",
        "made-up",
        pytest.param("other-bill", id="other-bill"),
        pytest.param("void-form", id="void-form"),
    ],
)
def test_a_missing_forged_or_foreign_token_is_refused_and_nothing_changes(cashier, bill, token):
    if token == "other-bill":
        token = pay_token(BillingFactory())
    elif token == "void-form":
        token = void_data(bill)["submit_token"]
    response = pay(cashier, bill, payment_data(bill, token=token))
    assert response.status_code == 200
    assert "submit_token" in response.context["form"].errors
    assert "alert-danger" in response.content.decode()
    assert not Payment.objects.exists() and not SubmitToken.objects.exists()


def test_an_expired_token_is_refused(cashier, bill, settings, monkeypatch):
    token = pay_token(bill)
    monkeypatch.setattr("core.forms.SUBMIT_TOKEN_MAX_AGE", -1)
    response = pay(cashier, bill, payment_data(bill, token=token))
    assert response.status_code == 200 and not Payment.objects.exists()


def test_no_read_of_the_bill_after_the_commit(cashier, bill):
    """billing/views.py read the bill again after the payment's commit (refresh_from_db): during
    a database outage the payment was saved and the cashier saw a 500, then paid again."""
    state = {"inserted": False, "committed": False, "failed": []}
    bill_read = re.compile(r'FROM [`"]billing[`"]')

    def outage_after_commit(execute, sql, params, many, context):
        if state["committed"] and sql.lstrip().upper().startswith("SELECT") and bill_read.search(sql):
            state["failed"].append(sql)
            raise OperationalError("server has gone away")
        result = execute(sql, params, many, context)
        if re.search(r'INSERT INTO [`"]payments[`"]', sql):
            state["inserted"] = True
        elif state["inserted"] and re.match(r"\s*(RELEASE SAVEPOINT|COMMIT)", sql, re.IGNORECASE):
            state["committed"] = True  # the payment's own transaction (a savepoint in the test's)
        return result

    with connection.execute_wrapper(outage_after_commit):
        response = pay(cashier, bill, payment_data(bill))
    assert response.status_code == 302 and state["failed"] == []
    assert Payment.objects.filter(billing=bill).count() == 1


class TestVoid:
    def test_a_replayed_void_voids_once_and_says_so_again(self, cashier, bill):
        data = void_data(bill)
        url = reverse("billing:void", args=[bill.pk])
        cashier.post(url, data)
        replay = cashier.post(url, data, follow=True)
        assert [level for level, _text in message_levels(replay)] == ["success", "success"]
        assert Billing.objects.get(pk=bill.pk).status == Billing.Status.VOID
        assert SubmitToken.objects.filter(action=SubmitToken.Action.VOID).count() == 1

    def test_a_void_without_its_token_changes_nothing(self, cashier, bill):
        response = cashier.post(reverse("billing:void", args=[bill.pk]), follow=True)
        assert [level for level, _text in message_levels(response)] == ["error"]
        assert Billing.objects.get(pk=bill.pk).status == Billing.Status.UNPAID

    def test_a_payment_token_does_not_void(self, cashier, bill):
        data = {"submit_token": submit_token_new(f"billing.pay:{bill.pk}")}
        cashier.post(reverse("billing:void", args=[bill.pk]), data)
        assert Billing.objects.get(pk=bill.pk).status == Billing.Status.UNPAID


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="SQLite serialises all writes; this runs on MariaDB and PostgreSQL in .ci/run"
)
@pytest.mark.parametrize("clicks", [2, 4])
def test_a_double_click_sent_at_once_records_one_payment(receptionist, clicks):
    """The same form posted by several requests at the same moment, each on its own connection."""
    bill = BillingFactory(total_amount=Decimal("300000"))
    data = payment_data(bill)
    clients = []
    for _ in range(clicks):
        client = Client()
        client.force_login(receptionist)
        clients.append(client)
    barrier = threading.Barrier(clicks)
    responses = [None] * clicks

    def click(index):
        try:
            barrier.wait(timeout=30)
            responses[index] = clients[index].post(reverse("billing:pay", args=[bill.pk]), data)
        except BaseException as error:  # noqa: BLE001 - inspected below
            responses[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=click, args=(i,)) for i in range(clicks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert [getattr(r, "status_code", r) for r in responses] == [302] * clicks
    assert Payment.objects.filter(billing=bill).count() == 1
    bill.refresh_from_db()
    assert bill.amount_paid == Decimal("100000")
