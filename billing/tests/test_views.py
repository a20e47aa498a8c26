import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from billing import services
from billing.models import Billing, BillItem, Payment, PaymentMethod
from billing.tests.factories import BillingFactory, InsuranceFactory, PaymentFactory, pay_token, void_data
from patients.tests.factories import PatientFactory
from scheduling.tests.factories import AppointmentServiceFactory, ServiceFactory

pytestmark = pytest.mark.django_db

VISIT = datetime.datetime(2026, 12, 7, 9, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=7)))


@pytest.fixture
def bill():
    """A bill of Rp 300.000: a consultation of Rp 150.000 and two dressings of Rp 75.000."""
    bill = BillingFactory(
        total_amount=Decimal("300000"),
        appointment__patient__full_name="Siti Rahayu",
        appointment__appointment_date=VISIT,
    )
    AppointmentServiceFactory(
        appointment=bill.appointment,
        service=ServiceFactory(code="KON01", name="Konsultasi dokter umum"),
        unit_price=Decimal("150000"),
    )
    AppointmentServiceFactory(
        appointment=bill.appointment,
        service=ServiceFactory(code="PRW02", name="Perawatan luka"),
        quantity=2,
        unit_price=Decimal("75000"),
    )
    return bill


@pytest.fixture
def staff_client(client, receptionist):
    client.force_login(receptionist)
    return client


def pay_url(bill):
    return reverse("billing:pay", args=[bill.pk])


def post_payment(client, bill, amount, method=PaymentMethod.CASH, **extra):
    data = {"amount": amount, "method": method, "insurance": "", "reference": "", "submit_token": pay_token(bill)}
    return client.post(pay_url(bill), {**data, **extra})


PAGES = ["billing:detail", "billing:pay", "billing:receipt", "billing:receipt_pdf"]


class TestAccess:
    @pytest.mark.parametrize("name", ["billing:unpaid", *PAGES, "billing:void"])
    def test_it_sends_anonymous_visitors_to_login(self, client, bill, name):
        url = reverse(name) if name == "billing:unpaid" else reverse(name, args=[bill.pk])
        for response in (client.get(url), client.post(url)):
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("accounts:login"))
        assert Payment.objects.count() == 0
        bill.refresh_from_db()
        assert bill.status == Billing.Status.UNPAID

    @pytest.mark.parametrize("name", ["billing:unpaid", *PAGES])
    def test_it_refuses_doctors(self, client, doctor_user, bill, name):
        client.force_login(doctor_user)
        url = reverse(name) if name == "billing:unpaid" else reverse(name, args=[bill.pk])
        assert client.get(url).status_code == 403

    def test_it_refuses_doctors_a_payment_and_a_void(self, client, doctor_user, bill):
        client.force_login(doctor_user)
        assert post_payment(client, bill, "100000").status_code == 403
        assert client.post(reverse("billing:void", args=[bill.pk])).status_code == 403
        bill.refresh_from_db()
        assert (bill.status, Payment.objects.count()) == (Billing.Status.UNPAID, 0)

    @pytest.mark.parametrize("name", [*PAGES, "billing:void"])
    def test_it_answers_404_for_a_bill_that_does_not_exist(self, client, admin_user, name):
        client.force_login(admin_user)
        url = reverse(name, args=[999999])
        response = client.post(url) if name == "billing:void" else client.get(url)
        assert response.status_code == 404

    @pytest.mark.parametrize("name", PAGES)
    def test_it_lets_admins_in(self, client, admin_user, bill, name):
        client.force_login(admin_user)
        assert client.get(reverse(name, args=[bill.pk])).status_code == 200

    def test_it_takes_void_by_post_only(self, staff_client, bill):
        assert staff_client.get(reverse("billing:void", args=[bill.pk])).status_code == 405
        bill.refresh_from_db()
        assert bill.status == Billing.Status.UNPAID

    @pytest.mark.parametrize("name", ["billing:detail", "billing:receipt", "billing:receipt_pdf"])
    def test_it_refuses_post_on_read_only_pages(self, staff_client, bill, name):
        # (The unpaid list takes its search as a POST: its words stay out of URLs.)
        assert staff_client.post(reverse(name, args=[bill.pk])).status_code == 405


class TestUnpaidList:
    def test_it_lists_unpaid_and_partially_paid_bills_oldest_first(self, staff_client, bill):
        now = datetime.datetime(2026, 12, 7, 10, 0, tzinfo=datetime.UTC)
        bill.issued_at = now
        bill.save()
        older = BillingFactory(
            number="INV-OLD", total_amount=Decimal("200000"), issued_at=now - datetime.timedelta(days=3)
        )
        # Through the service, as the front desk pays: the list's total reads the summary of open
        # bills, which QuerySet.update() would bypass.
        services.payment_record(bill=older, amount=Decimal("50000"), method=PaymentMethod.CASH, received_by=None)
        paid = BillingFactory(number="INV-PAID", total_amount=Decimal("100000"))
        services.payment_record(bill=paid, amount=Decimal("100000"), method=PaymentMethod.CASH, received_by=None)
        void = BillingFactory(number="INV-VOID")
        services.bill_void(bill=void, by=None)

        response = staff_client.get(reverse("billing:unpaid"))

        assert response.status_code == 200
        assert [b.number for b in response.context["page"].object_list] == ["INV-OLD", bill.number]
        html = response.content.decode()
        assert "INV-PAID" not in html and "INV-VOID" not in html
        assert "Siti Rahayu" in html and bill.patient.medical_record_number in html
        assert bill.appointment.doctor.full_name in html
        assert "04-12-2026" in html  # the older bill's issue date (Jakarta time), dd-mm-yyyy
        assert "Rp 300.000" in html and "Rp 150.000" in html and "Rp 50.000" in html
        # What is outstanding: 300.000 + (200.000 − 50.000).
        assert response.context["outstanding"] == Decimal("450000")
        assert "Rp 450.000" in html
        assert reverse("billing:detail", args=[bill.pk]) in html

    @pytest.mark.parametrize("term", ["siti", "RM-", "INV-T"])
    def test_it_searches_by_patient_name_no_rm_or_invoice_number(self, staff_client, bill, term):
        other = BillingFactory(number="X-999", appointment__patient__full_name="Budi Santoso")
        other.patient.medical_record_number = "ZZ-1"
        other.patient.save()
        if term == "RM-":
            term = bill.patient.medical_record_number
        response = staff_client.post(reverse("billing:unpaid"), {"q": term}, follow=True)
        assert [b.pk for b in response.context["page"].object_list] == [bill.pk]
        assert response.context["outstanding"] == Decimal("300000")

    def test_it_answers_htmx_searches_with_the_table_only(self, staff_client, bill):
        response = staff_client.post(reverse("billing:unpaid"), {"q": "siti"}, headers={"HX-Request": "true"})
        html = response.content.decode()
        assert "Siti Rahayu" in html
        assert '<nav class="navbar' not in html and 'id="unpaid-table"' in html
        assert response["HX-Push-Url"].startswith(reverse("billing:unpaid") + "?s=")
        assert "siti" not in response["HX-Push-Url"].lower()

    def test_it_keeps_the_search_out_of_the_url_and_pages_on_its_token(self, staff_client, bill):
        for n in range(60):
            BillingFactory(number=f"INV-S{n:03d}", appointment__patient__full_name=f"Siti {n:02d}")
        response = staff_client.post(reverse("billing:unpaid"), {"q": "siti"})
        assert response.status_code == 302 and "siti" not in response.url.lower()
        first = staff_client.get(response.url)
        assert first.context["page"].paginator.count == 61
        html = first.content.decode()
        token = response.url.split("s=", 1)[1]
        assert f"s={token}" in html and "page=2" in html
        second = staff_client.get(response.url + "&page=2")
        assert second.context["page"].number == 2 and second.context["query"] == "siti"

    def test_it_ignores_a_search_in_the_query_string(self, staff_client, bill):
        response = staff_client.get(reverse("billing:unpaid"), {"q": "zzz-nobody"})
        assert response.context["query"] == "" and response.context["page"].paginator.count == 1

    def test_it_pages_by_fifty(self, staff_client):
        BillingFactory.create_batch(51)
        first = staff_client.get(reverse("billing:unpaid"))
        assert len(first.context["page"].object_list) == 50
        second = staff_client.get(reverse("billing:unpaid"), {"page": 2})
        assert len(second.context["page"].object_list) == 1
        assert staff_client.get(reverse("billing:unpaid"), {"page": "abc"}).status_code == 200

    def test_it_runs_the_same_number_of_queries_for_1_and_50_bills(self, staff_client, django_assert_num_queries):
        BillingFactory()
        url = reverse("billing:unpaid")
        staff_client.get(url)  # warm up: the first request may load content types, translations
        # 1 user (the session is a cache hit), 2 count and outstanding total (the open bills'
        # summary), 3-4 the page's keys of each open status through the (status, issued_at) index,
        # 5 the page's bills by primary key with patient and doctor joined.
        with django_assert_num_queries(5):
            assert len(staff_client.get(url).context["page"].object_list) == 1
        BillingFactory.create_batch(49)
        with django_assert_num_queries(5):
            assert len(staff_client.get(url).context["page"].object_list) == 50

    def test_it_escapes_patient_names(self, staff_client):
        BillingFactory(appointment__patient__full_name="<script>alert(1)</script>")
        html = staff_client.get(reverse("billing:unpaid")).content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


class TestBillPage:
    def test_it_shows_the_bill_with_its_lines_totals_and_payments(self, staff_client, bill, receptionist, settings):
        services.payment_record(
            bill=bill,
            amount=Decimal("100000"),
            method=PaymentMethod.TRANSFER,
            received_by=receptionist,
            reference="TRF-778",
        )
        response = staff_client.get(reverse("billing:detail", args=[bill.pk]))
        assert response.status_code == 200
        html = response.content.decode()
        assert settings.CLINIC_NAME in html and settings.CLINIC_ADDRESS in html
        assert response.context["CLINIC_NAME"] == settings.CLINIC_NAME
        assert bill.number in html and "Siti Rahayu" in html and bill.patient.medical_record_number in html
        assert bill.appointment.doctor.full_name in html
        for text in (
            "KON01",
            "Konsultasi dokter umum",
            "PRW02",
            "Perawatan luka",
            "Rp 75.000",
            "Rp 150.000",
            "Rp 300.000",
            "Rp 100.000",
            "Rp 200.000",
            "TRF-778",
            str(receptionist),
        ):
            assert text in html, text
        assert [line.line_total for line in response.context["lines"]] == [Decimal("150000"), Decimal("150000")]
        assert "07-12-2026 09.30" in html  # the visit, in clinic time
        assert reverse("billing:pay", args=[bill.pk]) in html
        assert reverse("billing:receipt", args=[bill.pk]) in html
        assert reverse("billing:receipt_pdf", args=[bill.pk]) in html
        # A bill with a payment cannot be voided: no button.
        assert reverse("billing:void", args=[bill.pk]) not in html

    def test_it_offers_void_with_a_confirmation_only_without_payments(self, staff_client, bill):
        html = staff_client.get(reverse("billing:detail", args=[bill.pk])).content.decode()
        assert f'action="{reverse("billing:void", args=[bill.pk])}"' in html
        assert "data-confirm=" in html

    def test_it_offers_no_payment_on_a_paid_bill(self, staff_client, bill):
        services.payment_record(bill=bill, amount=Decimal("300000"), method=PaymentMethod.CASH, received_by=None)
        html = staff_client.get(reverse("billing:detail", args=[bill.pk])).content.decode()
        assert reverse("billing:pay", args=[bill.pk]) not in html

    def test_it_runs_a_fixed_number_of_queries(self, staff_client, bill, django_assert_num_queries):
        url = reverse("billing:detail", args=[bill.pk])
        staff_client.get(url)
        # user (the session is a cache hit), the bill with patient/doctor/insurance, the audit row, its
        # service lines, its other items (drugs dispensed), its payments.
        with django_assert_num_queries(6):
            staff_client.get(url)
        for _ in range(3):
            PaymentFactory(billing=bill, amount=Decimal("1000"))
            BillItem.objects.create(
                appointment=bill.appointment, description="Obat", quantity=1, unit_price=1, source=f"t:{_}"
            )
        with django_assert_num_queries(6):
            staff_client.get(url)


class TestPayment:
    def test_it_proposes_the_balance(self, staff_client, bill):
        services.payment_record(bill=bill, amount=Decimal("100000"), method=PaymentMethod.CASH, received_by=None)
        response = staff_client.get(pay_url(bill))
        assert response.status_code == 200
        assert response.context["form"]["amount"].value() == "200000"

    def test_it_goes_partially_paid_then_paid(self, staff_client, bill, receptionist):
        response = post_payment(staff_client, bill, "100.000")
        assert response.status_code == 302 and response["Location"] == reverse("billing:detail", args=[bill.pk])
        bill.refresh_from_db()
        assert (bill.amount_paid, bill.status) == (Decimal("100000"), Billing.Status.PARTIALLY_PAID)
        page = staff_client.get(response["Location"])
        assert bill.get_status_display() in [str(m) for m in page.context["messages"]][0]

        response = post_payment(staff_client, bill, "200000,00", PaymentMethod.CREDIT_CARD, reference="EDC-1")
        assert response.status_code == 302
        bill.refresh_from_db()
        assert (bill.amount_paid, bill.status, bill.payment_method) == (
            Decimal("300000"),
            Billing.Status.PAID,
            PaymentMethod.CREDIT_CARD,
        )
        payment = bill.payments.last()
        assert (payment.reference, payment.received_by) == ("EDC-1", receptionist)

    @pytest.mark.parametrize(
        ("typed", "amount"),
        [
            ("150000", "150000"),
            ("150.000", "150000"),
            ("150000,00", "150000"),
            ("Rp 150.000", "150000"),
            (" 1.000 ", "1000"),
            ("１５０.０００", "150000"),  # fullwidth digits fold to 0-9
        ],
    )
    def test_it_reads_indonesian_amounts(self, staff_client, bill, typed, amount):
        assert post_payment(staff_client, bill, typed).status_code == 302
        assert Payment.objects.get().amount == Decimal(amount)

    @pytest.mark.parametrize(
        "typed",
        ["", "abc", "150.00", "150,000.00", "1.50.000", "150000,001", "1e5", "12,5,0", "NaN", "99999999999999999999"],
    )
    def test_it_shows_the_form_again_for_an_unreadable_amount(self, staff_client, bill, typed):
        response = post_payment(staff_client, bill, typed)
        assert response.status_code == 200
        assert response.context["form"].errors["amount"]
        assert not Payment.objects.exists()

    @pytest.mark.parametrize(
        ("typed", "message"),
        [
            ("1,5", "whole rupiah"),  # was read as Rp 1,50
            ("150.000,50", "whole rupiah"),
            ("150,000", "whole rupiah"),
            ("١٠٠٠", "0–9"),  # Arabic-Indic digits were read as Rp 1.000
        ],
    )
    def test_it_says_why_cents_and_other_digits_are_refused(self, staff_client, bill, typed, message):
        staff_client.cookies["django_language"] = "en"
        response = post_payment(staff_client, bill, typed)
        assert response.status_code == 200
        assert message in response.context["form"].errors["amount"][0]
        assert not Payment.objects.exists()

    @pytest.mark.parametrize("typed", ["300.001", "500000", "0", "-100"])
    def test_it_refuses_more_than_owed_zero_or_negative_and_saves_nothing(self, staff_client, bill, typed):
        response = post_payment(staff_client, bill, typed)
        assert response.status_code == 200
        assert response.context["form"].errors["amount"]
        bill.refresh_from_db()
        assert (bill.amount_paid, bill.status) == (0, Billing.Status.UNPAID)
        assert not Payment.objects.exists()

    def test_it_shows_the_balance_when_refusing_an_excess(self, staff_client, bill):
        response = post_payment(staff_client, bill, "300.001")
        assert "300.000" in response.content.decode()

    def test_it_refuses_a_payment_on_a_paid_bill(self, staff_client, bill):
        services.payment_record(bill=bill, amount=Decimal("300000"), method=PaymentMethod.CASH, received_by=None)
        response = post_payment(staff_client, bill, "1000")
        assert response.status_code == 200
        assert response.context["form"].non_field_errors()
        assert Payment.objects.count() == 1
        # Asking for the form of a paid bill leads back to the bill.
        assert staff_client.get(pay_url(bill)).status_code == 302

    def test_it_requires_a_policy_for_an_insurance_payment(self, staff_client, bill):
        response = post_payment(staff_client, bill, "100000", PaymentMethod.INSURANCE)
        assert response.status_code == 200
        assert response.context["form"].errors["insurance"]
        assert 'class="form-select is-invalid"' in response.content.decode()
        assert not Payment.objects.exists()

    def test_it_refuses_a_policy_that_does_not_cover_the_visit(self, staff_client, bill):
        expired = InsuranceFactory(
            patient=bill.patient, valid_from=datetime.date(2025, 1, 1), valid_until=datetime.date(2025, 12, 31)
        )
        response = post_payment(staff_client, bill, "100000", PaymentMethod.INSURANCE, insurance=expired.pk)
        assert response.status_code == 200
        assert response.context["form"].errors["insurance"]
        assert not Payment.objects.exists()

    def test_it_offers_only_this_patients_policies(self, staff_client, bill):
        own = InsuranceFactory(patient=bill.patient)
        foreign = InsuranceFactory(patient=PatientFactory())
        response = staff_client.get(pay_url(bill))
        assert list(response.context["form"].fields["insurance"].queryset) == [own]
        response = post_payment(staff_client, bill, "100000", PaymentMethod.INSURANCE, insurance=foreign.pk)
        assert response.status_code == 200
        assert response.context["form"].errors["insurance"]
        assert not Payment.objects.exists()

    def test_it_takes_an_insurance_payment_with_a_valid_policy(self, staff_client, bill):
        policy = InsuranceFactory(patient=bill.patient)
        response = post_payment(
            staff_client, bill, "300000", PaymentMethod.INSURANCE, insurance=policy.pk, reference="SEP-0001"
        )
        assert response.status_code == 302
        bill.refresh_from_db()
        assert (bill.status, bill.insurance) == (Billing.Status.PAID, policy)
        assert Payment.objects.get().insurance == policy

    def test_it_refuses_an_unknown_method(self, staff_client, bill):
        response = post_payment(staff_client, bill, "100000", "Bitcoin")
        assert response.status_code == 200
        assert response.context["form"].errors["method"]
        assert not Payment.objects.exists()


class TestVoid:
    def test_it_voids_a_bill_without_payments(self, staff_client, bill):
        response = staff_client.post(reverse("billing:void", args=[bill.pk]), void_data(bill))
        assert response.status_code == 302 and response["Location"] == reverse("billing:detail", args=[bill.pk])
        bill.refresh_from_db()
        assert bill.status == Billing.Status.VOID
        html = staff_client.get(response["Location"]).content.decode()
        assert reverse("billing:pay", args=[bill.pk]) not in html
        assert f'action="{reverse("billing:void", args=[bill.pk])}"' not in html

    def test_it_refuses_to_void_a_bill_with_payments(self, staff_client, bill):
        services.payment_record(bill=bill, amount=Decimal("100000"), method=PaymentMethod.CASH, received_by=None)
        response = staff_client.post(reverse("billing:void", args=[bill.pk]), void_data(bill), follow=True)
        assert response.status_code == 200
        assert [m.level_tag for m in response.context["messages"]] == ["error"]
        bill.refresh_from_db()
        assert bill.status == Billing.Status.PARTIALLY_PAID

    def test_it_refuses_to_void_twice(self, staff_client, bill):
        staff_client.post(reverse("billing:void", args=[bill.pk]), void_data(bill), follow=True)
        response = staff_client.post(reverse("billing:void", args=[bill.pk]), void_data(bill), follow=True)
        assert [m.level_tag for m in response.context["messages"]] == ["error"]


class TestReceipt:
    def test_it_prints_a_clean_receipt(self, staff_client, bill, settings):
        services.payment_record(bill=bill, amount=Decimal("100000"), method=PaymentMethod.CASH, received_by=None)
        bill.refresh_from_db()
        response = staff_client.get(reverse("billing:receipt", args=[bill.pk]))
        assert response.status_code == 200
        html = response.content.decode()
        assert "navbar" not in html
        assert "Kuitansi" in html
        assert "data-print" in html
        for text in (
            settings.CLINIC_NAME,
            settings.CLINIC_ADDRESS,
            bill.number,
            "Siti Rahayu",
            bill.patient.medical_record_number,
            bill.appointment.doctor.full_name,
            "07-12-2026",
            "Konsultasi dokter umum",
            "Perawatan luka",
            "Rp 300.000",
            "Rp 100.000",
            "Rp 200.000",
            bill.get_status_display(),
        ):
            assert text in html, text

    def test_it_escapes_everything(self, staff_client, bill):
        bill.patient.full_name = "<script>alert(1)</script>"
        bill.patient.save()
        for name in ("billing:receipt", "billing:detail", "billing:pay"):
            html = staff_client.get(reverse(name, args=[bill.pk])).content.decode()
            assert "<script>alert(1)</script>" not in html
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_it_does_not_call_the_amount_paid_of_an_unpaid_bill_lunas(staff_client, bill):
    # "Paid" is also the status (Indonesian "Lunas"); the amount has its own label.
    for name in ("billing:detail", "billing:receipt", "billing:pay"):
        assert "Lunas" not in staff_client.get(reverse(name, args=[bill.pk])).content.decode()
    assert "Lunas" not in staff_client.get(reverse("billing:unpaid")).content.decode()
