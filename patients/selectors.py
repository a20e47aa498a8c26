"""Reads about patients: the quick search, possible duplicates and the patient page's lists."""

import datetime
import re
from functools import reduce
from operator import or_

from django.db import connection
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Collate, Upper
from django.db.models.lookups import LessThanOrEqual, StartsWith

from core.crypto import blind_index, phone_normalise
from core.text import normalise_text
from patients.models import Patient, PatientNameWord, name_words

# The columns a search result shows (templates/patients/partials/results.html).
SEARCH_RESULT_FIELDS = ("medical_record_number", "full_name", "date_of_birth", "gender", "phone", "is_active")
SEARCH_MAX_LENGTH = 150  # the longest full name; a longer query cannot match anything
SEARCH_LIMIT = 50
PAGE_LIST_LIMIT = 50  # appointments and bills on the patient page: rows a page, newest first

_PHONE_SEPARATORS = re.compile(r"[\s\-.()/]")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
_RM = re.compile(r"rm[-\s]?0*([0-9]{1,9})", re.IGNORECASE)
_DIGITS = re.compile(r"[0-9]+")
_DATE_FORMATS = ("%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y")


def _upper_c(field: str) -> Collate:
    return Collate(Upper(field), "C")


def prefix_condition(field: str, query: str) -> Q:
    """`field` starts with `query`, whatever the case, in a form the database's index serves.

    MariaDB: `__istartswith` (LIKE under the case-insensitive collation) reads the column's
    index; `__startswith` would not (docs/database-notes.md). PostgreSQL: UPPER(field) COLLATE "C" LIKE
    UPPER(query) || '%' reads the index on that very expression (patients migration 0004),
    whose order also serves NAME_ORDER, so a search stops after its 50 rows whether the prefix
    matches five patients or fifty thousand (with the plain name index PostgreSQL filtered the
    whole index; docs/performance.md has the figures)."""
    if connection.vendor == "postgresql":
        return Q(StartsWith(_upper_c(field), Upper(Value(query))))
    return Q(**{f"{field}__istartswith": query})


def word_prefix_condition(word: str) -> Q:
    """A PatientNameWord whose word starts with `word` (already case-folded), on its index:
    PostgreSQL LIKE 'word%' on the varchar_pattern_ops index; MariaDB LIKE under the
    case-insensitive collation (`__istartswith`, as prefix_condition); SQLite a range, since
    its LIKE is case-insensitive and reads no BINARY index."""
    if connection.vendor == "postgresql":
        return Q(word__startswith=word)
    if connection.vendor == "mysql":
        return Q(word__istartswith=word)
    return Q(word__gte=word, word__lt=word + "\U0010ffff")


# How many patients a word of the name may bring at most: the words index is read as a range, in
# its own order, and stops there. A word as common as a frequent family name matches tens of
# thousands of patients at 1M; sorting them all by name to show the first 50 took 1.5-4.7 s on
# MariaDB (docs/performance.md). Beyond this many, the results are a sample and the page asks
# for more of the name, as it does for any search that finds more than it shows.
WORD_CANDIDATES = 200


def any_word_ids(query: str) -> list[int] | None:
    """Up to WORD_CANDIDATES ids of patients each of whose query words starts a word of their name,
    in any order: "Wijayanti" and "wija dewi" find "Dewi Tri Wijayanti". The longest word reads its
    index range (the likeliest to be rare); the other words filter those candidates. None when
    the query has no word."""
    words = name_words(query)
    if not words:
        return None
    driver, *others = sorted(words, key=len, reverse=True)
    candidates = PatientNameWord.objects.filter(word_prefix_condition(driver)).values("patient_id")
    for word in others:
        candidates = candidates.filter(
            patient_id__in=PatientNameWord.objects.filter(word_prefix_condition(word)).values("patient_id")
        )
    return list(candidates.values_list("patient_id", flat=True)[:WORD_CANDIDATES])


def name_order() -> tuple:
    """The order of search results: by name, in the order of the index the search reads."""
    if connection.vendor == "postgresql":
        return (_upper_c("full_name").asc(), "id")
    return ("full_name", "id")


def name_at_most(name: str) -> Q:
    """Patients whose name sorts at or before `name` in name_order()."""
    if connection.vendor == "postgresql":
        return Q(LessThanOrEqual(_upper_c("full_name"), Upper(Value(name))))
    return Q(full_name__lte=name)


def _date_of(text: str) -> datetime.date | None:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def patient_identifier_conditions(query: str) -> list[Q]:
    """How `query` matches a whole NIK, phone number or email: through their blind indexes
    (the columns themselves are encrypted), so exact matches only, each on an index."""
    conditions = []
    compact = _PHONE_SEPARATORS.sub("", query)
    if _DIGITS.fullmatch(compact) and len(compact) == 16:
        conditions.append(Q(nik_hash=blind_index("nik", compact)))
    phone = phone_normalise(query)
    if re.fullmatch(r"\+62[0-9]{8,13}", phone):
        conditions.append(Q(phone_hash=blind_index("phone", phone)))
    if _EMAIL.fullmatch(query.strip()):
        conditions.append(Q(email_hash=blind_index("email", query)))
    return conditions


def patient_search_conditions(query: str) -> list[Q]:
    """Each way the query could identify a patient; every one of them uses an index. The staff
    search's and the Django admin's (patients and the lists about patients)."""
    conditions = []
    if date := _date_of(query):
        return [Q(date_of_birth=date)]
    if match := _RM.fullmatch(query):
        conditions.append(Q(medical_record_number=f"RM-{int(match[1]):07d}"))
    if _DIGITS.fullmatch(query) and len(query) <= 9:
        conditions.append(Q(medical_record_number=f"RM-{int(query):07d}"))
    conditions.extend(patient_identifier_conditions(query))
    if _is_name(query, match):
        conditions.append(prefix_condition("full_name", query))
    return conditions


def _is_name(query: str, rm_match) -> bool:
    return any(ch.isalpha() for ch in query) and not rm_match and not _EMAIL.fullmatch(query)


# The patient's columns that lists and bills do not show: the encrypted identifiers (each
# would be decrypted on load), their blind indexes and the address.
UNSHOWN_COLUMNS = (
    "nik",
    "phone",
    "email",
    "emergency_contact_phone",
    "address",
    "nik_hash",
    "phone_hash",
    "email_hash",
)


def unshown_patient_fields(prefix: str = "", *, shown: tuple[str, ...] = ()) -> list[str]:
    """UNSHOWN_COLUMNS for QuerySet.defer(), e.g. prefix "patient__" through a relation;
    `shown`: the ones this page does show."""
    return [prefix + name for name in UNSHOWN_COLUMNS if name not in shown]


def normalised_query(query: str) -> str:
    return " ".join((query or "").replace("\x00", "").split())


def patients_matching(query: str) -> QuerySet | None:
    """The patients a search box's query identifies (a name prefix, No. RM, date of birth, a
    whole NIK, phone or email), as a query to filter lists by; None if it cannot identify anyone."""
    query = normalised_query(query)
    if not query or len(query) > SEARCH_MAX_LENGTH:
        return None
    conditions = patient_search_conditions(query)
    return Patient.objects.filter(reduce(or_, conditions)) if conditions else None


def patient_search(*, query: str, include_inactive: bool = False, limit: int = SEARCH_LIMIT) -> list[Patient]:
    """Patients matching a name prefix or any words of the name, No. RM, date of birth, or a whole NIK, phone or email;
    ordered by name.

    A blank query, or one that cannot identify anyone, returns [] without touching the database."""
    query = " ".join(normalise_text(query or "").replace("\x00", "").split())
    if not query or len(query) > SEARCH_MAX_LENGTH:
        return []
    conditions = patient_search_conditions(query)
    if not conditions:
        return []
    # The results show name, No. RM, date of birth (the age), gender and phone: only those are
    # read, so 50 rows do not decrypt 150 values nobody sees nor convert dates nobody reads.
    shown = Patient.objects.only(*SEARCH_RESULT_FIELDS)
    if not include_inactive:
        shown = shown.filter(is_active=True)
    # Two reads that each stop early: the names that start with the query, in the order of the
    # name's index; and the patients one of whose later words does (any_word_ids, bounded).
    found = list(shown.filter(reduce(or_, conditions)).order_by(*name_order())[:limit])
    word_ids = any_word_ids(query) if _is_name(query, _RM.fullmatch(query)) else None
    if word_ids:
        # Only the first `limit` of them by name can be shown, and when the names that start with
        # the query fill a page, only those sorting before its last: the rest (most often the
        # prefix's own later names) are not read, nor their phone numbers decrypted.
        others = shown.filter(pk__in=word_ids).exclude(pk__in=[patient.pk for patient in found])
        if len(found) == limit:
            others = others.filter(name_at_most(found[-1].full_name))
        found += others.order_by(*name_order())[:limit]
        found.sort(key=lambda patient: (patient.full_name.upper(), patient.pk))
    return found[:limit]


def patient_possible_duplicates(
    *, nik: str | None, full_name: str, date_of_birth: datetime.date | None, exclude_pk: int | None = None
) -> list[Patient]:
    """Patients with the same NIK, or the same name (any case) and date of birth."""
    conditions = []
    if nik_hash := blind_index("nik", nik):
        conditions.append(Q(nik_hash=nik_hash))
    if full_name and date_of_birth:
        conditions.append(Q(date_of_birth=date_of_birth, full_name__iexact=full_name))
    if not conditions:
        return []
    patients = Patient.objects.filter(reduce(or_, conditions))
    if exclude_pk is not None:
        patients = patients.exclude(pk=exclude_pk)
    return list(patients.order_by("full_name", "id")[:20])


# The patient page's lists read the rows of the apps above through the patient's reverse
# relations (billing.Insurance, scheduling.Appointment, billing.Billing): patients imports neither.


def patient_insurances(*, patient: Patient) -> QuerySet:
    return patient.insurances.order_by("-is_active", "-valid_from", "-id")


def page_of(queryset: QuerySet, *, page: int, limit: int = PAGE_LIST_LIMIT) -> tuple[list, bool]:
    """(the rows of the 1-based `page`, `limit` a page; whether another page follows): one query
    of limit + 1 rows from an OFFSET, so the tenth page of a patient with a thousand visits costs
    one query, as the first does. A page beyond the last has no rows."""
    offset = (page - 1) * limit
    rows = list(queryset[offset : offset + limit + 1])
    return rows[:limit], len(rows) > limit


def patient_appointments(*, patient: Patient) -> QuerySet:
    """Newest first, with the doctor in the same query."""
    return patient.appointments.select_related("doctor").order_by("-appointment_date", "-id")


def patient_bills(*, patient: Patient) -> QuerySet:
    return patient.bills.order_by("-issued_at", "-id")
