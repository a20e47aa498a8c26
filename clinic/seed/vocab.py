"""The words of the synthetic clinic, prepared once for fast row writing.

The clinical vocabulary (cases, price list, lab tests, regions, insurers) is the sample data's,
imported from generate_sample_data so both generators speak alike. Names come from Faker's
id_ID word lists, used as plain tuples: calling Faker per row would take hours at a million.
Every string that goes into a row is escaped for the tab-separated format here, once.
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass, field

from django.core.management.base import CommandError

from clinic.management.commands import generate_sample_data as sample

try:
    from faker.providers.address.id_ID import Provider as _FakerAddress
    from faker.providers.person.id_ID import Provider as _FakerPerson
except ImportError:  # Faker is a development requirement (requirements-dev.txt)
    _FakerAddress = _FakerPerson = None


def tsv(text: str) -> str:
    """The text-format escape of MariaDB's LOAD DATA and PostgreSQL's COPY (they agree on it)."""
    return (text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r"))


def names() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(male first, female first, male last, female last, streets)."""
    if _FakerPerson is None:
        raise CommandError("seed_demo takes its Indonesian names from Faker: pip install -r requirements-dev.txt")
    return (tuple(map(tsv, _FakerPerson.first_names_male)), tuple(map(tsv, _FakerPerson.first_names_female)),
            tuple(map(tsv, _FakerPerson.last_names_male)), tuple(map(tsv, _FakerPerson.last_names_female)),
            tuple(map(tsv, _FakerAddress.streets)))


# More of a clinic's price list than the sample data's 26 lines: the benchmark's bill has 50.
# (code, name, price in rupiah, minutes)
EXTRA_SERVICES = [
    ("LAB-SGOT", "Pemeriksaan SGOT", 45000, 5), ("LAB-SGPT", "Pemeriksaan SGPT", 45000, 5),
    ("LAB-HBSAG", "HBsAg Rapid", 85000, 10), ("LAB-WIDAL", "Tes Widal", 70000, 10),
    ("LAB-GOLDAR", "Golongan Darah dan Rhesus", 35000, 5), ("LAB-LED", "Laju Endap Darah", 30000, 5),
    ("LAB-CRP", "C-Reactive Protein (CRP)", 120000, 5), ("LAB-TSH", "Pemeriksaan TSH", 210000, 5),
    ("LAB-FESES", "Pemeriksaan Feses Lengkap", 60000, 10), ("LAB-HCG", "Tes Kehamilan (HCG Urin)", 40000, 5),
    ("LAB-ASTO", "Pemeriksaan ASTO", 90000, 5), ("LAB-NS1", "Dengue NS1 Antigen", 190000, 10),
    ("RAD-THORAX", "Rontgen Thorax", 175000, 15), ("RAD-GIGI", "Rontgen Gigi Periapikal", 90000, 10),
    ("TIND-INFUS", "Pemasangan Infus", 150000, 20), ("TIND-JAHIT", "Jahit Luka (per jahitan)", 25000, 5),
    ("TIND-INJEKSI", "Injeksi Intramuskular", 40000, 5), ("TIND-SPIRO", "Spirometri", 200000, 20),
    ("TIND-IRIGASI", "Irigasi Telinga", 100000, 15), ("TIND-AFFJAHIT", "Lepas Jahitan", 40000, 10),
    ("TIND-SIRKUM", "Sirkumsisi", 1200000, 45), ("TIND-GDSCEK", "Cek Gula Darah Kapiler", 20000, 5),
    ("GIGI-FLUOR", "Aplikasi Fluoride", 150000, 15), ("GIGI-SEALANT", "Fissure Sealant (per gigi)", 175000, 15),
    ("GIGI-PSA", "Perawatan Saluran Akar", 750000, 45), ("MATA-VISUS", "Pemeriksaan Visus", 30000, 5),
    ("KONS-GIZI", "Konsultasi Gizi", 100000, 20), ("KONS-LAKTASI", "Konsultasi Laktasi", 120000, 20),
    ("ADM-RESUME", "Resume Medis", 75000, 10), ("ADM-RUJUKAN", "Surat Rujukan", 25000, 5),
]

# The generated doctors' specialities, in a repeating pattern of 20 (roughly the sample data's
# weights); doctor 0 is a GP, bench_doctor's.
KIND_PATTERN = ("umum", "gigi", "anak", "umum", "pd", "og", "umum", "gigi", "kulit", "umum",
                "anak", "pd", "umum", "gigi", "og", "umum", "anak", "pd", "gigi", "kulit")
TITLES = {"umum": ("dr.", ""), "gigi": ("drg.", ""), "anak": ("dr.", ", Sp.A"), "pd": ("dr.", ", Sp.PD"),
          "og": ("dr.", ", Sp.OG"), "kulit": ("dr.", ", Sp.DV")}
LICENCE_KIND = {"umum": "DU", "gigi": "DG"}


def _cumulative(weights) -> list[float]:
    return list(itertools.accumulate(weights))


@dataclass
class Case:
    """One clinical case of a doctor's kind, with its strings escaped and its lines resolved."""

    reason: str
    complaints: tuple[str, ...]
    diagnosis: str
    icd: str
    treatment: str
    prescription: str  # escaped, lines joined with "\\n"
    min_age: int
    max_age: int
    services: tuple[str, ...]
    optional: tuple[tuple[str, float], ...]
    quantity: dict
    labs: dict
    directions: dict
    bp_high: bool
    fever: float
    asthma: bool


@dataclass
class Kind:
    name: str
    specialization: str
    consult: str
    min_age: int
    max_age: int
    sex: str | None
    cases: list[Case] = field(default_factory=list)
    cumulative: list[float] = field(default_factory=list)

    def pick(self, r: float) -> Case:
        return self.cases[bisect.bisect(self.cumulative, r * self.cumulative[-1])]


def _case(spec: dict) -> Case:
    fever = spec.get("fever", 0)
    return Case(
        reason=tsv(spec["reason"]), complaints=tuple(map(tsv, spec["complaints"])), diagnosis=tsv(spec["diagnosis"]),
        icd=tsv(spec["icd"]), treatment=tsv(spec["treatment"]), prescription=tsv("\n".join(spec["rx"])),
        min_age=spec.get("min_age", 0), max_age=spec.get("max_age", 200), services=tuple(spec.get("services", ())),
        optional=tuple(spec.get("optional", {}).items()), quantity=spec.get("quantity", {}),
        labs=spec.get("labs", {}), directions=spec.get("lab_direction", {}), bp_high=spec.get("bp") == "high",
        fever=1.0 if fever is True else float(fever), asthma=bool(spec.get("asthma")),
    )


def kinds() -> dict[str, Kind]:
    """The doctors' kinds with their cases, from the sample data's DOCTORS and CASES."""
    result = {}
    for doctor in sample.DOCTORS:
        rules = sample.DOCTOR_PATIENTS[doctor["kind"]]
        kind = Kind(name=doctor["kind"], specialization=tsv(doctor["specialization"]), consult=doctor["consult"],
                    min_age=rules.get("min_age", 0), max_age=rules.get("max_age", 200), sex=rules.get("sex"))
        kind.cases = [_case(spec) for spec in sample.CASES[doctor["kind"]]]
        kind.cumulative = _cumulative(spec["w"] for spec in sample.CASES[doctor["kind"]])
        result[kind.name] = kind
    return result


@dataclass(frozen=True)
class ServiceRow:
    id: int
    code: str
    name: str
    price: int
    minutes: int
    active: bool


def services() -> list[ServiceRow]:
    rows = [(code, name, price, minutes, active) for code, name, price, minutes, active in sample.SERVICES]
    rows += [(code, name, price, minutes, True) for code, name, price, minutes in EXTRA_SERVICES]
    return [ServiceRow(pk, code, tsv(name), price, minutes, active)
            for pk, (code, name, price, minutes, active) in enumerate(rows, start=1)]


@dataclass(frozen=True)
class LabTest:
    name: str
    unit: str
    low: float | None
    high: float | None
    normal: tuple[float, float]
    places: int
    low_text: str  # "\\N" for an open end
    high_text: str


def lab_tests() -> dict[str, LabTest]:
    result = {}
    for key, (name, unit, low, high, normal, places) in sample.LAB_TESTS.items():
        result[key] = LabTest(
            tsv(name), tsv(unit), None if low is None else float(low), None if high is None else float(high),
            normal, places, "\\N" if low is None else f"{low:.3f}", "\\N" if high is None else f"{high:.3f}")
    return result


class Weighted:
    """A weighted choice by one random number: bisect on cumulative weights (rng.choices is slow)."""

    def __init__(self, pairs):
        self.values = [tsv(v) if isinstance(v, str) else v for v, _w in pairs]
        self.cumulative = _cumulative(w for _v, w in pairs)

    def __call__(self, r: float):
        return self.values[bisect.bisect(self.cumulative, r * self.cumulative[-1])]


ALLERGIES = Weighted(sample.ALLERGIES)
BLOOD_TYPES = Weighted(sample.BLOOD_TYPES)
REGIONS = [(code, tsv(district), tsv(city), [(tsv(v), p) for v, p in villages])
           for code, district, city, villages in sample.REGIONS]
MOBILE_PREFIXES = tuple(sample.MOBILE_PREFIXES)
NOTES = tuple(map(tsv, sample.NOTES))
CANCEL_REASONS = tuple(map(tsv, sample.CANCEL_REASONS))
PRIVATE_INSURERS = tuple(sample.PRIVATE_INSURERS)
BANKS = tuple(sample.BANKS)
CHILD_HEIGHT = tuple(sample.CHILD_HEIGHT)
LAB_PANELS = dict(sample.LAB_PANELS)
RECORD_NOTES = ("", "", "", "Kontrol 1 minggu lagi.", "Kontrol bila keluhan tidak membaik.",
                "Edukasi diberikan kepada pasien dan keluarga.")
