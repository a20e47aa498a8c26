import pytest

from records.icd10 import icd10_description, icd10_is_valid, icd10_normalise, icd10_search


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
