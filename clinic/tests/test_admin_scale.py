"""The Django admin at a chain's scale (issue 14): what its lists read, how they count, what
they audit, and the filters and searches they accept. The plans are checked by
test_explain.py, the timings at 1M patients by `make bench` (docs/performance.md)."""

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import admin_site
from accounts.admin_site import CheapCountPaginator, bad_date_parameters
from audit.models import AuditLog
from billing.tests.factories import BillingFactory, InsuranceFactory, PaymentFactory
from patients.models import Patient
from patients.services import patient_name_words_sync
from patients.tests.factories import PatientFactory
from records.tests.factories import LabResultFactory
from scheduling.models import Appointment
from scheduling.tests.factories import AppointmentServiceFactory

# The admin lists of the big tables, and the relation from their rows to the patient.
BIG_LISTS = {
    "patients.patient": "",
    "scheduling.appointment": "patient",
    "scheduling.appointmentservice": "appointment__patient",
    "records.medicalrecord": "patient",
    "records.labresult": "medical_record__patient",
    "billing.billing": "patient",
    "billing.payment": "billing__patient",
    "billing.insurance": "patient",
    "audit.auditlog": None,
}
# The lists that show a patient's clinical data or decrypted identifiers.
AUDITED_LISTS = [
    "patients.patient",
    "records.medicalrecord",
    "records.labresult",
    "billing.billing",
    "billing.payment",
    "billing.insurance",
]


def changelist(label: str) -> str:
    app, model = label.split(".")
    return reverse(f"admin:{app}_{model}_changelist")


def visits(n: int) -> list:
    """n completed visits, each of a patient of its own, with a line, a record, a lab result, a
    bill, a payment and an insurance policy."""
    made = []
    for _ in range(n):
        lab = LabResultFactory()
        record = lab.medical_record
        AppointmentServiceFactory(appointment=record.appointment)
        bill = BillingFactory(
            appointment=record.appointment, patient=record.patient, number=f"INV-202612-P{record.appointment_id:07d}"
        )
        PaymentFactory(billing=bill)
        InsuranceFactory(patient=record.patient)
        made.append(record)
    return made


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


# --- audit -----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("label", AUDITED_LISTS)
def test_a_list_of_patient_data_writes_one_read_row_per_patient_shown(admin_client, label):
    records = visits(2)
    before = AuditLog.objects.filter(action=AuditLog.Action.READ).count()
    response = admin_client.get(changelist(label))
    assert response.status_code == 200
    rows = AuditLog.objects.filter(action=AuditLog.Action.READ).order_by("id")[before:]
    assert {row.patient_id for row in rows} == {record.patient_id for record in records}
    assert all(row.actor_username == "admin_t" and "(admin" in row.what for row in rows)


@pytest.mark.django_db
def test_a_search_for_a_nik_in_the_admin_finds_the_patient_and_is_audited(admin_client):
    patient, other = PatientFactory(), PatientFactory()
    response = admin_client.get(changelist("patients.patient"), {"q": patient.nik})
    assert list(response.context["cl"].result_list) == [patient]
    [row] = AuditLog.objects.filter(action=AuditLog.Action.READ, patient=patient)
    assert "patient" in row.what
    assert not AuditLog.objects.filter(action=AuditLog.Action.READ, patient=other).exists()
    assert patient.nik not in str(AuditLog.objects.values_list("what", "changes"))


@pytest.mark.django_db
def test_an_empty_list_writes_no_audit_row(admin_client):
    PatientFactory()
    before = AuditLog.objects.count()
    admin_client.get(changelist("patients.patient"), {"q": "Tidak Ada Nama Ini"})
    assert AuditLog.objects.count() == before


# --- search ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["nik", "phone", "local phone", "rm", "name prefix"])
def test_the_admin_search_finds_a_patient_as_the_front_desk_does(admin_client, how):
    patient = PatientFactory(full_name="Sriwahyuni Lestari", nik="3273010101010001", phone="+6281299990001")
    PatientFactory(full_name="Budi Santoso")
    term = {
        "nik": "3273010101010001",
        "phone": "+62 812-9999-0001",
        "local phone": "081299990001",
        "rm": patient.medical_record_number,
        "name prefix": "sriwah",
    }[how]
    response = admin_client.get(changelist("patients.patient"), {"q": term})
    assert list(response.context["cl"].result_list) == [patient]


@pytest.mark.django_db
@pytest.mark.parametrize("label", [label for label, path in BIG_LISTS.items() if path])
def test_every_list_about_patients_is_searched_by_the_patients_nik(admin_client, label):
    records = visits(2)
    wanted = records[0].patient
    response = admin_client.get(changelist(label), {"q": wanted.nik})
    shown = list(response.context["cl"].result_list)
    assert shown
    path = BIG_LISTS[label]
    model = response.context["cl"].model
    assert set(model.objects.filter(pk__in=[o.pk for o in shown]).values_list(f"{path}__id", flat=True)) == {wanted.pk}


@pytest.mark.django_db
def test_an_invoice_number_and_an_icd10_code_are_looked_up_whole(admin_client):
    records = visits(2)
    bill = records[1].appointment.bill
    response = admin_client.get(changelist("billing.billing"), {"q": bill.number.lower()})
    assert list(response.context["cl"].result_list) == [bill]
    response = admin_client.get(changelist("records.medicalrecord"), {"q": "j06.9"})
    assert len(response.context["cl"].result_list) == 2


# --- bad dates in filters --------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        {"appointment_date__gte": "0001-01-01"},
        {"appointment_date__lt": "3000-01-01 00:00:00+07:00"},
        {"appointment_date__gte": "kemarin"},
        {"created_at__year": "1"},
        {"appointment_date__gte": "2026-02-30"},
    ],
)
def test_an_impossible_date_in_a_filter_is_refused_with_a_message_not_a_500(admin_client, query):
    visits(1)
    response = admin_client.get(changelist("scheduling.appointment"), query)
    assert response.status_code == 302
    assert response["Location"] == changelist("scheduling.appointment")
    [message] = get_messages(response.wsgi_request)
    assert "1900" in str(message)


@pytest.mark.django_db
def test_the_date_filters_of_every_big_list_answer(admin_client):
    visits(1)
    for label, field in [
        ("scheduling.appointment", "appointment_date"),
        ("records.medicalrecord", "created_at"),
        ("records.labresult", "sampled_at"),
        ("billing.billing", "issued_at"),
        ("billing.payment", "paid_at"),
        ("patients.patient", "created_at"),
        ("audit.auditlog", "created_at"),
    ]:
        response = admin_client.get(
            changelist(label),
            {f"{field}__gte": "2000-01-01 00:00:00+07:00", f"{field}__lt": "2999-01-01 00:00:00+07:00"},
        )
        assert response.status_code == 200, label
        assert response.context["cl"].result_count >= 1, label


def test_bad_date_parameters_names_only_date_filters():
    from django.http import QueryDict

    query = QueryDict("status=completed&appointment_date__gte=0001-01-01&doctor__id__exact=3&q=0001-01-01")
    assert bad_date_parameters(Appointment, query) == ["appointment_date__gte"]
    fine = QueryDict("appointment_date__gte=2026-12-01+00:00:00%2B07:00&appointment_date__lt=2027-01-01")
    assert bad_date_parameters(Appointment, fine) == []


# --- counting --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_filtered_count_stops_at_the_cap(monkeypatch):
    monkeypatch.setattr(admin_site, "COUNT_CAP", 3)
    PatientFactory.create_batch(5)
    assert CheapCountPaginator(Patient.objects.all(), 2).count == 3
    assert CheapCountPaginator(Patient.objects.filter(full_name="nobody"), 2).count == 0


@pytest.mark.django_db
def test_the_whole_table_is_counted_by_the_planners_estimate_when_it_is_big(monkeypatch):
    monkeypatch.setattr(admin_site, "COUNT_CAP", 3)
    monkeypatch.setattr(admin_site, "table_row_estimate", lambda model: 1_000_000)
    PatientFactory.create_batch(5)
    with CaptureQueriesContext(connection) as queries:
        assert CheapCountPaginator(Patient.objects.all(), 2, whole_table=True).count == 1_000_000
    # Only the capped count (at most COUNT_CAP + 1 rows), the same query whatever the table's size.
    assert len(queries) == 1 and "LIMIT" in queries[0]["sql"].upper()


@pytest.mark.django_db
def test_a_small_table_is_counted_exactly(monkeypatch):
    monkeypatch.setattr(admin_site, "table_row_estimate", lambda model: 2)
    PatientFactory.create_batch(3)
    assert CheapCountPaginator(Patient.objects.all(), 2, whole_table=True).count == 3


@pytest.mark.django_db
def test_the_planners_estimate_is_read_on_the_production_databases():
    PatientFactory()
    estimate = admin_site.table_row_estimate(Patient)
    if connection.vendor == "sqlite":
        assert estimate is None
    else:
        assert estimate is None or estimate >= 0


@pytest.mark.django_db
def test_the_lists_show_no_full_count_and_sort_only_indexed_columns(admin_client):
    visits(1)
    response = admin_client.get(changelist("scheduling.appointment"), {"o": "2"})  # the doctor's column
    cl = response.context["cl"]
    assert cl.show_full_result_count is False and cl.full_result_count is None
    order_by = str(cl.queryset.query).split("ORDER BY")[1]
    assert "doctor" not in order_by and "patient" not in order_by  # ?o=2 did not sort by the doctor
    assert order_by.count("DESC") == 2 and "appointment_date" in order_by


# --- query counts ----------------------------------------------------------------------------


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


@pytest.mark.django_db
@pytest.mark.parametrize("label", [*BIG_LISTS, "records.medicalrecordversion", "records.labresultversion"])
def test_a_lists_query_count_does_not_grow_with_its_rows(admin_client, label):
    visits(2)
    small = _queries(admin_client, changelist(label))
    visits(6)
    assert _queries(admin_client, changelist(label)) == small


@pytest.mark.django_db
def test_a_search_query_count_does_not_grow_with_its_rows(admin_client):
    PatientFactory(full_name="Sri Satu")
    small = _queries(admin_client, changelist("patients.patient"), {"q": "Sri"})
    for i in range(5):
        PatientFactory(full_name=f"Sri Lagi {i}")
    assert _queries(admin_client, changelist("patients.patient"), {"q": "Sri"}) == small


@pytest.mark.django_db
def test_a_name_matching_too_many_patients_shows_the_first_ones_and_says_so(admin_client, monkeypatch):
    monkeypatch.setattr("patients.admin.SEARCH_LIMIT", 2)
    records = visits(3)
    for i, record in enumerate(records):
        patient = Patient.objects.get(pk=record.patient_id)
        patient.full_name = f"Sri Pasien {i}"
        patient.save(update_fields=["full_name"])
        patient_name_words_sync(patient)  # the any-word search reads the name's words
    response = admin_client.get(changelist("scheduling.appointment"), {"q": "Sri"})
    shown = {appointment.patient_id for appointment in response.context["cl"].result_list}
    assert shown == {records[0].patient_id, records[1].patient_id}
    [message] = get_messages(response.wsgi_request)
    assert "2" in str(message)


@pytest.mark.django_db
def test_a_change_forms_query_count_does_not_grow_with_its_lines(admin_client):
    from accounts.tests.factories import UserFactory
    from scheduling.models import Appointment as Visit

    record = visits(1)[0]
    bill, visit = record.appointment.bill, record.appointment
    urls = [
        reverse("admin:billing_billing_change", args=[bill.pk]),
        reverse("admin:scheduling_appointment_change", args=[visit.pk]),
    ]
    Visit.objects.filter(pk=visit.pk).update(status=Visit.Status.COMPLETED)  # lines shown as text
    for url in urls:
        admin_client.get(url)  # the session's first writes
    small = [_queries(admin_client, url) for url in urls]
    for i in range(3):
        PaymentFactory(billing=bill, received_by=UserFactory(username=f"kasir_{i}"))
        AppointmentServiceFactory(appointment=visit)
    assert [_queries(admin_client, url) for url in urls] == small
