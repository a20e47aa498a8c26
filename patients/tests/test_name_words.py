"""The search by any word of the name: the words table (PatientNameWord), kept by the services,
fixtures and the rebuild command, read by patient_search on an index."""

import io

import pytest
from django.core import serializers
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from patients.models import Patient, PatientNameWord, name_words
from patients.selectors import patient_search
from patients.services import patient_register, patient_update
from patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def names(patients):
    return [p.full_name for p in patients]


def data(**changes):
    return {
        "full_name": "Dewi Tri Wijayanti",
        "date_of_birth": "1990-08-05",
        "gender": "F",
        "phone": "",
        "email": "",
        "address": "",
        **changes,
    }


def test_it_splits_a_name_into_case_folded_words_once_each():
    assert name_words("Dewi Tri  WIJAYANTI") == ["dewi", "tri", "wijayanti"]
    assert name_words("Ni Luh Putu Ayu-Ni") == ["ni", "luh", "putu", "ayu"]
    assert name_words("Ma'ruf") == ["ma", "ruf"]
    assert name_words("  ") == []


def test_it_finds_a_patient_by_any_word_of_the_name():
    PatientFactory(full_name="Dewi Tri Wijayanti")
    PatientFactory(full_name="Wijaya Kusuma")
    PatientFactory(full_name="Budi Santoso")
    assert names(patient_search(query="Wijayanti")) == ["Dewi Tri Wijayanti"]
    assert names(patient_search(query="tri")) == ["Dewi Tri Wijayanti"]
    assert names(patient_search(query="wija")) == ["Dewi Tri Wijayanti", "Wijaya Kusuma"]
    assert names(patient_search(query="wijayanti dewi")) == ["Dewi Tri Wijayanti"]  # any order
    assert names(patient_search(query="wijayanti budi")) == []  # every word must match
    assert names(patient_search(query="antoso")) == []  # the start of a word, not its middle


def test_the_search_by_words_is_three_queries_whatever_the_number_of_words(django_assert_num_queries):
    PatientFactory(full_name="Dewi Tri Wijayanti")
    # The name's prefix, the words' bounded candidates, the candidates' rows.
    for query in ("Wijayanti", "dewi tri wijayanti"):
        with django_assert_num_queries(3):
            assert names(patient_search(query=query)) == ["Dewi Tri Wijayanti"]


def test_a_full_page_of_the_prefix_still_shows_the_other_words_that_sort_before_its_end():
    for i in range(60):
        PatientFactory(full_name=f"Kar {i:02d}")
    PatientFactory(full_name="Dewi Kartika")  # sorts before "Kar ..."
    PatientFactory(full_name="Yuni Kartika")  # after the page's last name: not on it
    found = names(patient_search(query="kar"))
    assert found == ["Dewi Kartika"] + [f"Kar {i:02d}" for i in range(49)]


def test_registering_and_renaming_keep_the_words():
    patient = patient_register(data=data(), by=None)
    assert sorted(patient.name_words.values_list("word", flat=True)) == ["dewi", "tri", "wijayanti"]
    patient_update(patient=patient, data=data(full_name="Dewi Lestari"), by=None)
    assert names(patient_search(query="Lestari")) == ["Dewi Lestari"]
    assert names(patient_search(query="Wijayanti")) == []


def test_an_update_that_keeps_the_name_does_not_touch_the_words():
    patient = patient_register(data=data(), by=None)
    with CaptureQueriesContext(connection) as queries:
        patient_update(patient=patient, data=data(address="Jl. Merdeka 1"), by=None)
    assert not any("patient_name_words" in q["sql"] for q in queries.captured_queries)


def test_fixtures_get_their_words():
    # loaddata saves raw rows, around the services: a receiver fills the words in.
    patient = PatientFactory(full_name="Sri Wahyuni")
    text = serializers.serialize("json", [patient])
    patient.name_words.all().delete()
    Patient.objects.filter(pk=patient.pk).update(full_name="x")
    for obj in serializers.deserialize("json", text):
        obj.save()
    assert names(patient_search(query="wahyuni")) == ["Sri Wahyuni"]


def test_the_command_rebuilds_the_words_of_rows_written_around_the_services():
    PatientFactory(full_name="Dewi Tri Wijayanti")
    Patient.objects.bulk_create([Patient(full_name="Rina Kartika Sari", gender="F", date_of_birth="1980-01-01")])
    PatientNameWord.objects.filter(word="dewi").delete()
    assert patient_search(query="Sari") == []
    out = io.StringIO()
    call_command("patient_name_words", stdout=out)
    assert "2 patients" in out.getvalue()
    assert names(patient_search(query="Sari")) == ["Rina Kartika Sari"]
    assert names(patient_search(query="Dewi")) == ["Dewi Tri Wijayanti"]
    assert PatientNameWord.objects.count() == 6


def test_a_word_shared_by_many_patients_brings_a_bounded_sample_in_name_order(monkeypatch):
    from patients import selectors

    monkeypatch.setattr(selectors, "WORD_CANDIDATES", 5)
    for i in range(8):
        PatientFactory(full_name=f"Ani {i} Wijayanti")
    PatientFactory(full_name="Wijayanti Putri")
    found = names(patient_search(query="wijayanti"))
    assert "Wijayanti Putri" in found  # the name's own prefix, always
    assert 1 + 5 >= len(found) >= 5  # at most WORD_CANDIDATES more, by the words index
    assert found == sorted(found, key=str.upper)
