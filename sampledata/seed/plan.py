"""The shape of the synthetic clinic, decided before any row is written.

Everything a chunk of rows depends on that another chunk also needs lives here: each patient's
sex, birth date, region, NIK serial and insurance; which patients each kind of doctor sees; the
days of the history and how many appointments each doctor-day holds (hence every appointment's
id); where the benchmark's anchors go. Chunks are then independent and run in worker processes
(forked, so they read this plan without copying it).
"""

from __future__ import annotations

import datetime as dt
import math
from array import array
from dataclasses import dataclass, field
from random import Random

from django.core.management.base import CommandError

from sampledata import rules, vocab

try:
    from faker.providers.address.id_ID import Provider as _FakerAddress
    from faker.providers.person.id_ID import Provider as _FakerPerson
except ImportError:  # Faker is a development requirement (requirements-dev.txt)
    _FakerAddress = _FakerPerson = None

FUTURE_DAYS = 14
VISITS_PER_PATIENT = 5
# Planned appointments that become rows: a doctor-day stops when its blocks are full, and a
# patient drawn for a day when they were too young for the doctor is skipped.
PLANNED_KEPT = 0.8
MIN_PAST_DAYS = 2
MAX_ANCHOR_PER_DAY = 8  # the anchor patient's visits in one doctor-day, at most
ANCHOR_NAME = "Pasien Benchmark Seribu"
BIG_BILL_REASON = "benchmark: 50 services"
BIG_BILL_LINES = 50
ANCHOR_PATIENT_ID = 1
# Two long blocks Monday to Saturday hold 15 to 30 visits; bench_doctor (doctor 0) also works
# Sundays so that "today" always has a queue for the load test.
BLOCKS = ((8 * 60, 14 * 60), (15 * 60, 21 * 60))
SUNDAY = 6


TITLES = {
    "umum": ("dr.", ""),
    "gigi": ("drg.", ""),
    "anak": ("dr.", ", Sp.A"),
    "pd": ("dr.", ", Sp.PD"),
    "og": ("dr.", ", Sp.OG"),
    "kulit": ("dr.", ", Sp.DV"),
}
LICENCE_KIND = {"umum": "DU", "gigi": "DG"}
SPECIALIZATION = {doctor["kind"]: doctor["specialization"] for doctor in vocab.DOCTORS}


def tsv(text: str) -> str:
    """The text-format escape of MariaDB's LOAD DATA and PostgreSQL's COPY (they agree on it)."""
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def names() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(male first, female first, male last, female last, streets): Faker's id_ID word lists as
    plain tuples, escaped once (calling Faker per row would take hours at a million)."""
    if _FakerPerson is None:
        raise CommandError("seed_demo takes its Indonesian names from Faker: pip install -r requirements-dev.txt")
    return (
        tuple(map(tsv, _FakerPerson.first_names_male)),
        tuple(map(tsv, _FakerPerson.first_names_female)),
        tuple(map(tsv, _FakerPerson.last_names_male)),
        tuple(map(tsv, _FakerPerson.last_names_female)),
        tuple(map(tsv, _FakerAddress.streets)),
    )


@dataclass(frozen=True)
class ServiceRow:
    id: int
    code: str
    name: str
    price: int
    minutes: int
    active: bool


def services() -> list[ServiceRow]:
    """The sample data's price list and more of a clinic's (the benchmark's bill has 50 lines)."""
    rows = vocab.SERVICES + [(code, name, price, minutes, True) for code, name, price, minutes in vocab.EXTRA_SERVICES]
    return [
        ServiceRow(pk, code, name, price, minutes, active)
        for pk, (code, name, price, minutes, active) in enumerate(rows, start=1)
    ]


def doctors_for(n_patients: int) -> int:
    return max(5, n_patients // 10_000)


@dataclass
class Doctor:
    index: int
    id: int
    kind: str
    full_name: str
    user_id: int | None = None
    weekdays: frozenset[int] = frozenset(range(6))


@dataclass
class Plan:
    n_patients: int
    seed: int
    today: dt.date
    anchor_visits: int
    receptionist_id: int
    doctors: list[Doctor]
    services: list[ServiceRow]
    admin_id: int = 0
    # Patients, indexed by id (index 0 unused).
    sex: bytearray = field(default_factory=bytearray)  # 0 male, 1 female
    born: array = field(default_factory=lambda: array("i"))  # date ordinals
    region: bytearray = field(default_factory=bytearray)
    nik_serial: array = field(default_factory=lambda: array("H"))  # 0: NIK unknown
    insured: bytearray = field(default_factory=bytearray)  # bit 1 BPJS, bit 2 private
    pools: dict[str, array] = field(default_factory=dict)  # doctor kind → ids of patients it sees
    # Days, ascending: ordinal, appointments per doctor (0 = not working), first appointment id.
    days: array = field(default_factory=lambda: array("i"))
    counts: list[bytes] = field(default_factory=list)
    first_id: array = field(default_factory=lambda: array("q"))
    anchors: dict[tuple[int, int], int] = field(default_factory=dict)  # (day index, doctor) → visits
    big_bill: tuple[int, int] = (-1, -1)  # (day index, doctor)

    @property
    def today_ordinal(self) -> int:
        return self.today.toordinal()

    @property
    def history_start(self) -> int:
        return self.days[0]

    @property
    def appointment_capacity(self) -> int:
        return self.first_id[-1] + sum(self.counts[-1]) if self.days else 1

    def rng(self, *salt) -> rules.FastRandom:
        """A generator of its own for each chunk: the same seed gives the same rows however the
        chunks are spread over processes."""
        return rules.FastRandom(f"{self.seed}:" + ":".join(map(str, salt)))


def build_doctors(n_doctors: int, rng: Random) -> list[Doctor]:
    male, female, last_m, last_f, _streets = names()
    doctors = []
    for index in range(n_doctors):
        kind = vocab.KIND_PATTERN[index % len(vocab.KIND_PATTERN)]
        if kind == "og" or rng.random() < 0.5:
            first, last = rng.choice(female), rng.choice(last_f)
        else:
            first, last = rng.choice(male), rng.choice(last_m)
        title, suffix = TITLES[kind]
        weekdays = frozenset(range(7)) if index == 0 else frozenset(range(6))
        doctors.append(
            Doctor(index=index, id=index + 1, kind=kind, full_name=f"{title} {first} {last}{suffix}", weekdays=weekdays)
        )
    return doctors


def plan_patients(plan: Plan) -> None:
    rng = plan.rng("patients-plan")
    n, today = plan.n_patients, plan.today_ordinal
    plan.sex = bytearray(n + 1)
    plan.born = array("i", bytes(4 * (n + 1)))
    plan.region = bytearray(n + 1)
    plan.nik_serial = array("H", bytes(2 * (n + 1)))
    plan.insured = bytearray(n + 1)
    serials: dict[tuple, int] = {}
    n_regions = len(vocab.REGIONS)
    for pid in range(1, n + 1):
        if pid == ANCHOR_PATIENT_ID:
            age, sex = 46, "M"
        else:
            age, sex = rules.age_and_sex(rng, rules.AGE_GROUP(rng))
        born = rules.birth_ordinal(rng, today, age)
        sex = 1 if sex == "F" else 0
        plan.sex[pid], plan.born[pid] = sex, born
        region = int(rng.random() * n_regions)
        plan.region[pid] = region
        if pid == ANCHOR_PATIENT_ID or rng.random() >= 0.05:
            # NIK: region + DDMMYY (day + 40 for women) + a serial unique within that prefix.
            day = dt.date.fromordinal(born)
            bucket = (region, day.day + 40 * sex, day.month, day.year % 100)
            serial = serials.get(bucket, 0) + 1
            serials[bucket] = serial
            plan.nik_serial[pid] = serial
        r = rng.random()
        plan.insured[pid] = (1 if r < 0.40 else 0) | (2 if 0.32 < r < 0.44 else 0)
    for name, who in vocab.DOCTOR_PATIENTS.items():
        low, high, sex = who.get("min_age", 0), who.get("max_age", 200), who.get("sex")
        pool = array("i")
        for pid in range(1, n + 1):
            if pid == ANCHOR_PATIENT_ID:
                continue  # the anchor has exactly its own visits
            years = (today - plan.born[pid]) // 365
            if low <= years <= high and (sex is None or "MF"[plan.sex[pid]] == sex):
                pool.append(pid)
        if not pool:  # a tiny clinic: let every patient see every doctor
            pool = array("i", (pid for pid in range(1, n + 1) if pid != ANCHOR_PATIENT_ID))
        plan.pools[name] = pool


def _day_counts(plan: Plan, ordinal: int, rng: Random) -> bytes:
    weekday = dt.date.fromordinal(ordinal).weekday()
    offset = ordinal - plan.today_ordinal
    counts = bytearray(len(plan.doctors))
    for doctor in plan.doctors:
        if weekday not in doctor.weekdays:
            continue
        count = 15 + int(rng.random() * 16)
        if offset > 0:  # the further ahead, the fewer booked so far
            count = round(count * (1 - offset / (FUTURE_DAYS + 3)))
        counts[doctor.index] = count
    return bytes(counts)


def plan_days(plan: Plan) -> None:
    """From FUTURE_DAYS ahead back into the past until the appointments reach about five per
    patient and the GPs' past days can hold the anchor patient's visits."""
    rng = plan.rng("days-plan")
    today = plan.today_ordinal
    target = VISITS_PER_PATIENT * plan.n_patients / PLANNED_KEPT + plan.anchor_visits + 1
    gps = [d.index for d in plan.doctors if d.kind == "umum"]
    days, counts = [], []
    total = 0
    # Two weeks ahead, less for a clinic whose whole history is shorter than that.
    per_day = 22 * len(plan.doctors)
    future = max(2, min(FUTURE_DAYS, target // per_day // 20))
    for ordinal in range(today + future, today - 1, -1):
        days.append(ordinal)
        counts.append(_day_counts(plan, ordinal, rng))
        total += sum(counts[-1])
    ordinal, gp_days = today - 1, 0
    while total < target or gp_days * MAX_ANCHOR_PER_DAY < plan.anchor_visits or today - ordinal <= MIN_PAST_DAYS:
        row = _day_counts(plan, ordinal, rng)
        days.append(ordinal)
        counts.append(row)
        total += sum(row)
        gp_days += sum(1 for i in gps if row[i])
        ordinal -= 1
    days.reverse()
    counts.reverse()
    plan.days = array("i", days)
    plan.counts = counts
    _place_big_bill(plan)
    _place_anchor(plan, gps)
    plan.first_id = array("q")
    next_id = 1
    for row in plan.counts:
        plan.first_id.append(next_id)
        next_id += sum(row)


def _place_big_bill(plan: Plan) -> None:
    """The most recent past day of the last doctor holds only the 50-service visit."""
    doctor = len(plan.doctors) - 1
    for index in range(len(plan.days) - 1, -1, -1):
        if plan.days[index] < plan.today_ordinal and plan.counts[index][doctor]:
            row = bytearray(plan.counts[index])
            row[doctor] = 1
            plan.counts[index] = bytes(row)
            plan.big_bill = (index, doctor)
            return


def _place_anchor(plan: Plan, gps: list[int]) -> None:
    """Spreads the anchor patient's visits evenly over the GPs' past days, a few per day."""
    if plan.anchor_visits <= 0:
        return
    slots = [
        (index, doctor)
        for index, ordinal in enumerate(plan.days)
        if ordinal < plan.today_ordinal
        for doctor in gps
        if plan.counts[index][doctor] and (index, doctor) != plan.big_bill
    ]
    per_day = max(1, math.ceil(plan.anchor_visits / len(slots)))
    needed = math.ceil(plan.anchor_visits / per_day)
    left = plan.anchor_visits
    for k in range(needed):
        slot = slots[k * len(slots) // needed]
        plan.anchors[slot] = min(per_day, left)
        left -= plan.anchors[slot]
