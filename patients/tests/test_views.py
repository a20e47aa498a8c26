import datetime

import pytest
from django.urls import reverse

from patients.models import Patient
from patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    return {
        "full_name": "Siti Aminah",
        "nik": "3273010101900001",
        "date_of_birth": "1990-01-01",
        "gender": "F",
        "blood_type": "",
        "phone": "0812-3456-7890",
        "email": "Siti@Contoh.id",
        "address": "Jl. Braga 1",
        "emergency_contact_name": "",
        "emergency_contact_phone": "",
        **overrides,
    }


@pytest.fixture
def patient(db):
    return PatientFactory(
        full_name="Budi Santoso",
        nik="3273010101800001",
        phone="+6281200000001",
        date_of_birth=datetime.date(1980, 5, 17),
    )


def test_it_answers_404_for_a_patient_that_does_not_exist(client, receptionist):
    client.force_login(receptionist)
    for url in [
        reverse("patients:detail", args=[999999]),
        reverse("patients:edit", args=[999999]),
        reverse("insurance:add", args=[999999]),
        reverse("insurance:edit", args=[999999]),
    ]:
        assert client.get(url).status_code == 404, url


def test_it_logs_out_a_user_deactivated_while_signed_in(client, receptionist):
    client.force_login(receptionist)
    receptionist.is_active = False
    receptionist.save()
    assert client.get(reverse("patients:search")).status_code == 302


# ---------------------------------------------------------------- search


@pytest.mark.parametrize("role", ["admin_user", "receptionist"])
def test_it_shows_matching_patients_so_they_can_be_told_apart(client, request, role, patient):
    PatientFactory(full_name="Ani Lestari")
    client.force_login(request.getfixturevalue(role))
    response = client.post(reverse("patients:search"), {"q": "budi"}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Budi Santoso" in page and "Ani Lestari" not in page
    assert patient.medical_record_number in page
    assert "17-05-1980" in page
    assert "+62 812-0000-0001" in page  # grouped as people read it
    assert reverse("patients:detail", args=[patient.pk]) in page
    assert response.context["quick_search_q"] == "budi"  # the navbar keeps the query


@pytest.mark.parametrize(
    "query",
    [
        "Budi",
        "budi san",
        "RM-{rm}",
        "rm-{rm}",
        "{serial}",
        "3273010101800001",
        "081200000001",
        "+62 812-0000-0001",
        "17-05-1980",
        "1980-05-17",
    ],
)
def test_it_finds_a_patient_by_each_kind_of_key(client, receptionist, patient, query):
    PatientFactory(full_name="Ani Lestari", date_of_birth=datetime.date(1981, 5, 17))
    rm = patient.medical_record_number[3:]
    client.force_login(receptionist)
    response = client.post(reverse("patients:search"), {"q": query.format(rm=rm, serial=int(rm))}, follow=True)
    assert [p.pk for p in response.context["patients"]] == [patient.pk]


def test_it_shows_a_hint_and_runs_no_search_for_an_empty_query(client, receptionist, patient):
    client.force_login(receptionist)
    for params in ({}, {"q": ""}, {"q": "    "}):
        response = client.get(reverse("patients:search"), params)
        assert response.status_code == 200
        assert response.context["patients"] == []
        assert "Budi Santoso" not in response.content.decode()


@pytest.mark.parametrize("query", ["x" * 5000, "%", "' OR 1=1 --", "\x00", "😀", "31-02-2020", "9" * 40])
def test_it_never_fails_on_odd_input(client, receptionist, patient, query):
    client.force_login(receptionist)
    response = client.post(reverse("patients:search"), {"q": query}, follow=True)
    assert response.status_code == 200
    assert response.context["patients"] == []


def test_it_offers_to_register_someone_it_did_not_find(client, receptionist):
    client.force_login(receptionist)
    response = client.post(reverse("patients:search"), {"q": "Dewi Sartika"})
    token = response.url.split("?s=", 1)[1]
    html = client.get(response.url).content.decode()
    # The link carries the search's token, not the name.
    assert f"{reverse('patients:create')}?s={token}" in html and "Dewi%20Sartika" not in html
    form = client.get(reverse("patients:create"), {"s": token}).context["form"]
    assert form["full_name"].value() == "Dewi Sartika"


def test_it_includes_inactive_patients_only_when_asked(client, receptionist):
    PatientFactory(full_name="Siti Lama", is_active=False)
    client.force_login(receptionist)
    assert client.post(reverse("patients:search"), {"q": "siti"}, follow=True).context["patients"] == []
    response = client.post(reverse("patients:search"), {"q": "siti", "inactive": "on"}, follow=True)
    assert [p.full_name for p in response.context["patients"]] == ["Siti Lama"]


def test_it_returns_only_the_results_to_htmx(client, receptionist, patient):
    client.force_login(receptionist)
    response = client.post(reverse("patients:search"), {"q": "budi"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "patients/partials/results.html"
    page = response.content.decode()
    assert "Budi Santoso" in page and "<html" not in page


def test_it_wires_the_live_search(client, receptionist):
    client.force_login(receptionist)
    page = client.get(reverse("patients:search")).content.decode()
    assert 'hx-trigger="input changed delay:300ms, search"' in page
    assert 'hx-target="#search-results"' in page


def test_it_searches_with_the_same_number_of_queries_for_1_or_50_patients(
    client, receptionist, django_assert_num_queries
):
    client.force_login(receptionist)
    url = reverse("patients:search")
    PatientFactory(full_name="Sari 0")
    # user (the session is a cache hit), the search itself (the name's prefix, the words' bounded
    # candidates, their rows), the audit rows of the results (one insert)
    page = client.post(url, {"q": "sari"}).url  # ?s=<token>: the search's own page
    with django_assert_num_queries(5):
        assert len(client.get(page).context["patients"]) == 1
    for i in range(1, 60):
        PatientFactory(full_name=f"Sari {i:02d}")
    with django_assert_num_queries(5):
        response = client.get(page)
    assert len(response.context["patients"]) == 50


def test_it_ignores_a_search_in_the_query_string(client, receptionist, patient):
    """A NIK, phone or email in a URL lands in access logs and history: the page never reads one."""
    client.force_login(receptionist)
    response = client.get(reverse("patients:search"), {"q": "budi"})
    assert response.context["patients"] == [] and response.context["query"] == ""


@pytest.mark.parametrize("query", ["3273016509870001", "0812-9999-0001", "siti@example.com", "budi"])
def test_a_search_never_puts_its_words_in_a_url(client, receptionist, patient, query):
    client.force_login(receptionist)
    response = client.post(reverse("patients:search"), {"q": query})
    assert response.status_code == 302 and query not in response.url and "?s=" in response.url
    page = client.get(response.url)
    assert page.context["query"] == query
    live = client.post(reverse("patients:search"), {"q": query}, headers={"HX-Request": "true"})
    assert live["HX-Push-Url"].startswith(reverse("patients:search") + "?s=") and query not in live["HX-Push-Url"]
    assert query not in "".join(live.get(h, "") for h in ("Location", "HX-Push-Url"))


def test_a_kept_search_ends_with_its_session_and_after_its_time(client, receptionist, patient, monkeypatch):
    from core import search_tokens

    client.force_login(receptionist)
    url = client.post(reverse("patients:search"), {"q": "budi"}).url
    assert client.get(url).context["patients"] == [patient]
    # The session keeps it encrypted, never the words themselves.
    assert "budi" not in str(dict(client.session.items())).lower()
    later = search_tokens.now() + search_tokens.SEARCH_TOKEN_MINUTES * 60 + 1
    monkeypatch.setattr(search_tokens, "now", lambda: later)
    response = client.get(url)
    assert response.context["patients"] == [] and response.context["expired"]
    assert "no longer kept" in response.content.decode() or "tidak disimpan" in response.content.decode()
    monkeypatch.undo()
    client.logout()
    client.force_login(receptionist)
    assert client.get(url).context["patients"] == []


# ---------------------------------------------------------------- registration


@pytest.mark.parametrize("role", ["admin_user", "receptionist"])
def test_it_registers_a_patient(client, request, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("patients:create")).status_code == 200
    response = client.post(reverse("patients:create"), form_data())
    patient = Patient.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("patients:detail", args=[patient.pk])
    assert patient.phone == "+6281234567890"
    assert patient.email == "siti@contoh.id"
    assert patient.medical_record_number.startswith("RM-")
    page = client.get(response["Location"]).content.decode()
    assert patient.medical_record_number in page  # in the success message and the heading


def test_it_accepts_a_phone_written_with_country_code_and_spaces(client, receptionist):
    client.force_login(receptionist)
    client.post(reverse("patients:create"), form_data(phone="+62 812 3456 7890", emergency_contact_phone="0813 1"))
    assert not Patient.objects.exists()  # the emergency number is too short
    client.post(
        reverse("patients:create"), form_data(phone="+62 812 3456 7890", emergency_contact_phone="(0813) 1111-2222")
    )
    patient = Patient.objects.get()
    assert (patient.phone, patient.emergency_contact_phone) == ("+6281234567890", "+6281311112222")


@pytest.mark.parametrize(
    "overrides",
    [
        {"full_name": ""},
        {"nik": "12345"},
        {"nik": "32730101019000ab"},
        {"phone": "12345"},
        {"email": "bukan-email"},
        {"date_of_birth": "kemarin"},
        {"date_of_birth": "2999-01-01"},
        {"gender": "X"},
        {"full_name": "x" * 151},
    ],
)
def test_it_shows_the_form_again_for_bad_input_and_saves_nothing(client, receptionist, overrides):
    client.force_login(receptionist)
    response = client.post(reverse("patients:create"), form_data(**overrides))
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "invalid-feedback" in response.content.decode()
    assert not Patient.objects.exists()


def test_it_warns_about_a_possible_duplicate_and_saves_after_confirmation(client, receptionist):
    existing = PatientFactory(full_name="Siti Aminah", date_of_birth=datetime.date(1990, 1, 1), nik=None)
    client.force_login(receptionist)
    response = client.post(reverse("patients:create"), form_data(full_name="siti aminah", nik=""))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="possible-duplicates"' in page
    assert reverse("patients:detail", args=[existing.pk]) in page
    assert existing.medical_record_number in page
    assert 'name="confirmed_not_duplicate"' in page
    assert Patient.objects.count() == 1

    response = client.post(
        reverse("patients:create"), form_data(full_name="siti aminah", nik="", confirmed_not_duplicate="on")
    )
    assert response.status_code == 302
    assert Patient.objects.count() == 2


def test_it_shows_a_nik_already_registered_as_a_form_error(client, receptionist, patient):
    client.force_login(receptionist)
    response = client.post(reverse("patients:create"), form_data(nik=" 3273010101800001", confirmed_not_duplicate="on"))
    assert response.status_code == 200
    assert response.context["form"].errors["nik"]
    page = response.content.decode()
    assert reverse("patients:detail", args=[patient.pk]) in page
    assert 'name="confirmed_not_duplicate"' not in page  # no "save anyway" for a NIK
    assert Patient.objects.count() == 1


# ---------------------------------------------------------------- edit


def test_it_edits_a_patient(client, receptionist, patient):
    client.force_login(receptionist)
    form = client.get(reverse("patients:edit", args=[patient.pk])).context["form"]
    assert form["date_of_birth"].value() == datetime.date(1980, 5, 17)
    response = client.post(
        reverse("patients:edit", args=[patient.pk]),
        form_data(
            full_name="Budi Santoso",
            nik=patient.nik,
            date_of_birth="1980-05-17",
            phone="0811-2222-3333",
            is_active="on",
        ),
    )
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.phone == "+6281122223333"
    assert patient.is_active


def test_it_deactivates_a_patient(client, receptionist, patient):
    client.force_login(receptionist)
    client.post(
        reverse("patients:edit", args=[patient.pk]),
        form_data(full_name="Budi Santoso", nik=patient.nik, date_of_birth="1980-05-17"),
    )
    patient.refresh_from_db()
    assert not patient.is_active


def test_it_shows_the_edit_form_again_for_bad_input(client, receptionist, patient):
    client.force_login(receptionist)
    response = client.post(
        reverse("patients:edit", args=[patient.pk]),
        form_data(full_name="Budi Santoso", nik=patient.nik, phone="abc", is_active="on"),
    )
    assert response.status_code == 200
    patient.refresh_from_db()
    assert patient.phone == "+6281200000001"
    assert "Budi Santoso" in response.content.decode()


def test_it_warns_when_an_edit_makes_two_patients_look_alike(client, receptionist, patient):
    other = PatientFactory(full_name="Ani", date_of_birth=datetime.date(1980, 5, 17), nik=None)
    client.force_login(receptionist)
    url = reverse("patients:edit", args=[other.pk])
    response = client.post(url, form_data(full_name="BUDI SANTOSO", nik="", date_of_birth="1980-05-17", is_active="on"))
    assert response.status_code == 200
    assert reverse("patients:detail", args=[patient.pk]) in response.content.decode()
    other.refresh_from_db()
    assert other.full_name == "Ani"
    client.post(
        url,
        form_data(
            full_name="BUDI SANTOSO", nik="", date_of_birth="1980-05-17", is_active="on", confirmed_not_duplicate="on"
        ),
    )
    other.refresh_from_db()
    assert other.full_name == "BUDI SANTOSO"


def test_it_refuses_to_give_a_patient_the_nik_of_another(client, receptionist, patient):
    other = PatientFactory(nik="3273010101800002")
    client.force_login(receptionist)
    response = client.post(
        reverse("patients:edit", args=[other.pk]),
        form_data(nik=patient.nik, is_active="on", confirmed_not_duplicate="on"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["nik"]
    other.refresh_from_db()
    assert other.nik == "3273010101800002"


# ---------------------------------------------------------------- the patient page


def test_it_refuses_to_post_to_the_patient_page(client, receptionist, patient):
    client.force_login(receptionist)
    assert client.post(reverse("patients:detail", args=[patient.pk])).status_code == 405


# ---------------------------------------------------------------- insurance
