"""Rows of the synthetic clinic as tab-separated text, one chunk at a time.

A chunk is a range of patient ids (patients, insurance) or a range of days (appointments and
everything that follows from them: their services, medical records, lab results, bills,
payments). `setup()` runs in the main process before the worker processes fork, so they share
the plan; each chunk draws from a random generator of its own (Plan.rng), hence the same seed
gives the same rows whatever the number of workers.

The text is what MariaDB's LOAD DATA and PostgreSQL's COPY read: tab between fields, \\N for
NULL, backslash escapes (vocab.tsv). Datetimes are UTC, as Django stores them; Jakarta is UTC+7
all year, so a local minute becomes UTC by subtracting 420.
"""

from __future__ import annotations

import binascii
import datetime as dt
import hmac
import math
import os
import re
from dataclasses import dataclass

from clinic import crypto

from . import vocab
from .plan import ANCHOR_NAME, ANCHOR_PATIENT_ID, BIG_BILL_LINES, BIG_BILL_REASON, BLOCKS, NOW_MINUTE, SLOT, Plan

UTC_OFFSET = 7 * 60
NULL = "\\N"

COLUMNS = {
    "patients": ("id", "medical_record_number", "nik", "full_name", "date_of_birth", "gender", "phone", "email",
                 "address", "blood_type", "emergency_contact_name", "emergency_contact_phone", "nik_hash",
                 "phone_hash", "email_hash", "is_active", "created_at", "updated_at"),
    "insurance": ("id", "patient_id", "kind", "provider_name", "policy_number", "valid_from", "valid_until",
                  "is_active"),
    "appointments": ("id", "patient_id", "doctor_id", "appointment_date", "end_time", "status", "slot_active",
                     "queue_number", "arrived_at", "reason", "notes", "booked_by_id", "created_at", "updated_at"),
    "appointment_services": ("id", "appointment_id", "service_id", "quantity", "unit_price"),
    "medical_records": ("id", "patient_id", "doctor_id", "appointment_id", "complaint", "allergies", "systolic_bp",
                        "diastolic_bp", "heart_rate", "respiratory_rate", "temperature_c", "oxygen_saturation",
                        "weight_kg", "height_cm", "diagnosis", "icd10_code", "treatment", "prescription", "notes",
                        "created_at", "updated_at"),
    "lab_results": ("id", "medical_record_id", "test_name", "value", "unit", "reference_low", "reference_high",
                    "is_abnormal", "sampled_at", "reported_at", "created_by_id"),
    "billing": ("id", "number", "patient_id", "appointment_id", "total_amount", "amount_paid", "status",
                "payment_method", "insurance_id", "issued_at", "updated_at"),
    "payments": ("id", "billing_id", "amount", "method", "insurance_id", "reference", "paid_at", "received_by_id"),
}
PATIENT_TABLES = ("patients", "insurance")
DAY_TABLES = ("appointments", "appointment_services", "medical_records", "lab_results", "billing", "payments")
LINE_IDS, LAB_IDS, PAYMENT_IDS = 64, 32, 4  # child ids per appointment (see the package docstring)


class Clock:
    """Timestamp text from (local day ordinal, local minute), the minute possibly past midnight."""

    def __init__(self, suffix: str):
        self.suffix = suffix  # "+00" for PostgreSQL's timestamptz; MariaDB and SQLite store naive UTC
        self.hhmm = [f" {m // 60:02d}:{m % 60:02d}:00{suffix}" for m in range(1440)]
        self.dates: dict[int, str] = {}

    def date(self, ordinal: int) -> str:
        text = self.dates.get(ordinal)
        if text is None:
            text = self.dates[ordinal] = dt.date.fromordinal(ordinal).isoformat()
        return text

    def stamp(self, ordinal: int, minute: int) -> str:
        day, minute = divmod(ordinal * 1440 + minute - UTC_OFFSET, 1440)
        return self.date(day) + self.hhmm[minute]


@dataclass
class Context:
    plan: Plan
    out_dir: str
    clock: Clock
    kinds: dict
    services: dict  # code → ServiceRow
    big_lines: list
    labs: dict
    names: tuple
    index_key: bytes
    cipher: object  # the current field key's AESGCM
    header: str  # "v1:<key id>"


CONTEXT: Context | None = None


def setup(plan: Plan, out_dir: str, timestamp_suffix: str) -> None:
    """Prepares the module-level context the chunk functions read (inherited by forked workers)."""
    global CONTEXT
    services = {s.code: s for s in plan.services}
    # The 50-line bill: the price list's shortest services, so the visit fits in one day.
    big = sorted((s for s in plan.services if s.active), key=lambda s: (s.minutes, s.id))[:BIG_BILL_LINES]
    CONTEXT = Context(plan=plan, out_dir=out_dir, clock=Clock(timestamp_suffix), kinds=vocab.kinds(),
                      services=services, big_lines=sorted(big, key=lambda s: s.id), labs=vocab.lab_tests(),
                      names=vocab.names(), index_key=crypto.keyring().index_key,
                      cipher=crypto.keyring().ciphers[crypto.keyring().current_id],
                      header=f"{crypto.VERSION}:{crypto.keyring().current_id}")


_URLSAFE = bytes.maketrans(b"+/", b"-_")
_nonces = {"buffer": b"", "at": 0}


def encrypt(plain: str) -> str:
    """clinic.crypto.encrypt's format (v1:<key id>:<urlsafe base64 of nonce + ciphertext + tag>,
    the header authenticated) at half its cost: the nonces come from one os.urandom call per
    4,096 values and the base64 from binascii. The tests decrypt its output with the app's decrypt."""
    at = _nonces["at"]
    if at >= len(_nonces["buffer"]):
        _nonces["buffer"], at = os.urandom(crypto.NONCE_BYTES * 4096), 0
    nonce = _nonces["buffer"][at:at + crypto.NONCE_BYTES]
    _nonces["at"] = at + crypto.NONCE_BYTES
    header = CONTEXT.header
    sealed = CONTEXT.cipher.encrypt(nonce, plain.encode(), header.encode())
    return f"{header}:{binascii.b2a_base64(nonce + sealed, newline=False).translate(_URLSAFE).decode()}"


def blind_index(kind: str, normalised: str) -> str:
    """clinic.crypto.blind_index for a value that is already normalised, without its per-call
    overhead (the tests check both agree)."""
    return hmac.digest(CONTEXT.index_key, f"{kind}:{normalised}".encode(), "sha256").hex()


def _write(chunk: str, tables: dict[str, list[str]]) -> list[tuple[str, str, int]]:
    files = []
    for table, lines in tables.items():
        if not lines:
            continue
        path = os.path.join(CONTEXT.out_dir, f"{table}.{chunk}.tsv")
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write("\n".join(lines))
            handle.write("\n")
        files.append((table, path, len(lines)))
    return files


# --- patients ----------------------------------------------------------------------------------


def _mobile(r1: float, r2: float) -> str:
    digits = 7 + int(r2 * 3)
    prefix = vocab.MOBILE_PREFIXES[int(r1 * len(vocab.MOBILE_PREFIXES))]
    return f"+62{prefix}{int(r2 * 10 ** 9) % 10 ** digits:0{digits}d}"


def _private_policy(pid: int) -> tuple[str, str]:
    provider = vocab.PRIVATE_INSURERS[pid % len(vocab.PRIVATE_INSURERS)]
    x = pid * 104729 + 7  # 104729 is prime: x mod 10^k differs for every patient id below 10^k/…
    number = {
        "Prudential Indonesia": lambda: f"{10_000_000 + x % 89_999_999}",
        "Allianz Life Indonesia": lambda: f"ALZ{x % 10 ** 10:010d}",
        "AXA Mandiri": lambda: f"AXM-{x % 10 ** 9:09d}",
        "Manulife Indonesia": lambda: f"{1_000_000_000 + x % 8_999_999_999}",
    }.get(provider, lambda: f"P{x:012d}")()
    return vocab.tsv(provider), number


def patient_chunk(index: int, first: int, last: int) -> list[tuple[str, str, int]]:
    """Patients first..last (ids) and their insurance policies."""
    ctx = CONTEXT
    plan, clock = ctx.plan, ctx.clock
    _nonces["at"] = len(_nonces["buffer"])  # fresh nonces in every process, never inherited ones
    rng = plan.rng("patients", index)
    r = rng.random
    male, female, last_m, last_f, streets = ctx.names
    today, start = plan.today_ordinal, plan.history_start
    patients, insurance = [], []
    for pid in range(first, last + 1):
        sex, born = plan.sex[pid], plan.born[pid]
        years = (today - born) // 365
        firsts, lasts = (female, last_f) if sex else (male, last_m)
        if pid == ANCHOR_PATIENT_ID:
            full_name = ANCHOR_NAME
        elif r() < 0.3:
            given, middle = firsts[int(r() * len(firsts))], firsts[int(r() * len(firsts))]
            full_name = f"{given} {middle} {lasts[int(r() * len(lasts))]}"
        else:
            full_name = f"{firsts[int(r() * len(firsts))]} {lasts[int(r() * len(lasts))]}"
        code, district, city, villages = vocab.REGIONS[plan.region[pid]]
        village, postcode = villages[int(r() * len(villages))]
        serial = plan.nik_serial[pid]
        if serial:
            day = dt.date.fromordinal(born)
            nik = f"{code}{day.day + 40 * sex:02d}{day.month:02d}{day.year % 100:02d}{serial:04d}"
            nik_stored, nik_hash = encrypt(nik), blind_index("nik", nik)
        else:
            nik_stored = nik_hash = NULL
        address = (f"Jl. {streets[int(r() * len(streets))]} No. {1 + int(r() * 180)}, RT {1 + int(r() * 12):03d}/"
                   f"RW {1 + int(r() * 15):03d}, Kel. {village}, Kec. {district}, {city} {postcode}")
        contact_phone = _mobile(r(), r())
        if years < 18:
            parent = (female, last_f, "ibu") if r() < 0.67 else (male, last_m, "ayah")
            contact = f"{parent[0][int(r() * len(parent[0]))]} {parent[1][int(r() * len(parent[1]))]} ({parent[2]})"
            phone, email = (contact_phone if years < 13 else _mobile(r(), r())), ""
        else:
            if years >= 24 and r() < 0.6:
                relation, partner = ("suami", (male, last_m)) if sex else ("istri", (female, last_f))
            elif years >= 55 and r() < 0.7:
                relation, partner = "anak", (female, last_f) if r() < 0.5 else (male, last_m)
            else:
                relation = ("kakak", "adik", "orang tua")[int(r() * 3)]
                partner = (female, last_f) if r() < 0.5 else (male, last_m)
            contact = (f"{partner[0][int(r() * len(partner[0]))]} {partner[1][int(r() * len(partner[1]))]} "
                       f"({relation})")
            phone = _mobile(r(), r())
            email = ""
            if r() < 0.6:
                handle = re.sub(r"[^a-z.]", "", full_name.lower().replace(" ", "."))
                email = f"{handle}{1 + int(r() * 99)}@{('example.com', 'example.net', 'example.org')[int(r() * 3)]}"
        registered = max(born + 10, start - int(r() * 730))
        created = clock.stamp(registered, 7 * 60 + int(r() * 780))
        patients.append("\t".join((
            str(pid), f"RM-{pid:07d}", nik_stored, full_name, clock.date(born), "MF"[sex], encrypt(phone),
            encrypt(email) if email else "", address, vocab.BLOOD_TYPES(r()), contact, encrypt(contact_phone),
            nik_hash, blind_index("phone", phone), blind_index("email", email) if email else NULL, "1",
            created, created,
        )))
        insured = plan.insured[pid]
        if insured & 1:
            valid_from = clock.date(max(born + 30, start - int(r() * 3000)))
            insurance.append(f"{2 * pid - 1}\t{pid}\tbpjs\tBPJS Kesehatan\t0001{(pid * 7919 + 12345) % 10 ** 9:09d}\t"
                             f"{valid_from}\t{NULL}\t1")
        if insured & 2:
            provider, number = _private_policy(pid)
            insurance.append(f"{2 * pid}\t{pid}\tprivate\t{provider}\t{number}\t"
                             f"{clock.date(max(born + 30, start - int(r() * 365)))}\t"
                             f"{clock.date(today + 30 + int(r() * 300))}\t1")
    return _write(f"p{index:05d}", {"patients": patients, "insurance": insurance})


# --- appointments and what follows them ---------------------------------------------------------


class DayWriter:
    """The rows of a range of days: one doctor-day at a time, appointments placed back to back
    in the doctor's blocks, so no two of a doctor's appointments overlap."""

    def __init__(self, index: int):
        self.ctx = CONTEXT
        self.plan = CONTEXT.plan
        self.rng = self.plan.rng("days", index)
        self.tables = {table: [] for table in DAY_TABLES}
        self.now = self.plan.today_ordinal * 1440 + NOW_MINUTE

    def doctor_day(self, day_index: int, doctor, first_id: int, count: int) -> None:
        plan, r = self.plan, self.rng.random
        ordinal = plan.days[day_index]
        kind = self.ctx.kinds[doctor.kind]
        pool = plan.pools[doctor.kind]
        anchors = plan.anchors.get((day_index, doctor.index), 0)
        big = (day_index, doctor.index) == plan.big_bill
        block, minute, queue = 0, BLOCKS[0][0], 0
        for j in range(count):
            pid = ANCHOR_PATIENT_ID if j < anchors else self.patient(pool, ordinal)
            if pid is None:
                continue
            years = (ordinal - plan.born[pid]) // 365
            case = self.case(kind, years)
            lines = self.big_lines() if big else self.lines(kind, case, years)
            minutes = sum(self.ctx.services[code].minutes for code, _q in lines) or SLOT
            length = math.ceil(minutes / SLOT) * SLOT
            if not big and r() < 0.25:
                minute += SLOT  # a free slot now and then
            if not big and minute + length > BLOCKS[block][1]:
                block += 1
                if block == len(BLOCKS):
                    return
                minute = BLOCKS[block][0]
            start, end = minute, minute + length
            minute = end
            status = "completed" if (big or j < anchors) else self.status(ordinal, start, end)
            arrived = None
            if status in ("checked_in", "in_consultation", "completed"):
                queue += 1
                arrived = start - 5 - int(r() * 25)
            self.appointment(first_id + j, pid, doctor, ordinal, start, end, status, queue if arrived else None,
                             arrived, BIG_BILL_REASON if big else case.reason, lines)
            if status == "completed":
                self.record(first_id + j, pid, doctor, ordinal, start, end, case, years, lines)
                self.bill(first_id + j, pid, ordinal, end, lines)

    def patient(self, pool, ordinal: int) -> int | None:
        """A patient of the doctor's pool who was at least a month old that day (the pools are
        by age today; a long history reaches back before the youngest were born)."""
        r, born = self.rng.random, self.plan.born
        for _attempt in range(20):
            pid = pool[int(r() * len(pool))]
            if born[pid] <= ordinal - 30:
                return pid
        return None

    def case(self, kind, years):
        r = self.rng.random
        for _attempt in range(4):
            case = kind.pick(r())
            if case.min_age <= years <= case.max_age:
                return case
        return case

    def lines(self, kind, case, years) -> list[tuple[str, int]]:
        r = self.rng.random
        codes = [kind.consult, *case.services]
        for code, chance in case.optional:
            if code not in codes and r() < chance:
                codes.append(code)
        if kind.name in ("umum", "pd") and years >= 30 and r() < 0.3 and not any(c in vocab.LAB_PANELS for c in codes):
            codes.append(("LAB-GDS", "LAB-KOL", "LAB-AU")[int(r() * 3)])
        lines = []
        for code in codes:
            low, high = case.quantity.get(code, (1, 1))
            lines.append((code, low if low == high or r() < 0.6 else high))
        return lines

    def big_lines(self) -> list[tuple[str, int]]:
        return [(service.code, 1) for service in self.ctx.big_lines]

    def status(self, ordinal: int, start: int, end: int) -> str:
        r = self.rng.random()
        today = self.plan.today_ordinal
        if ordinal < today:
            return "completed" if r < 0.84 else "cancelled" if r < 0.93 else "no_show"
        if ordinal > today:
            return "scheduled" if r < 0.95 else "cancelled"
        if end <= NOW_MINUTE:
            return "completed" if r < 0.9 else "no_show"
        if start <= NOW_MINUTE:
            return "in_consultation"
        if start < NOW_MINUTE + 60 and r < 0.5:
            return "checked_in"
        return "scheduled" if r < 0.97 else "cancelled"

    def appointment(self, aid, pid, doctor, ordinal, start, end, status, queue, arrived, reason, lines):
        r, clock = self.rng.random, self.ctx.clock
        active = status not in ("cancelled", "no_show")
        notes = ""
        if status == "cancelled":
            notes = vocab.CANCEL_REASONS[int(r() * len(vocab.CANCEL_REASONS))]
        elif r() < 0.05:
            notes = vocab.NOTES[int(r() * len(vocab.NOTES))]
        created = clock.stamp(ordinal - 1 - int(r() * 14), 7 * 60 + int(r() * 720))
        updated = clock.stamp(ordinal, end) if status in ("completed", "no_show") else created
        self.tables["appointments"].append("\t".join((
            str(aid), str(pid), str(doctor.id), clock.stamp(ordinal, start), clock.stamp(ordinal, end), status,
            "1" if active else NULL, str(queue) if queue else NULL,
            clock.stamp(ordinal, arrived) if arrived is not None else NULL, reason, notes,
            str(self.plan.receptionist_id), created, updated,
        )))
        services = self.ctx.services
        out = self.tables["appointment_services"]
        for k, (code, quantity) in enumerate(lines):
            service = services[code]
            out.append(f"{aid * LINE_IDS + k}\t{aid}\t{service.id}\t{quantity}\t{service.price}.00")

    def record(self, aid, pid, doctor, ordinal, start, end, case, years, lines):
        r, clock, plan = self.rng.random, self.ctx.clock, self.plan
        sex = plan.sex[pid]
        if years < 13:
            systolic = 90 + int(r() * 20)
        else:
            systolic = (140 + int(r() * 36)) if case.bp_high else (102 + int(r() * 34))
        diastolic = systolic - 35 - int(r() * 15)
        heart = (80 + int(r() * 40)) if years < 13 else (62 + int(r() * 36))
        breath = (24 + int(r() * 6)) if case.asthma else (14 + int(r() * 8))
        temperature = (37.8 + r() * 1.7) if r() < case.fever else (36.2 + r() * 1.0)
        spo2 = (91 + int(r() * 5)) if case.asthma else (96 + int(r() * 4))
        if years >= 18:
            height = (158 + r() * 20) if sex == 0 else (147 + r() * 16)
            weight = (18.5 + r() * 12) * (height / 100) ** 2
        else:
            height = vocab.CHILD_HEIGHT[years] + (r() - 0.5) * 8
            weight = 15.5 * (height / 100) ** 2 + (r() - 0.5) * 2
        complaint = case.complaints[int(r() * len(case.complaints))].replace("{weeks}", str(12 + int(r() * 25)))
        allergy = vocab.ALLERGIES(((pid * 2654435761) % 1000) / 1000)  # the same at every visit
        self.tables["medical_records"].append("\t".join((
            str(aid), str(pid), str(doctor.id), str(aid), complaint, allergy, str(systolic), str(diastolic),
            str(heart), str(breath), f"{temperature:.1f}", str(spo2), f"{weight:.1f}", f"{height:.1f}",
            case.diagnosis, case.icd, case.treatment, case.prescription,
            vocab.RECORD_NOTES[int(r() * len(vocab.RECORD_NOTES))],
            clock.stamp(ordinal, start + 2 + int(r() * 8)), clock.stamp(ordinal, end),
        )))
        k = 0
        for code, _quantity in lines:
            for key in vocab.LAB_PANELS.get(code, ()):
                if k == 0:
                    sampled = start + 1 + int(r() * (end - start - 2))
                    reported = sampled + 25 + int(r() * 125)
                self.lab(aid * LAB_IDS + k, aid, doctor, ordinal, sampled, reported, key, case, sex)
                k += 1

    def lab(self, lab_id, record_id, doctor, ordinal, sampled, reported, key, case, sex):
        """A value from the test's normal range, or with the case's chance out of it; the flag is
        compute_abnormal's rule applied to the value as stored."""
        r, test = self.rng.random, self.ctx.labs[key]
        low, high, (normal_low, normal_high) = test.low, test.high, test.normal
        value = normal_low + r() * (normal_high - normal_low)
        if r() < (case.labs.get(key) or 0.06):
            direction = case.directions.get(key)
            if direction == "low" and low:
                value = low * (0.55 + r() * 0.37)
            elif high is not None and (direction == "high" or not low or r() < 0.75):
                value = high * (1.08 + r() * 0.55)
            elif low:
                value = low * (0.6 + r() * 0.32)
        text = f"{value:.{test.places}f}"
        stored = float(text)  # decimals of ≤ 15 digits compare as their floats do
        abnormal = (low is not None and stored < low) or (high is not None and stored > high)
        clock = self.ctx.clock
        when = ordinal * 1440 + reported
        self.tables["lab_results"].append("\t".join((
            str(lab_id), str(record_id), test.name, f"{stored:.3f}", test.unit, test.low_text, test.high_text,
            "1" if abnormal else "0", clock.stamp(ordinal, sampled),
            clock.stamp(ordinal, reported) if when <= self.now else NULL,
            str(doctor.user_id) if doctor.user_id else NULL,
        )))

    def bill(self, aid, pid, ordinal, end, lines):
        plan, r, clock = self.plan, self.rng.random, self.ctx.clock
        services = self.ctx.services
        total = sum(services[code].price * quantity for code, quantity in lines)
        issued = ordinal * 1440 + end  # local minutes since day 0
        planned = self.payments_planned(pid, total, r) if r() >= 0.002 else None  # None: void
        made = sorted((issued + delay, amount, method, policy) for delay, amount, method, policy in (planned or ())
                      if issued + delay <= self.now and amount > 0)
        paid = sum(p[1] for p in made)
        if planned is None:
            status = "void"
        else:
            status = "paid" if paid >= total else "partially_paid" if paid > 0 else "unpaid"
        policy = next((p[3] for p in made if p[3]), None)
        day = dt.date.fromordinal(ordinal)
        self.tables["billing"].append("\t".join((
            str(aid), f"INV-{day.year}{day.month:02d}-P{aid:07d}", str(pid), str(aid), f"{total}.00", f"{paid}.00",
            status, made[-1][2] if made else "", str(policy) if policy else NULL, clock.stamp(ordinal, end),
            clock.stamp(0, made[-1][0]) if made else clock.stamp(ordinal, end),
        )))
        out = self.tables["payments"]
        for k, (when, amount, method, policy) in enumerate(made):
            out.append("\t".join((
                str(aid * PAYMENT_IDS + k), str(aid), f"{amount}.00", method, str(policy) if policy else NULL,
                self.reference(method, policy, when, r), clock.stamp(0, when), str(plan.receptionist_id),
            )))

    @staticmethod
    def payments_planned(pid, total, r) -> list[tuple[int, int, str, int | None]]:
        """(minutes after issue, amount, method, policy id) as the sample data pays its bills:
        insurers pay their share days later, most patients pay in full at the counter, some in
        two parts, a few not yet."""
        insured = CONTEXT.plan.insured[pid]
        counter = 2 + int(r() * 11)
        if insured & 2 and r() < 0.85:
            share = min(total, (total * (100, 90, 80)[int(r() * 3)] // 100 + 500) // 1000 * 1000)
            planned = [((2 + int(r() * 13)) * 1440 + 60 + int(r() * 240), share, "Insurance", 2 * pid)]
            if total - share > 0:
                planned.append((counter, total - share, ("Cash", "CreditCard")[int(r() * 2)], None))
            return planned
        if insured & 1 and r() < 0.8:
            return [((1 + int(r() * 7)) * 1440 + 60 + int(r() * 240), total, "Insurance", 2 * pid - 1)]
        choice = r()
        if choice < 0.80:
            m = r()
            method = "Cash" if m < 0.5 else "CreditCard" if m < 0.7 else "Transfer"
            when = 60 * (1 + int(r() * 30)) if method == "Transfer" and r() < 0.4 else counter
            return [(when, total, method, None)]
        if choice < 0.88:
            first = total // 2 // 1000 * 1000
            return [(counter, first, "Cash", None),
                    ((1 + int(r() * 7)) * 1440 + int(r() * 360), total - first, "Transfer", None)]
        if choice < 0.94:
            part = total * (30, 50, 60)[int(r() * 3)] // 100 // 1000 * 1000
            return [(counter, part, ("Cash", "Transfer")[int(r() * 2)], None)]
        return []

    def reference(self, method, policy, when, r) -> str:
        banks = vocab.BANKS
        if method == "CreditCard":
            return f"EDC {banks[int(r() * len(banks))]} approval {int(r() * 1_000_000):06d}"
        if method == "Transfer":
            return f"Transfer {banks[int(r() * len(banks))]} {int(r() * 10_000):04d}"
        if method == "Insurance" and policy % 2:
            return f"SEP 0114R001V{int(r() * 1_000_000):06d}"  # BPJS eligibility letter
        if method == "Insurance":
            return f"Klaim {int(r() * 100_000_000):08d}"
        return ""


def day_chunk(index: int, first_day: int, last_day: int) -> list[tuple[str, str, int]]:
    """Appointments of day indexes first_day..last_day and everything that follows from them."""
    writer = DayWriter(index)
    plan = writer.plan
    for day_index in range(first_day, last_day + 1):
        next_id = plan.first_id[day_index]
        for doctor in plan.doctors:
            count = plan.counts[day_index][doctor.index]
            if count:
                writer.doctor_day(day_index, doctor, next_id, count)
                next_id += count
    return _write(f"d{index:05d}", writer.tables)
