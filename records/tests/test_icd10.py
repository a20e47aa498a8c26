import csv

import pytest
from django.utils import translation

from records.icd10 import (
    INDONESIAN_NAMES,
    icd10_description,
    icd10_is_valid,
    icd10_name,
    icd10_normalise,
    icd10_search,
    indonesian_names,
)


def codes(matches):
    return [match.code for match in matches]


@pytest.mark.parametrize(("typed", "code"), [("j069", "J06.9"), (" J06.9 ", "J06.9"), ("i10", "I10"), ("", "")])
def test_it_normalises_what_the_doctor_types(typed, code):
    assert icd10_normalise(typed) == code


@pytest.mark.parametrize("code", ["J06.9", "j069", "I10", "A01.0", "J06"])
def test_it_accepts_who_categories_and_subcategories(code):
    assert icd10_is_valid(code)


@pytest.mark.parametrize("code", ["", "ZZ9", "J06.99", "X", "J00-J06", "!!", "J0"])
def test_it_refuses_what_is_not_a_code(code):
    assert not icd10_is_valid(code)


def test_it_finds_codes_by_prefix_with_or_without_the_dot():
    assert codes(icd10_search("J06")) == ["J06", "J06.0", "J06.8", "J06.9"]
    assert codes(icd10_search("j069")) == ["J06.9"]
    assert codes(icd10_search("A01.")) == ["A01", "A01.0", "A01.1", "A01.2", "A01.3", "A01.4"]


def test_it_finds_codes_by_words_of_the_description():
    found = codes(icd10_search("typhoid fever"))
    assert "A01.0" in found
    assert "A01.1" not in found  # "Paratyphoid fever A": words match from their start


def test_it_finds_codes_by_word_beginnings_in_any_order():
    assert "J06.9" in codes(icd10_search("respiratory acute upper"))
    assert "A01.0" in codes(icd10_search("typh fev"))


def test_it_returns_at_most_the_limit():
    assert len(icd10_search("A")) == 20
    assert len(icd10_search("fever", limit=5)) == 5


@pytest.mark.parametrize("q", ["", "   ", ".", "zzzzqq"])
def test_it_returns_nothing_for_nothing(q):
    assert icd10_search(q) == []


def test_it_describes_a_code():
    assert icd10_description("j069") == "Acute upper respiratory infection, unspecified"
    assert icd10_description("ZZ9") == ""


# --- Indonesian names (icd10_id.csv) --------------------------------------------------------


@pytest.fixture
def indonesian():
    with translation.override("id"):
        yield


def test_the_doctor_finds_typhoid_fever_in_indonesian(indonesian):
    matches = icd10_search("demam tifoid")
    assert codes(matches) == ["A01.0"]
    assert matches[0].name == "Demam tifoid" and matches[0].description == "Typhoid fever"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("demam tif", "A01.0"),
        ("Demam Berdarah", "A97.1"),
        ("DBD", "A97.1"),
        ("ispa", "J06.9"),
        ("infeksi saluran pernapasan atas", "J06.9"),
        ("darah tinggi", "I10"),
        ("hipertensi", "I10"),
        ("kencing manis tipe 2", "E11.9"),
        ("cacar air", "B01.9"),
        ("skabies", "B86"),
        ("nyeri haid", "N94.6"),
        ("maag", "K29.7"),
        ("gigi berlubang", "K02.9"),
        ("infeksi saluran kemih", "N39.0"),
    ],
)
def test_it_finds_codes_by_indonesian_words_and_everyday_names(typed, code):
    assert code in codes(icd10_search(typed))


def test_it_still_finds_by_code_and_english_words_in_either_language(indonesian):
    assert codes(icd10_search("A01.0")) == ["A01.0"]
    assert "A01.0" in codes(icd10_search("typhoid fever"))
    with translation.override("en"):
        assert "A01.0" in codes(icd10_search("demam tifoid"))


def test_it_does_not_mix_the_languages_in_one_query():
    assert codes(icd10_search("demam typhoid")) == []


def test_it_names_a_code_in_the_active_language():
    with translation.override("id"):
        assert icd10_name("a010") == "Demam tifoid"
        assert icd10_name("J06.9") == "Infeksi saluran pernapasan atas akut, tidak spesifik"
        assert icd10_name("C34.1") == icd10_description("C34.1")  # no Indonesian name: the WHO's
        assert icd10_name("ZZ9") == ""
    with translation.override("en"):
        assert icd10_name("A01.0") == "Typhoid fever"
    assert icd10_description("A01.0") == "Typhoid fever"  # SATUSEHAT's display stays the WHO's


def test_the_data_file_names_at_least_the_144_primary_care_diagnoses():
    with INDONESIAN_NAMES.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    found = [row["code"] for row in rows]
    assert len(found) == len(set(found)), "one row per code"
    assert not [code for code in found if not icd10_is_valid(code) or icd10_normalise(code) != code]
    assert not [row for row in rows if not row["name_id"].strip()]
    assert len(set(found)) >= 144
    # A sample of the FKTP list (KMK on primary-care diagnoses), across the chapters.
    for code in ("A01.0", "A09", "B86", "G44.2", "H10.9", "I10", "J06.9", "J45.9", "K29.7", "L50.9", "N39.0"):
        assert code in indonesian_names(), code
