"""The dashboard (issue 6): figures on known data in Jakarta time, the CSV export, the allow-list
of period and dates, the roles, and a query count that does not grow with the data."""

import csv
import datetime
import io
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from billing.models import Billing, PaymentMethod
from billing.tests.factories import BillingFactory, InsuranceFactory, PaymentFactory
from patients.tests.factories import DoctorFactory, PatientFactory
from reports import selectors
from reports.summaries import rebuild_all
from scheduling.models import Appointment
from scheduling.tests.factories import AppointmentFactory, AppointmentServiceFactory, ServiceFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
WIB = ZoneInfo("Asia/Jakarta")
URL = reverse("dashboard")
EXPORT = reverse("dashboard_export")


def utc(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


def pay(amount, when, method=PaymentMethod.CASH, bill=None):
    extra = {"insurance": InsuranceFactory()} if method == PaymentMethod.INSURANCE else {}
    return PaymentFactory(
        amount=Decimal(amount), paid_at=when, method=method, **({"billing": bill} if bill else {}), **extra
    )


def today_at(minutes: int) -> datetime.datetime:
    """An aware datetime today in Jakarta, `minutes` after local midnight."""
    midnight = datetime.datetime.combine(timezone.localdate(), datetime.time.min, tzinfo=WIB)
    return midnight + datetime.timedelta(minutes=minutes)


def rows_of(response) -> dict[str, Decimal]:
    return {row["label"]: row["total"] for row in response.context["rows"]}


# --- Figures on known data --------------------------------------------------------------------


def test_it_sums_payments_per_jakarta_day(client, admin_user):
    pay("100000", utc(2025, 3, 9, 10, 0))  # 17.00 WIB on the 9th
    pay("50000", utc(2025, 3, 9, 23, 30))  # 06.30 WIB on the 10th: the next day in Jakarta
    pay("25000", utc(2025, 3, 10, 16, 59))  # 23.59 WIB on the 10th
    pay("7000", utc(2025, 3, 10, 17, 0))  # 00.00 WIB on the 11th: outside the range
    client.force_login(admin_user)
    response = client.get(URL, {"period": "day", "start": "2025-03-09", "end": "2025-03-10"})
    assert response.status_code == 200
    assert rows_of(response) == {"09-03-2025": Decimal("100000"), "10-03-2025": Decimal("75000")}
    assert response.context["revenue_total"] == Decimal("175000")
    assert response.context["chart"]["values"] == ["100000", "75000"]  # plain numbers for JavaScript
    assert response.context["notices"] == []
    content = response.content.decode()
    assert 'id="revenue-data" type="application/json"' in content
    assert '"values": ["100000", "75000"]' in content
    assert "Rp 75.000" in content


def test_it_sums_payments_per_jakarta_month_and_year(client, admin_user):
    pay("100000", utc(2025, 1, 15, 3, 0))
    pay("40000", utc(2025, 1, 31, 17, 30))  # 00.30 WIB on 1 February
    pay("30000", utc(2024, 12, 31, 18, 0))  # 01.00 WIB on 1 January 2025
    pay("20000", utc(2024, 6, 1, 3, 0))
    client.force_login(admin_user)
    months = rows_of(client.get(URL, {"period": "month", "start": "2024-12-01", "end": "2025-03-31"}))
    assert months == {
        "12-2024": Decimal("0"),
        "01-2025": Decimal("130000"),
        "02-2025": Decimal("40000"),
        "03-2025": Decimal("0"),
    }
    years = rows_of(client.get(URL, {"period": "year", "start": "2023-01-01", "end": "2025-12-31"}))
    assert years == {"2023": Decimal("0"), "2024": Decimal("20000"), "2025": Decimal("170000")}


def test_it_shows_methods_services_patients_doctors_today_and_unpaid(client, admin_user, doctor_user):
    now = timezone.now()
    consult = ServiceFactory(name="Konsultasi umum")
    lab = ServiceFactory(name="Cek darah")
    bill = BillingFactory(
        total_amount=Decimal("250000"),
        amount_paid=Decimal("100000"),
        status=Billing.Status.PARTIALLY_PAID,
        issued_at=now,
    )
    AppointmentServiceFactory(appointment=bill.appointment, service=consult, quantity=1, unit_price=Decimal("150000"))
    AppointmentServiceFactory(appointment=bill.appointment, service=lab, quantity=2, unit_price=Decimal("50000"))
    void = BillingFactory(total_amount=Decimal("90000"), status=Billing.Status.VOID, issued_at=now)
    AppointmentServiceFactory(appointment=void.appointment, service=consult, unit_price=Decimal("90000"))
    BillingFactory(total_amount=Decimal("300000"))  # unpaid, no lines
    pay("100000", now, bill=bill)
    pay("60000", now, method=PaymentMethod.TRANSFER)
    pay("40000", now, method=PaymentMethod.TRANSFER)
    PatientFactory(is_active=False)
    DoctorFactory(is_active=False)
    mine = doctor_user.doctor_profile
    AppointmentFactory(doctor=mine, appointment_date=today_at(60), status=Appointment.Status.COMPLETED)
    AppointmentFactory(doctor=mine, appointment_date=today_at(120))
    AppointmentFactory(appointment_date=today_at(60), status=Appointment.Status.CHECKED_IN)
    rebuild_all()  # the lines were added after their bills, which no service does
    client.force_login(admin_user)
    context = client.get(URL).context  # the default range: the last 30 days, today included

    assert [(r["method"], r["total"], r["count"]) for r in context["by_method"]] == [
        ("Cash", Decimal("100000"), 1),
        ("Transfer", Decimal("100000"), 2),
    ]
    assert [(r["service__name"], r["total"], r["quantity"]) for r in context["by_service"]] == [
        ("Konsultasi umum", Decimal("150000"), 1),
        ("Cek darah", Decimal("100000"), 2),
    ]
    # Patients: one per appointment (3 bills, 2 for the transfers, 3 today) and the inactive one.
    assert context["patients"] == {"active": 8, "new": 9}
    # doctor_user and the doctor of every other appointment (3 bills, 2 transfers, 1 today), not the inactive one
    assert context["doctors"] == 1 + 3 + 2 + 1
    today = context["appointments"]
    assert today["total"] == 3
    assert {r["status"]: r["count"] for r in today["by_status"]}["scheduled"] == 1
    assert {r["status"]: r["count"] for r in today["by_status"]}["completed"] == 1
    assert {r["name"]: r["count"] for r in today["by_doctor"]}["dr. Test Dokter"] == 2
    # Unpaid: 150.000 of the partly paid bill + 300.000; the payments' own bills (unpaid 300.000 each) too
    assert context["unpaid"] == {"total": Decimal("150000") + 3 * Decimal("300000"), "count": 4}


# --- CSV --------------------------------------------------------------------------------------


def test_it_exports_the_revenue_table_as_csv_without_formulas(client, admin_user):
    when = utc(2025, 3, 9, 23, 30)
    bill = BillingFactory(issued_at=when)
    AppointmentServiceFactory(
        appointment=bill.appointment,
        service=ServiceFactory(name='=HYPERLINK("http://x")'),
        unit_price=Decimal("150000.50"),
    )
    pay("150000", when, bill=bill)
    rebuild_all()  # the line was added after its bill, which no service does
    client.force_login(admin_user)
    response = client.get(EXPORT, {"period": "day", "start": "2025-03-09", "end": "2025-03-10"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="revenue-day-2025-03-09-2025-03-10.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1:3] == [["09-03-2025", "0"], ["10-03-2025", "150000"]]
    assert ["Tunai", "150000", "1"] in rows or ["Cash", "150000", "1"] in rows
    assert ['\'=HYPERLINK("http://x")', "150000.50", "1"] in rows


def test_it_exports_with_the_defaults_for_bad_parameters(client, admin_user):
    client.force_login(admin_user)
    response = client.get(EXPORT, {"period": "week", "start": "kemarin"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert len([row for row in rows[1:] if row][:30]) == 30  # the last 30 days


# --- Period and dates: off the allow-list → the defaults, never a 500 -------------------------


@pytest.mark.parametrize(("period", "count"), [("day", 30), ("month", 12), ("year", 5)])
def test_it_defaults_to_a_range_per_period(client, admin_user, period, count):
    client.force_login(admin_user)
    context = client.get(URL, {"period": period}).context
    assert len(context["rows"]) == count
    assert context["end"] == timezone.localdate()
    assert context["notices"] == []


@pytest.mark.parametrize(
    "query",
    [
        {"period": "week"},
        {"period": "<script>"},
        {"start": "2025-02-30"},
        {"end": "1899-12-31"},
        {"start": "3000-01-01"},
        {"start": "2025-01-01\x00"},
        {"start": "9" * 5000},
        {"start": "2025-03-10", "end": "2025-03-01"},
        {"start": "+2025-01-01"},
    ],
)
def test_it_falls_back_to_the_defaults_for_bad_values(client, admin_user, query):
    client.force_login(admin_user)
    response = client.get(URL, query)
    assert response.status_code == 200
    context = response.context
    assert context["period"] == "day"
    assert context["notices"]
    assert context["end"] == timezone.localdate()
    assert len(context["rows"]) == 30


def test_it_shortens_a_range_too_long_for_its_period(client, admin_user):
    client.force_login(admin_user)
    context = client.get(URL, {"period": "day", "start": "1900-01-01", "end": "2999-12-31"}).context
    assert context["end"] == datetime.date(2999, 12, 31)
    assert len(context["rows"]) <= 732
    assert context["notices"]
    years = client.get(URL, {"period": "year", "start": "1900-01-01", "end": "2999-12-31"}).context
    assert len(years["rows"]) <= 101


# --- Roles ------------------------------------------------------------------------------------


def test_it_shows_a_doctor_their_own_day_without_revenue(client, doctor_user, other_doctor_user):
    mine = doctor_user.doctor_profile
    AppointmentFactory(doctor=mine, appointment_date=today_at(60), status=Appointment.Status.COMPLETED)
    AppointmentFactory(doctor=mine, appointment_date=today_at(90), status=Appointment.Status.COMPLETED)
    AppointmentFactory(doctor=mine, appointment_date=today_at(120))
    AppointmentFactory(doctor=other_doctor_user.doctor_profile, appointment_date=today_at(60))
    pay("123456", timezone.now())
    client.force_login(doctor_user)
    response = client.get(URL, {"period": "year"})
    assert response.status_code == 200
    day = response.context["day"]
    assert day["total"] == 3
    assert day["patients_seen"] == 2
    assert {r["status"]: r["count"] for r in day["by_status"]} == {
        "scheduled": 1,
        "checked_in": 0,
        "in_consultation": 0,
        "completed": 2,
        "cancelled": 0,
        "no_show": 0,
    }
    content = response.content.decode()
    assert "revenue-data" not in content and "123.456" not in content
    assert "chart" not in response.context and "unpaid" not in response.context


def test_it_refuses_the_export_to_a_doctor_and_both_pages_to_a_receptionist(client, doctor_user, receptionist):
    client.force_login(doctor_user)
    assert client.get(EXPORT).status_code == 403
    client.force_login(receptionist)
    assert client.get(URL).status_code == 403
    assert client.get(EXPORT).status_code == 403


@pytest.mark.parametrize("url", [URL, EXPORT])
def test_it_sends_anonymous_visitors_to_login_and_refuses_post(client, admin_user, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    client.force_login(admin_user)
    assert client.post(url).status_code == 405


def test_it_lands_the_admin_on_the_dashboard(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("home")).url == URL


# --- Query count ------------------------------------------------------------------------------


def _data(n: int, doctor, first: int = 0) -> None:
    service = ServiceFactory()
    for i in range(first, first + n):
        bill = BillingFactory(issued_at=timezone.now())
        AppointmentServiceFactory(appointment=bill.appointment, service=service)
        pay("1000", timezone.now() - datetime.timedelta(days=i % 20), bill=bill)
        AppointmentFactory(
            doctor=doctor,
            appointment_date=today_at(5 * i),
            status=Appointment.Status.COMPLETED if i % 2 else Appointment.Status.SCHEDULED,
        )
    rebuild_all()  # the lines were added after their bills, which no service does


@pytest.mark.parametrize("period", ["day", "month", "year"])
def test_it_runs_the_same_queries_for_1_and_50_rows(client, admin_user, doctor_user, django_assert_num_queries, period):
    client.force_login(admin_user)
    doctor = doctor_user.doctor_profile
    _data(1, doctor)
    # user (the session is a cache hit), then: revenue per period, by method, by service (sums,
    # then the services' names), patients, doctors, today's appointments, unpaid, SATUSEHAT's counts
    with django_assert_num_queries(10):
        client.get(URL, {"period": period})
    with django_assert_num_queries(5):  # user, revenue, by method, by service (2)
        client.get(EXPORT, {"period": period})
    _data(49, doctor, first=1)
    with django_assert_num_queries(10):
        response = client.get(URL, {"period": period})
    assert response.context["appointments"]["total"] == 50
    with django_assert_num_queries(5):
        client.get(EXPORT, {"period": period})
    client.force_login(doctor_user)
    with django_assert_num_queries(2):  # user with the doctor (accounts.backends), their day
        response = client.get(URL)
    assert response.context["day"]["total"] == 50


def test_todays_table_names_every_doctor_in_name_order_and_counts_only_the_active():
    """The counts are grouped without the doctors and named by a second query: a doctor made
    inactive since booking is still named, the order is the database's order of names, and the
    active count leaves the inactive out."""
    zeta, alfa = DoctorFactory(full_name="dr. Zeta"), DoctorFactory(full_name="dr. Alfa")
    gone = DoctorFactory(full_name="dr. Mantan", is_active=False)
    DoctorFactory(full_name="dr. Libur")  # active, nothing today
    for minutes, doctor, status in (
        (60, zeta, Appointment.Status.SCHEDULED),
        (75, zeta, Appointment.Status.COMPLETED),
        (60, alfa, Appointment.Status.CHECKED_IN),
        (60, gone, Appointment.Status.SCHEDULED),
    ):
        AppointmentFactory(doctor=doctor, appointment_date=today_at(minutes), status=status)
    today = selectors.appointments_today(day=timezone.localdate())
    assert [(r["name"], r["count"]) for r in today["by_doctor"]] == [
        ("dr. Alfa", 1),
        ("dr. Mantan", 1),
        ("dr. Zeta", 2),
    ]
    assert today["by_doctor"][2]["statuses"] == {"completed": 1, "scheduled": 1}
    assert today["active_doctors"] == 3 and today["total"] == 4


# --- the per-doctor and per-service tables of templates/clinic/dashboard.html ---------------


def _dashboard_tables(rows_by_doctor, rows_by_service, language):
    context = {
        "appointments": {"by_doctor": rows_by_doctor, "by_status": []},
        "by_service": rows_by_service,
        "patients": {"active": 0, "new": 0},
        "unpaid": {"total": 0, "count": 0},
        "satusehat": {"sent": 0, "pending": 0, "failed": 0},
        "today": datetime.date(2026, 12, 7),
        "start": datetime.date(2026, 12, 1),
        "end": datetime.date(2026, 12, 7),
        "period": "day",
        "chart": {},
    }
    request = RequestFactory().get("/dashboard/")
    request.user = AnonymousUser()
    with translation.override(language):
        html = render_to_string("clinic/dashboard.html", context, request=request)
    doctors = re.search(r'<table class="table table-sm" id="doctor-table">.*?</table>', html, re.S).group(0)
    services = re.search(r'<table class="table table-sm" id="service-table">.*?</table>', html, re.S).group(0)
    return doctors, services


def test_the_tables_say_when_they_are_empty_in_the_language():
    doctors, services = _dashboard_tables([], [], "id")
    assert '<td colspan="2" class="text-body-secondary">Tidak ada janji temu hari ini.</td>' in doctors
    assert '<td colspan="3" class="text-body-secondary">' in services
    doctors, services = _dashboard_tables([], [], "en")
    assert "No appointments today." in doctors and "No bills in this range." in services


def test_the_tables_write_each_row_escaped():
    doctors, services = _dashboard_tables(
        [{"name": 'dr. <script>alert(1)</script> & "Sari"', "count": 1234}, {"name": "dr. Budi", "count": 0}],
        [{"service__name": 'Konsultasi <b>umum</b> & "lab"', "quantity": 1500, "total": Decimal("1234567.89")}],
        "id",
    )
    assert "<script>" not in doctors and "<b>" not in services
    assert (
        "<tr><td>dr. &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Sari&quot;</td>"
        '<td class="text-end">1234</td></tr>'
    ) in doctors
    assert '<tr><td>dr. Budi</td><td class="text-end">0</td></tr>' in doctors
    assert (
        '<tr><td>Konsultasi &lt;b&gt;umum&lt;/b&gt; &amp; &quot;lab&quot;</td><td class="text-end">1500</td>'
        '<td class="text-end">Rp 1.234.568</td></tr>'
    ) in services
