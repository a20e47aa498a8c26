import datetime

import pytest

from patients.selectors import patient_possible_duplicates, patient_search, phone_normalise
from patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def names(patients):
    return [p.full_name for p in patients]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0812-3456-7890", "+6281234567890"),
        ("+62 812 3456 7890", "+6281234567890"),
        ("62812 3456 7890", "+6281234567890"),
        ("812.3456.7890", "+6281234567890"),
        ("(0812) 3456 7890", "+6281234567890"),
        ("", ""),
        ("nomor saya", "nomor saya"),
        ("+1 555 1234", "+15551234"),
    ],
)
def test_it_normalises_indonesian_phone_numbers(raw, expected):
    assert phone_normalise(raw) == expected


def test_it_finds_patients_by_the_start_of_their_name_in_any_case():
    PatientFactory(full_name="Siti Aminah")
    PatientFactory(full_name="Siti Rahma")
    PatientFactory(full_name="Budi Santoso")
    assert names(patient_search(query="siti")) == ["Siti Aminah", "Siti Rahma"]
    assert names(patient_search(query="  SITI   a ")) == ["Siti Aminah"]
    assert names(patient_search(query="aminah")) == ["Siti Aminah"]  # any word of the name


def test_it_finds_a_patient_by_the_medical_record_number():
    patient = PatientFactory(full_name="Budi Santoso")
    PatientFactory(full_name="Ani")
    rm = patient.medical_record_number
    serial = str(int(rm[3:]))
    for query in (rm, rm.lower(), f"RM{serial}", serial, rm[3:]):
        assert names(patient_search(query=query)) == ["Budi Santoso"], query


def test_it_finds_a_patient_by_nik():
    PatientFactory(full_name="Budi Santoso", nik="3273010101900001")
    PatientFactory(full_name="Ani", nik="3273010101900002")
    assert names(patient_search(query="3273010101900001")) == ["Budi Santoso"]
    assert names(patient_search(query="327301010190000")) == []  # 15 digits is no NIK


@pytest.mark.parametrize("query", ["081234567890", "6281234567890", "+62 812-3456-7890", "0812 3456 7890"])
def test_it_finds_a_patient_by_phone_in_any_common_spelling(query):
    PatientFactory(full_name="Budi Santoso", phone="+6281234567890")
    PatientFactory(full_name="Ani", phone="+6281234567891")
    assert names(patient_search(query=query)) == ["Budi Santoso"]


@pytest.mark.parametrize("query", ["17-08-1985", "1985-08-17", "17/08/1985"])
def test_it_finds_patients_by_date_of_birth(query):
    PatientFactory(full_name="Budi Santoso", date_of_birth=datetime.date(1985, 8, 17))
    PatientFactory(full_name="Ani", date_of_birth=datetime.date(1985, 8, 18))
    assert names(patient_search(query=query)) == ["Budi Santoso"]


def test_it_leaves_out_inactive_patients_unless_asked():
    PatientFactory(full_name="Siti Aktif")
    PatientFactory(full_name="Siti Lama", is_active=False)
    assert names(patient_search(query="siti")) == ["Siti Aktif"]
    assert names(patient_search(query="siti", include_inactive=True)) == ["Siti Aktif", "Siti Lama"]


def test_it_returns_at_most_the_limit_ordered_by_name():
    for i in range(12):
        PatientFactory(full_name=f"Dewi {chr(ord('L') - i)}")
    found = patient_search(query="dewi", limit=10)
    assert len(found) == 10
    assert names(found) == sorted(names(found))
    assert found[0].full_name == "Dewi A"


@pytest.mark.parametrize("query", ["", "   ", "\t\n", "-", "!!!", "31-02-2020"])
def test_it_runs_no_query_for_a_blank_or_meaningless_search(query, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert patient_search(query=query) == []


@pytest.mark.parametrize(
    "query",
    [
        "x" * 5000,
        "%",
        "_",
        "Siti%",
        "' OR 1=1 --",
        "Siti\x00Aminah",
        "😀",
        "RM-99999999999999999999",
        "9" * 40,
        "+62",
        "0" * 16,
        "²",
        "١٢",
        "RM-²",
        "0812²",
    ],
)
def test_it_survives_odd_input(query):
    PatientFactory(full_name="Siti Aminah")
    # "Siti%": the % separates words (it is no wildcard), so the word "Siti" finds her.
    assert patient_search(query=query) == [] or query in ("Siti\x00Aminah", "Siti%")


def test_it_treats_like_wildcards_literally():
    PatientFactory(full_name="Siti Aminah")
    PatientFactory(full_name="Siti_Sehat")
    assert names(patient_search(query="S%ti")) == []  # % separates words "s" and "ti": no wildcard
    assert names(patient_search(query="Sit%h")) == []
    assert names(patient_search(query="siti_")) == ["Siti_Sehat"]


def test_it_lists_possible_duplicates_by_nik_or_by_name_and_date_of_birth():
    dob = datetime.date(1990, 1, 2)
    same_name = PatientFactory(full_name="Siti Aminah", date_of_birth=dob, nik=None)
    same_nik = PatientFactory(full_name="Orang Lain", nik="3273010101900001")
    PatientFactory(full_name="Siti Aminah", date_of_birth=datetime.date(1991, 1, 2))
    found = patient_possible_duplicates(nik="3273010101900001", full_name="SITI AMINAH", date_of_birth=dob)
    assert {p.pk for p in found} == {same_name.pk, same_nik.pk}
    assert (
        patient_possible_duplicates(nik=None, full_name="Siti Aminah", date_of_birth=dob, exclude_pk=same_name.pk) == []
    )
