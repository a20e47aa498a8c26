"""The rules of a consistent clinic day, shared by both writers of sample data.

Who comes (age, sex, the shapes of NIK, phone, address and emergency contact), what for (a case
of the doctor's kind and its services), when (the visit's status at "now", its arrival, booking
and update times, the queue), what the doctor writes (vitals, a prescription that respects the
allergy, lab values flagged from their reference range) and what is billed and paid.

Each function draws from the `rng` it is given: the JSON fixtures pass a plain `random.Random`,
so the committed files stay the same byte for byte; the bulk seed passes a `FastRandom`, which
makes every draw from a single `random()`.

Times are local clinic minutes counted from day 0, `date.toordinal() * 1440 + minute of the day`:
Asia/Jakarta keeps no daylight saving time, so they convert to UTC by a fixed offset.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import re
import uuid
from bisect import bisect
from itertools import accumulate
from operator import itemgetter
from typing import NamedTuple

from billing.models import Billing
from core.clock import SLOT_MINUTES
from scheduling.models import Appointment

from . import vocab

DAY = 1440
# The data pretends it is 10.30 on its "today": the morning clinic is under way.
NOW_MINUTE = 10 * 60 + 30
ARRIVED = ("checked_in", "in_consultation", "completed")
EMAIL_DOMAINS = ("example.com", "example.net", "example.org")
CONSULT = {doctor["kind"]: doctor["consult"] for doctor in vocab.DOCTORS}


class FastRandom(random.Random):
    """A `random.Random` whose randint, randrange and choice take a single `random()` each:
    deterministic for a seed and several times faster, for the bulk seed."""

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def randrange(self, n: int) -> int:
        return int(self.random() * n)

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]


class Weighted:
    """A weighted choice from (value, weight) pairs; draws as `rng.choices(values, weights)[0]`."""

    def __init__(self, pairs):
        self.values = [value for value, _weight in pairs]
        self.cumulative = list(accumulate(weight for _value, weight in pairs))
        self.total = self.cumulative[-1] + 0.0

    def __call__(self, rng):
        return self.values[bisect(self.cumulative, rng.random() * self.total)]

    def at(self, fraction: float):
        return self.values[bisect(self.cumulative, fraction * self.total)]


AGE_GROUP = Weighted(vocab.AGE_GROUPS)
ALLERGY = Weighted(vocab.ALLERGIES)
BLOOD_TYPE = Weighted(vocab.BLOOD_TYPES)
COUNTER_METHOD = Weighted([("Cash", 50), ("CreditCard", 20), ("Transfer", 30)])
STATUS_PAST = Weighted([("completed", 84), ("cancelled", 8), ("no_show", 8)])
STATUS_AHEAD = Weighted([("scheduled", 92), ("cancelled", 8)])
STATUS_ENDED_TODAY = Weighted([("completed", 90), ("no_show", 10)])
STATUS_SOON = Weighted([("checked_in", 85), ("scheduled", 15)])
STATUS_LATER_TODAY = Weighted([("scheduled", 90), ("cancelled", 10)])


# --- patients ------------------------------------------------------------------------------------


def age_and_sex(rng, group: str) -> tuple[int, str]:
    if group == "infant":
        return rng.randint(0, 5), rng.choice("MF")
    if group == "child":
        return rng.randint(6, 17), rng.choice("MF")
    if group == "woman":
        return rng.randint(19, 40), "F"
    return int(rng.triangular(18, 84, 45)), rng.choice("MF")


def birth_ordinal(rng, today: int, age: int) -> int:
    # A baby is old enough to have been registered before the sample period.
    return today - (365 * age + rng.randint(150 if age == 0 else 20, 350))


def age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def nik(region_code: str, born: dt.date, female: bool, serial: int) -> str:
    """Region (province, city, district), birth date as DDMMYY with 40 added to a woman's day,
    then a serial: the 16 digits of an Indonesian NIK."""
    return f"{region_code}{born.day + 40 * female:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"


def mobile(rng) -> str:
    """+62, an Indonesian operator's prefix and 7 to 9 more digits."""
    return (
        "+62"
        + rng.choice(vocab.MOBILE_PREFIXES)
        + "".join(str(rng.randrange(10)) for _ in range(rng.choice((7, 8, 8, 9))))
    )


def address(rng, street: str, district: str, city: str, village: str, postcode: str) -> str:
    return (
        f"{street} No. {rng.randint(1, 180)}, RT {rng.randint(1, 12):03d}/RW {rng.randint(1, 15):03d}, "
        f"Kel. {village}, Kec. {district}, {city} {postcode}"
    )


def contact_relation(rng, years: int, sex: str) -> tuple[str, str]:
    """The emergency contact's relation and sex: a parent for a child; for an adult mostly the
    spouse, for the elderly often a grown-up child, else a sibling or parent."""
    if years < 18:
        parent = rng.choice(("F", "F", "M"))
        return ("ibu" if parent == "F" else "ayah"), parent
    if years >= 24 and rng.random() < 0.6:
        return ("istri", "F") if sex == "M" else ("suami", "M")
    if years >= 55 and rng.random() < 0.7:
        return "anak", rng.choice("MF")
    return rng.choice(("kakak", "adik", "orang tua")), rng.choice("MF")


def email(rng, *name_parts: str) -> str:
    """Most adults give an address made of their name; some give none."""
    if rng.random() >= 0.7:
        return ""
    handle = re.sub(r"[^a-z.]", "", ".".join(name_parts).lower())
    return f"{handle}{rng.randint(1, 99)}@{rng.choice(EMAIL_DOMAINS)}"


# Each private insurer's card numbers: (lowest, highest, shape).
POLICY_NUMBERS = {
    "Prudential Indonesia": (10_000_000, 99_999_999, "{}"),
    "Allianz Life Indonesia": (0, 9_999_999_999, "ALZ{:010d}"),
    "AXA Mandiri": (0, 999_999_999, "AXM-{:09d}"),
    "Manulife Indonesia": (1_000_000_000, 9_999_999_999, "{}"),
}


def policy_number(provider: str, number: int) -> str:
    return POLICY_NUMBERS[provider][2].format(number)


# --- visits --------------------------------------------------------------------------------------

_CASES: dict[tuple[str, int], Weighted] = {}


def choose_case(rng, kind: str, years: int, last: dict | None = None) -> dict:
    """A case of the doctor's kind that fits the patient's age; a patient with a chronic case
    mostly comes back for the same one."""
    cases = _CASES.get((kind, years))
    if cases is None:
        cases = _CASES[(kind, years)] = Weighted(
            [
                (case, case["w"])
                for case in vocab.CASES[kind]
                if case.get("min_age", 0) <= years <= case.get("max_age", 200)
            ]
        )
    if last and last.get("chronic") and last in cases.values and rng.random() < 0.7:
        return last
    return cases(rng)


def visit_lines(rng, kind: str, case: dict, years: int) -> list[tuple[str, int]]:
    """(service code, quantity): the consultation, the case's services and some of its optional ones."""
    codes = [CONSULT[kind], *case.get("services", [])]
    for code, chance in case.get("optional", {}).items():
        if code not in codes and rng.random() < chance:
            codes.append(code)
    # Adults often ask for a quick check "while I'm here".
    if kind in ("umum", "pd") and years >= 30 and not any(c in vocab.LAB_PANELS for c in codes) and rng.random() < 0.3:
        codes.append(rng.choice(("LAB-GDS", "LAB-KOL", "LAB-AU")))
    lines = []
    for code in codes:
        low, high = case.get("quantity", {}).get(code, (1, 1))
        lines.append((code, low if low == high or rng.random() < 0.6 else high))
    return lines


def visit_minutes(lines, minutes_of) -> int:
    """The services' minutes rounded up to whole slots, as booking computes an appointment's length."""
    minutes = sum(minutes_of[code] for code, _quantity in lines) or SLOT_MINUTES
    return math.ceil(minutes / SLOT_MINUTES) * SLOT_MINUTES


def visit_status(rng, start: int, end: int, now: int) -> str:
    """Where a visit stands at `now`: past days are mostly completed, some cancelled or missed;
    today's run from completed through in consultation and checked in to scheduled."""
    if end <= now - 60 or start // DAY < now // DAY:
        return STATUS_PAST(rng)
    if start // DAY > now // DAY:
        return STATUS_AHEAD(rng)
    if end <= now:
        return STATUS_ENDED_TODAY(rng)
    if start <= now:
        return "in_consultation"
    if start <= now + 75:
        return STATUS_SOON(rng)
    return STATUS_LATER_TODAY(rng)


def slot_active(status: str) -> bool | None:
    """True while the visit holds its slot, else NULL (the database's one-booking-per-slot key)."""
    return True if status in Appointment.ACTIVE_STATUSES else None


class VisitTimes(NamedTuple):
    arrived: int | None
    created: int
    updated: int
    by_admin: bool  # booked by the admin, not the receptionist
    note: str | None  # None: no note drawn


def visit_times(rng, status: str, start: int, end: int, now: int, rebooked_after: int | None = None) -> VisitTimes:
    """Arrival, booking and last-update times as they are at `now`; walk-ins are booked when they
    arrive; a slot given up by someone else is booked only after that cancellation."""
    walk_in = status in ARRIVED and rng.random() < 0.3
    arrived = None
    if status in ("completed", "in_consultation"):
        arrived = start - rng.randint(5, 35)
    elif status == "checked_in":
        arrived = min(start, now) - rng.randint(3, 40)
    if walk_in:
        created = arrived
    else:
        created = (start // DAY - rng.randint(1, 14)) * DAY + rng.randint(8, 19) * 60 + rng.randint(0, 59)
        if created > now:
            created = now - rng.randint(0, 3) * DAY - rng.randint(10, 600)
    if rebooked_after is not None:
        created = min(max(created, rebooked_after + rng.randint(5, 240)), now)
    by_admin = rng.random() >= 0.9
    note = None
    if status == "completed":
        updated = end
    elif status == "in_consultation":
        updated = start + rng.randint(0, 3)
    elif status == "checked_in":
        updated = arrived
    elif status == "no_show":
        updated = min(start + rng.randint(30, 90), max(now, start))
    elif status == "cancelled":
        updated = created + rng.randint(1, max(min(start, now) - created, 1))
        note = rng.choice(vocab.CANCEL_REASONS)
    else:
        updated = created
    if status != "cancelled" and rng.random() < 0.12:
        note = rng.choice(vocab.NOTES)
    return VisitTimes(arrived, created, max(updated, created), by_admin, note)


def queue_numbers(arrivals: list[tuple[int, int]]) -> list[int]:
    """The numbers 1, 2, 3... that check-in hands out in one doctor's day, in order of arrival,
    for each (arrived, start) given."""
    numbers = [0] * len(arrivals)
    for number, index in enumerate(sorted(range(len(arrivals)), key=arrivals.__getitem__), start=1):
        numbers[index] = number
    return numbers


# --- the medical record --------------------------------------------------------------------------


def complaint(rng, case: dict) -> str:
    return rng.choice(case["complaints"]).replace("{weeks}", str(rng.randint(12, 36)))


def record_written(rng, start: int, end: int) -> int:
    """When the doctor first saves the medical record: a few minutes into the visit."""
    return start + rng.randint(2, min(10, end - start - 3))


def lab_times(rng, start: int, end: int) -> tuple[int, int]:
    """(sampled, reported) of one laboratory service's tests: sampled during the visit, reported
    half an hour to two and a half hours later."""
    sampled = start + rng.randint(1, end - start - 1)
    return sampled, sampled + rng.randint(25, 150)


def vitals(rng, case: dict, *, years: int, days_old: int, height: float | None, bmi: float) -> dict:
    """Blood pressure (none under 5), pulse, breathing, temperature, SpO2, weight and height for
    the patient's age and the case (fever, high blood pressure, asthma)."""
    fever = case.get("fever", False)
    fever = fever if isinstance(fever, bool) else rng.random() < fever
    if years < 5:
        systolic = diastolic = None
    elif years < 13:
        systolic = rng.randint(90, 112)
        diastolic = rng.randint(60, 72)
    elif case.get("bp") == "high":
        systolic = rng.randint(142, 178)
        diastolic = rng.randint(88, min(108, systolic - 35))
    else:
        systolic = rng.randint(102, 136 if years >= 40 else 128)
        diastolic = rng.randint(62, min(88, systolic - 30))
    temperature = rng.uniform(37.8, 39.5) if fever else rng.uniform(36.2, 37.2)
    heart = (
        rng.randint(105, 150)
        if years < 1
        else rng.randint(90, 130)
        if years < 5
        else rng.randint(78, 112)
        if years < 13
        else rng.randint(64, 96)
    )
    breathing = (
        rng.randint(30, 42)
        if years < 1
        else rng.randint(24, 32)
        if years < 5
        else rng.randint(18, 26)
        if years < 13
        else rng.randint(16, 20)
    )
    if fever:
        heart = min(heart + rng.randint(8, 18), 170)
    spo2 = rng.randint(96, 99)
    if case.get("asthma"):
        breathing += rng.randint(4, 8)
        spo2 = rng.randint(92, 95)
    if height is not None:
        weight = bmi * (height / 100) ** 2 + rng.uniform(-0.8, 0.8)
    elif years < 1:
        months = days_old / 30.44
        height = 50 + 2.2 * months + rng.uniform(-2, 2)
        weight = 3.3 + 0.55 * months + rng.uniform(-0.4, 0.4)
    else:
        height = vocab.CHILD_HEIGHT[years] + rng.uniform(-5, 5)
        weight = (15.5 if years < 10 else 18.5) * (height / 100) ** 2 + rng.uniform(-1.5, 1.5)
    return {
        "systolic_bp": systolic,
        "diastolic_bp": diastolic,
        "heart_rate": heart,
        "respiratory_rate": breathing,
        "temperature_c": round(temperature, 1),
        "oxygen_saturation": spo2,
        "weight_kg": round(weight, 1),
        "height_cm": round(height, 1),
    }


def adult_height(rng, sex: str) -> float:
    return rng.uniform(158, 178) if sex == "M" else rng.uniform(147, 163)


def prescription(case: dict, allergy: str) -> str:
    """The case's prescription, one line per drug; never what the patient is allergic to."""
    lines = list(case["rx"])
    if allergy in ("Amoksisilin", "Penisilin"):
        lines = [
            (
                "Eritromisin sirup 200 mg/5 ml 3x1 sdt (habiskan)"
                if "sirup" in line
                else "Eritromisin 500 mg 4x1 tab (habiskan)"
            )
            if line.startswith("Amoksisilin")
            else line
            for line in lines
        ]
    return "\n".join(lines)


def lab_reading(rng, key: str, *, male: bool, chance: float, direction: str | None):
    """(test name, unit, value, reference low, high, abnormal) of test `key`: a value from the
    normal range, out of range with the case's chance (else rarely), rounded as stored; the flag
    is LabResult.compute_abnormal's rule."""
    name, unit, low, high, (normal_low, normal_high), places = vocab.LAB_TESTS[key]
    if key == "hb" and male:
        low, high, normal_low, normal_high = 13, 17, 13.4, 16.4
    if key == "au" and male:
        low, high, normal_low, normal_high = 3.4, 7, 3.8, 6.8
    value = rng.uniform(normal_low, normal_high)
    if rng.random() < (chance if chance else 0.06):
        if direction == "low" and low:
            value = low * rng.uniform(0.55, 0.92)
        elif direction == "high" and high is not None:
            value = high * rng.uniform(1.08, 1.7)
        elif direction is None and high is not None and (low in (None, 0) or rng.random() < 0.75):
            value = high * rng.uniform(1.08, 1.6)
        elif low:
            value = low * rng.uniform(0.6, 0.92)
    value = round(value, places)
    abnormal = (low is not None and value < low) or (high is not None and value > high)
    return name, unit, value, low, high, abnormal


# --- the bill ------------------------------------------------------------------------------------


def thousands(numerator: int, denominator: int) -> int:
    """numerator / denominator rupiah rounded to whole thousands, half to even (as Decimal rounds)."""
    whole, rest = divmod(numerator, denominator * 1000)
    if 2 * rest > denominator * 1000 or (2 * rest == denominator * 1000 and whole % 2):
        whole += 1
    return whole * 1000


def payment_plan(rng, total: int, *, private=None, bpjs=None) -> list[tuple[int, int, str, object]]:
    """(minutes after the bill, amount, method, policy) of the payments a bill will get: a private
    insurer pays its share days later and the patient the rest at the counter; BPJS pays all
    days later; most others pay in full at the counter (a transfer may come hours later), some
    in two parts, a few part or nothing yet. `private`/`bpjs`: the policy covering the visit."""
    counter = rng.randint(2, 12)
    if private is not None and rng.random() < 0.85:
        share = min(total, thousands(total * rng.choice((100, 90, 80)), 100))
        planned = []
        if total - share > 0:
            planned.append((counter, total - share, rng.choice(("Cash", "CreditCard")), None))
        planned.append((rng.randint(2, 14) * DAY + rng.randint(1, 5) * 60, share, "Insurance", private))
        return planned
    if bpjs is not None and rng.random() < 0.8:
        return [(rng.randint(1, 7) * DAY + rng.randint(1, 5) * 60, total, "Insurance", bpjs)]
    choice = rng.random()
    if choice < 0.80:
        method = COUNTER_METHOD(rng)
        when = rng.randint(1, 30) * 60 if method == "Transfer" and rng.random() < 0.4 else counter
        return [(when, total, method, None)]
    if choice < 0.88:
        first = thousands(total, 2)
        return [
            (counter, first, "Cash", None),
            (rng.randint(1, 7) * DAY + rng.randint(0, 6) * 60, total - first, "Transfer", None),
        ]
    if choice < 0.94:
        return [(counter, thousands(total * rng.choice((30, 50, 60)), 100), rng.choice(("Cash", "Transfer")), None)]
    return []


class Settled(NamedTuple):
    payments: list  # (paid at, amount, method, policy), in time order
    paid: int
    status: str


def settle(planned, *, total: int, issued: int, now: int, void: bool = False) -> Settled:
    """The planned payments made by `now` and the bill's status (Billing.status_for); a void bill
    has none."""
    made = [
        (issued + delay, amount, method, policy)
        for delay, amount, method, policy in planned
        if issued + delay <= now and amount > 0
    ]
    if len(made) > 1:
        made.sort(key=itemgetter(0))
    paid = sum(payment[1] for payment in made)
    return Settled(made, paid, "void" if void else str(Billing.status_for(total=total, paid=paid)))


def payment_reference(
    rng, method: str, *, paid_on: dt.date, issued_on: dt.date, policy_kind: str = "", provider: str = ""
) -> str:
    if method == "CreditCard":
        return f"EDC {rng.choice(vocab.BANKS)} approval {rng.randint(0, 999_999):06d}"
    if method == "Transfer":
        paid = f"{paid_on.day:02d}{paid_on.month:02d}{paid_on.year % 100:02d}"
        return f"Transfer {rng.choice(vocab.BANKS)} {paid}-{rng.randint(0, 9999):04d}"
    if method == "Insurance" and policy_kind == "bpjs":
        # The number of BPJS's eligibility letter (SEP) for the visit.
        return f"SEP 0114R001{issued_on.month:02d}{issued_on.year % 100:02d}V{rng.randint(0, 999_999):06d}"
    if method == "Insurance":
        return f"Klaim {provider} {rng.randint(0, 99_999_999):08d}"
    return ""


# --- registration (Permenkes 24/2022) and SATUSEHAT ------------------------------------------------

BIRTH_PLACE = Weighted(vocab.BIRTH_PLACES)
RELIGION = Weighted(vocab.RELIGIONS)
ADULT_OCCUPATION = Weighted(vocab.ADULT_OCCUPATIONS)
ADULT_EDUCATION = Weighted(vocab.ADULT_EDUCATION)


def registration(rng, years: int) -> dict:
    """Place of birth, religion, occupation, education (the highest finished) and marital status
    of a patient aged `years`."""
    if years < 6:
        occupation, education, marital = "Belum bekerja", "none", "U"
    elif years < 18:
        occupation = "Pelajar"
        education = "none" if years < 12 else ("sd" if years < 15 else "smp")
        marital = "U"
    else:
        occupation = "Pensiunan" if years >= 60 and rng.random() < 0.6 else ADULT_OCCUPATION(rng)
        education = ADULT_EDUCATION(rng)
        if years < 25:
            marital = "M" if rng.random() < 0.2 else "U"
        elif years < 60:
            marital = rng.choices(["M", "U", "D", "W"], [80, 10, 6, 4])[0]
        else:
            marital = rng.choices(["M", "W", "D"], [65, 30, 5])[0]
    return {
        "place_of_birth": BIRTH_PLACE(rng),
        "religion": RELIGION(rng),
        "occupation": occupation,
        "education": education,
        "marital_status": marital,
    }


def patient_ihs_number(rng) -> str:
    """A patient's IHS number as the platform writes it: P and 11 digits."""
    return f"P{rng.randint(0, 10**11 - 1):011d}"


def practitioner_ihs_id(rng) -> str:
    """A practitioner's IHS id: 11 digits starting with 100."""
    return f"100{rng.randint(0, 10**8 - 1):08d}"


def location_id(rng) -> str:
    """A Location id as the platform hands them out (a UUID)."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))
