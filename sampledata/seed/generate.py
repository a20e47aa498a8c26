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
import functools
import hashlib
import hmac
import json
import os
from dataclasses import dataclass

from core import crypto
from patients.models import NAME_WORDS_MAX, name_words
from sampledata import rules, vocab
from sampledata.rules import DAY, NOW_MINUTE

from .plan import ANCHOR_NAME, ANCHOR_PATIENT_ID, BIG_BILL_LINES, BIG_BILL_REASON, BLOCKS, Plan, names, tsv

UTC_OFFSET = 7 * 60
NULL = "\\N"

COLUMNS = {
    "patients": (
        "id",
        "medical_record_number",
        "nik",
        "full_name",
        "date_of_birth",
        "gender",
        "phone",
        "email",
        "address",
        "blood_type",
        "emergency_contact_name",
        "emergency_contact_phone",
        "nik_hash",
        "phone_hash",
        "email_hash",
        "is_active",
        "created_at",
        "updated_at",
    ),
    "patient_name_words": ("id", "patient_id", "word"),
    "insurance": (
        "id",
        "patient_id",
        "kind",
        "provider_name",
        "policy_number",
        "valid_from",
        "valid_until",
        "is_active",
    ),
    "appointments": (
        "id",
        "patient_id",
        "doctor_id",
        "appointment_date",
        "end_time",
        "status",
        "slot_active",
        "queue_number",
        "arrived_at",
        "reason",
        "notes",
        "booked_by_id",
        "created_at",
        "updated_at",
    ),
    "appointment_services": ("id", "appointment_id", "service_id", "quantity", "unit_price"),
    "medical_records": (
        "id",
        "patient_id",
        "doctor_id",
        "appointment_id",
        "complaint",
        "allergies",
        "systolic_bp",
        "diastolic_bp",
        "heart_rate",
        "respiratory_rate",
        "temperature_c",
        "oxygen_saturation",
        "weight_kg",
        "height_cm",
        "diagnosis",
        "icd10_code",
        "treatment",
        "prescription",
        "notes",
        "created_at",
        "updated_at",
    ),
    "lab_results": (
        "id",
        "medical_record_id",
        "test_name",
        "value",
        "unit",
        "reference_low",
        "reference_high",
        "is_abnormal",
        "sampled_at",
        "reported_at",
        "created_by_id",
    ),
    "billing": (
        "id",
        "number",
        "patient_id",
        "appointment_id",
        "total_amount",
        "amount_paid",
        "status",
        "payment_method",
        "insurance_id",
        "issued_at",
        "updated_at",
    ),
    "payments": ("id", "billing_id", "amount", "method", "insurance_id", "reference", "paid_at", "received_by_id"),
    # The chain's seq, prev_hash and hash are appended by chain_audit_file() as the file is loaded.
    "audit_log": (
        "id",
        "created_at",
        "actor_id",
        "actor_username",
        "action",
        "patient_id",
        "object_type",
        "object_id",
        "what",
        "changes",
        "ip_address",
        "user_agent",
        "mac",
        "seq",
        "prev_hash",
        "hash",
    ),
}
PATIENT_TABLES = ("patients", "patient_name_words", "insurance")
DAY_TABLES = (
    "appointments",
    "appointment_services",
    "medical_records",
    "lab_results",
    "billing",
    "payments",
    "audit_log",
)
LINE_IDS, LAB_IDS, PAYMENT_IDS = 64, 32, 4  # child ids per appointment (see the package docstring)
# Audit rows: ids AUDIT_ID_BASE + appointment id * AUDIT_IDS + k, clear of the rows the app wrote
# before the load (the staff accounts' own).
AUDIT_ID_BASE, AUDIT_IDS = 1 << 32, 16
AUDIT_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
)


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
        return self.at(ordinal * DAY + minute)

    def at(self, minute: int) -> str:
        """The timestamp of a local minute (sampledata.rules' clock)."""
        day, minute = divmod(minute - UTC_OFFSET, DAY)
        text = self.dates.get(day)
        return (text or self.date(day)) + self.hhmm[minute]


@dataclass
class Context:
    plan: Plan
    out_dir: str
    clock: Clock
    services: dict  # code → ServiceRow
    minutes_of: dict  # code → minutes
    big_lines: list
    names: tuple
    index_key: bytes
    cipher: object  # the current field key's AESGCM
    header: str  # "v1:<key id>"
    audit_key: bytes  # AUDIT_KEY: the seeded audit rows are signed as the app signs its own
    usernames: dict  # user id → username (the audit rows copy it)


CONTEXT: Context | None = None


def setup(plan: Plan, out_dir: str, timestamp_suffix: str, usernames: dict | None = None) -> None:
    """Prepares the module-level context the chunk functions read (inherited by forked workers)."""
    global CONTEXT
    usernames = usernames or {}
    services = {s.code: s for s in plan.services}
    # The 50-line bill: the price list's shortest services, so the visit fits in one day.
    big = sorted((s for s in plan.services if s.active), key=lambda s: (s.minutes, s.id))[:BIG_BILL_LINES]
    CONTEXT = Context(
        plan=plan,
        out_dir=out_dir,
        clock=Clock(timestamp_suffix),
        services=services,
        minutes_of={s.code: s.minutes for s in plan.services},
        big_lines=[(s.code, 1) for s in sorted(big, key=lambda s: s.id)],
        names=names(),
        index_key=crypto.keyring().index_key,
        cipher=crypto.keyring().ciphers[crypto.keyring().current_id],
        header=f"{crypto.VERSION}:{crypto.keyring().current_id}",
        audit_key=crypto.audit_key(),
        usernames=usernames,
    )


_URLSAFE = bytes.maketrans(b"+/", b"-_")
_nonces = {"buffer": b"", "at": 0}


def encrypt(plain: str) -> str:
    """core.crypto.encrypt's format (v1:<key id>:<urlsafe base64 of nonce + ciphertext + tag>,
    the header authenticated) at half its cost: the nonces come from one os.urandom call per
    4,096 values and the base64 from binascii. The tests decrypt its output with the app's decrypt."""
    at = _nonces["at"]
    if at >= len(_nonces["buffer"]):
        _nonces["buffer"], at = os.urandom(crypto.NONCE_BYTES * 4096), 0
    nonce = _nonces["buffer"][at : at + crypto.NONCE_BYTES]
    _nonces["at"] = at + crypto.NONCE_BYTES
    header = CONTEXT.header
    sealed = CONTEXT.cipher.encrypt(nonce, plain.encode(), header.encode())
    return f"{header}:{binascii.b2a_base64(nonce + sealed, newline=False).translate(_URLSAFE).decode()}"


def blind_index(kind: str, normalised: str) -> str:
    """core.crypto.blind_index for a value that is already normalised, without its per-call
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


@functools.cache
def esc(text: str) -> str:
    """tsv() of one of the vocabulary's strings, computed once."""
    return tsv(text)


@functools.cache
def _prescription(case_key: str, allergy: str) -> str:
    case = next(case for cases in vocab.CASES.values() for case in cases if case["key"] == case_key)
    return tsv(rules.prescription(case, allergy))


def _private_policy(pid: int) -> tuple[str, str]:
    """The insurer and card number of patient `pid`'s private policy: unique without a look-up,
    since 104729 is a prime that divides none of the number ranges."""
    provider = vocab.PRIVATE_INSURERS[pid % len(vocab.PRIVATE_INSURERS)]
    low, high, _shape = rules.POLICY_NUMBERS[provider]
    return provider, rules.policy_number(provider, low + (pid * 104729 + 7) % (high - low + 1))


def patient_chunk(index: int, first: int, last: int) -> list[tuple[str, str, int]]:
    """Patients first..last (ids) and their insurance policies."""
    ctx = CONTEXT
    plan, clock = ctx.plan, ctx.clock
    _nonces["at"] = len(_nonces["buffer"])  # fresh nonces in every process, never inherited ones
    rng = plan.rng("patients", index)
    r = rng.random
    male, female, last_m, last_f, streets = ctx.names
    today, start = plan.today_ordinal, plan.history_start
    patients, words, insurance = [], [], []
    for pid in range(first, last + 1):
        sex, born = plan.sex[pid], plan.born[pid]
        years = (today - born) // 365
        firsts, lasts = (female, last_f) if sex else (male, last_m)
        if pid == ANCHOR_PATIENT_ID:
            full_name = ANCHOR_NAME
        elif r() < 0.3:
            full_name = f"{rng.choice(firsts)} {rng.choice(firsts)} {rng.choice(lasts)}"
        else:
            full_name = f"{rng.choice(firsts)} {rng.choice(lasts)}"
        code, district, city, villages = vocab.REGIONS[plan.region[pid]]
        village, postcode = rng.choice(villages)
        serial = plan.nik_serial[pid]
        if serial:
            nik = rules.nik(code, dt.date.fromordinal(born), sex == 1, serial)
            nik_stored, nik_hash = encrypt(nik), blind_index("nik", nik)
        else:
            nik_stored = nik_hash = NULL
        address = rules.address(rng, f"Jl. {rng.choice(streets)}", district, city, village, postcode)
        relation, contact_sex = rules.contact_relation(rng, years, "MF"[sex])
        contact_names = (female, last_f) if contact_sex == "F" else (male, last_m)
        contact = f"{rng.choice(contact_names[0])} {rng.choice(contact_names[1])} ({relation})"
        contact_phone = rules.mobile(rng)
        if years < 18:
            phone, email = (contact_phone if years < 13 else rules.mobile(rng)), ""
        else:
            phone = rules.mobile(rng)
            email = rules.email(rng, *full_name.split())
        registered = max(born + 10, start - rng.randint(0, 730))
        created = clock.stamp(registered, rng.randint(7 * 60, 19 * 60 + 59))
        patients.append(
            "\t".join(
                (
                    str(pid),
                    f"RM-{pid:07d}",
                    nik_stored,
                    full_name,
                    clock.date(born),
                    "MF"[sex],
                    encrypt(phone),
                    encrypt(email) if email else "",
                    address,
                    rules.BLOOD_TYPE(rng),
                    contact,
                    encrypt(contact_phone),
                    nik_hash,
                    blind_index("phone", phone),
                    blind_index("email", email) if email else NULL,
                    "1",
                    created,
                    created,
                )
            )
        )
        # The any-word search's index (patients.models.PatientNameWord): at most NAME_WORDS_MAX
        # words a name, so pid * NAME_WORDS_MAX + n is a unique id without a look-up.
        words.extend(f"{pid * NAME_WORDS_MAX + n}\t{pid}\t{tsv(word)}" for n, word in enumerate(name_words(full_name)))
        insured = plan.insured[pid]
        if insured & 1:
            valid_from = clock.date(max(born + 30, start - rng.randint(0, 3000)))
            insurance.append(
                f"{2 * pid - 1}\t{pid}\tbpjs\tBPJS Kesehatan\t0001{(pid * 7919 + 12345) % 10**9:09d}\t"
                f"{valid_from}\t{NULL}\t1"
            )
        if insured & 2:
            provider, number = _private_policy(pid)
            insurance.append(
                f"{2 * pid}\t{pid}\tprivate\t{esc(provider)}\t{number}\t"
                f"{clock.date(max(born + 30, start - rng.randint(0, 365)))}\t"
                f"{clock.date(today + 30 + rng.randint(0, 300))}\t1"
            )
    return _write(f"p{index:05d}", {"patients": patients, "patient_name_words": words, "insurance": insurance})


# --- appointments and what follows them ---------------------------------------------------------


def _fraction(pid: int, salt: int) -> float:
    """A number in [0, 1) fixed for the patient: what must be the same at every visit."""
    return ((pid * 2654435761 + salt * 40503) % 4294967296) / 4294967296


@dataclass
class Visit:
    id: int
    pid: int
    years: int
    case: dict
    lines: list
    start: int  # local minutes (sampledata.rules)
    end: int
    status: str
    times: rules.VisitTimes


class DayWriter:
    """The rows of a range of days: one doctor-day at a time, appointments placed back to back
    in the doctor's blocks (now and then a free slot between), so no two of a doctor's
    appointments overlap; what happens in each visit is the shared rules'."""

    def __init__(self, index: int):
        self.ctx = CONTEXT
        self.plan = CONTEXT.plan
        self.rng = self.plan.rng("days", index)
        self.tables = {table: [] for table in DAY_TABLES}
        self.now = self.plan.today_ordinal * DAY + NOW_MINUTE

    def doctor_day(self, day_index: int, doctor, first_id: int, count: int) -> None:
        plan, rng = self.plan, self.rng
        ordinal = plan.days[day_index]
        pool = plan.pools[doctor.kind]
        anchors = plan.anchors.get((day_index, doctor.index), 0)
        big = (day_index, doctor.index) == plan.big_bill
        block, minute = 0, BLOCKS[0][0]
        visits = []
        for j in range(count):
            pid = ANCHOR_PATIENT_ID if j < anchors else self.patient(pool, ordinal, doctor.kind)
            if pid is None:
                continue
            years = (ordinal - plan.born[pid]) // 365
            case = rules.choose_case(rng, doctor.kind, years)
            lines = self.ctx.big_lines if big else rules.visit_lines(rng, doctor.kind, case, years)
            length = rules.visit_minutes(lines, self.ctx.minutes_of)
            if not big and rng.random() < 0.25:
                minute += rules.SLOT_MINUTES  # a free slot now and then
            if not big and minute + length > BLOCKS[block][1]:
                block += 1
                if block == len(BLOCKS):
                    break
                minute = BLOCKS[block][0]
            start, end = ordinal * DAY + minute, ordinal * DAY + minute + length
            minute += length
            status = "completed" if (big or j < anchors) else rules.visit_status(rng, start, end, self.now)
            visits.append(
                Visit(
                    first_id + j,
                    pid,
                    years,
                    case,
                    lines,
                    start,
                    end,
                    status,
                    rules.visit_times(rng, status, start, end, self.now),
                )
            )
        arrived = [visit for visit in visits if visit.times.arrived is not None]
        queue = dict(
            zip(
                (visit.id for visit in arrived),
                rules.queue_numbers([(visit.times.arrived, visit.start) for visit in arrived]),
                strict=False,
            )
        )
        for visit in visits:
            self.appointment(visit, doctor, queue.get(visit.id), BIG_BILL_REASON if big else visit.case["reason"])
            if visit.status == "completed":
                self.record(visit, doctor)
                self.bill(visit)
            self.audit(visit, doctor)

    def patient(self, pool, ordinal: int, kind: str) -> int | None:
        """A patient of the doctor's pool who was old enough for the doctor that day (the pools are
        by age today; a long history reaches back to when the youngest were babies or unborn)."""
        r, born = self.rng.random, self.plan.born
        born_by = ordinal - max(30, 365 * vocab.DOCTOR_PATIENTS[kind].get("min_age", 0))
        for _attempt in range(20):
            pid = pool[int(r() * len(pool))]
            if born[pid] <= born_by:
                return pid
        return None

    def appointment(self, visit: Visit, doctor, queue: int | None, reason: str) -> None:
        clock, times, aid = self.ctx.clock, visit.times, visit.id
        self.tables["appointments"].append(
            "\t".join(
                (
                    str(aid),
                    str(visit.pid),
                    str(doctor.id),
                    clock.at(visit.start),
                    clock.at(visit.end),
                    visit.status,
                    "1" if rules.slot_active(visit.status) else NULL,
                    str(queue) if queue else NULL,
                    clock.at(times.arrived) if times.arrived is not None else NULL,
                    esc(reason),
                    esc(times.note or ""),
                    str(self.plan.admin_id if times.by_admin else self.plan.receptionist_id),
                    clock.at(times.created),
                    clock.at(times.updated),
                )
            )
        )
        services = self.ctx.services
        out = self.tables["appointment_services"]
        for k, (code, quantity) in enumerate(visit.lines):
            service = services[code]
            out.append(f"{aid * LINE_IDS + k}\t{aid}\t{service.id}\t{quantity}\t{service.price}.00")

    def record(self, visit: Visit, doctor) -> None:
        rng, clock, pid, case, aid = self.rng, self.ctx.clock, visit.pid, visit.case, visit.id
        male = not self.plan.sex[pid]
        allergy = rules.ALLERGY.at(_fraction(pid, 1))
        complaint = rules.complaint(rng, case)
        note = rng.choice(vocab.RECORD_NOTES)
        created = rules.record_written(rng, visit.start, visit.end)
        height = None
        if visit.years >= 18:
            height = 158 + 20 * _fraction(pid, 2) if male else 147 + 16 * _fraction(pid, 2)
        v = rules.vitals(
            rng,
            case,
            years=visit.years,
            days_old=visit.start // DAY - self.plan.born[pid],
            height=height,
            bmi=18.5 + 12 * _fraction(pid, 3),
        )
        self.tables["medical_records"].append(
            "\t".join(
                (
                    str(aid),
                    str(pid),
                    str(doctor.id),
                    str(aid),
                    esc(complaint),
                    esc(allergy),
                    _int(v["systolic_bp"]),
                    _int(v["diastolic_bp"]),
                    str(v["heart_rate"]),
                    str(v["respiratory_rate"]),
                    f"{v['temperature_c']:.1f}",
                    str(v["oxygen_saturation"]),
                    f"{v['weight_kg']:.1f}",
                    f"{v['height_cm']:.1f}",
                    esc(case["diagnosis"]),
                    esc(case["icd"]),
                    esc(case["treatment"]),
                    _prescription(case["key"], allergy),
                    esc(note),
                    clock.at(created),
                    clock.at(visit.end),
                )
            )
        )
        leans, directions = case.get("labs", {}), case.get("lab_direction", {})
        k = 0
        for code, _quantity in visit.lines:
            tests = vocab.LAB_PANELS.get(code)
            if not tests:
                continue
            sampled, reported = rules.lab_times(rng, visit.start, visit.end)
            for key in tests:
                name, unit, value, low, high, abnormal = rules.lab_reading(
                    rng, key, male=male, chance=leans.get(key, 0), direction=directions.get(key)
                )
                self.tables["lab_results"].append(
                    "\t".join(
                        (
                            str(aid * LAB_IDS + k),
                            str(aid),
                            esc(name),
                            f"{value:.3f}",
                            esc(unit),
                            NULL if low is None else f"{low:.3f}",
                            NULL if high is None else f"{high:.3f}",
                            "1" if abnormal else "0",
                            clock.at(sampled),
                            clock.at(reported) if reported <= self.now else NULL,
                            str(doctor.user_id) if doctor.user_id else NULL,
                        )
                    )
                )
                k += 1

    def bill(self, visit: Visit) -> None:
        plan, rng, clock, pid, aid = self.plan, self.rng, self.ctx.clock, visit.pid, visit.id
        services = self.ctx.services
        total = sum(services[code].price * quantity for code, quantity in visit.lines)
        void = rng.random() < 0.002
        planned = (
            []
            if void
            else rules.payment_plan(
                rng,
                total,
                private=2 * pid if plan.insured[pid] & 2 else None,
                bpjs=2 * pid - 1 if plan.insured[pid] & 1 else None,
            )
        )
        bill = rules.settle(planned, total=total, issued=visit.end, now=self.now, void=void)
        made = bill.payments
        policy = next((p[3] for p in made if p[3]), None)
        day = dt.date.fromordinal(visit.start // DAY)
        self.tables["billing"].append(
            "\t".join(
                (
                    str(aid),
                    f"INV-{day.year}{day.month:02d}-P{aid:07d}",
                    str(pid),
                    str(aid),
                    f"{total}.00",
                    f"{bill.paid}.00",
                    bill.status,
                    made[-1][2] if made else "",
                    str(policy) if policy else NULL,
                    clock.at(visit.end),
                    clock.at(made[-1][0] if made else visit.end),
                )
            )
        )
        out = self.tables["payments"]
        for k, (when, amount, method, policy) in enumerate(made):
            reference = rules.payment_reference(
                rng,
                method,
                paid_on=dt.date.fromordinal(when // DAY),
                issued_on=day,
                policy_kind="bpjs" if policy and policy % 2 else "private",
                provider=_private_policy(pid)[0] if policy and not policy % 2 else "",
            )
            out.append(
                "\t".join(
                    (
                        str(aid * PAYMENT_IDS + k),
                        str(aid),
                        f"{amount}.00",
                        method,
                        str(policy) if policy else NULL,
                        reference,
                        clock.at(when),
                        str(plan.receptionist_id),
                    )
                )
            )

    # --- the audit history: what the app would have logged around each visit ---------------

    def audit(self, visit: Visit, doctor) -> None:
        """About ten rows for a completed visit (the booking's search, the patient page, the
        booking, the check-in, the doctor's pages and record, the completion, the bill and its
        receipt), three to four for the others; each signed under AUDIT_KEY, the chain's fields
        left to chain_audit_file()."""
        times, aid, pid = visit.times, visit.id, visit.pid
        desk = self.plan.admin_id if times.by_admin else self.plan.receptionist_id
        visit_ref = ("scheduling.appointment", str(aid))
        rows = [
            (times.created, desk, "read", "", "", "search results (1)", None),
            (times.created, desk, "read", "", "", "patient detail", None),
            (times.created, desk, "create", *visit_ref, "appointment", {"status": [None, "scheduled"]}),
        ]
        if times.arrived is not None:
            rows.append(
                (times.arrived, desk, "update", *visit_ref, "appointment", {"status": ["scheduled", "checked_in"]})
            )
        if visit.status == "completed" and doctor.user_id:
            seen = visit.start + 1
            rows += [
                (seen, doctor.user_id, "read", *visit_ref, "visit and medical record", None),
                (seen + 1, doctor.user_id, "read", *visit_ref, "medical record form", None),
                (
                    visit.end - 1,
                    doctor.user_id,
                    "create",
                    "records.medicalrecord",
                    str(aid),
                    "medical record",
                    {"diagnosis": [None, visit.case["diagnosis"]]},
                ),
                (
                    visit.end,
                    doctor.user_id,
                    "update",
                    *visit_ref,
                    "appointment",
                    {"status": ["in_consultation", "completed"]},
                ),
                (visit.end + 2, desk, "read", "billing.billing", str(aid), "bill detail", None),
                (visit.end + 4, desk, "print", "billing.billing", str(aid), "receipt", None),
            ]
        elif visit.status in ("cancelled", "no_show"):
            rows.append(
                (times.updated, desk, "update", *visit_ref, "appointment", {"status": ["scheduled", visit.status]})
            )
        out = self.tables["audit_log"]
        for k, (minute, actor, action, object_type, object_id, what, changes) in enumerate(rows):
            out.append(
                self._audit_line(
                    AUDIT_ID_BASE + aid * AUDIT_IDS + k,
                    minute,
                    actor,
                    action,
                    pid,
                    object_type,
                    object_id,
                    what,
                    changes or {},
                )
            )

    def _audit_line(self, row_id, minute, actor, action, pid, object_type, object_id, what, changes) -> str:
        ctx = self.ctx
        stamp = ctx.clock.at(minute)
        address = f"10.20.{actor // 250 % 250}.{actor % 250 + 1}"
        username = ctx.usernames.get(actor, "")
        values = {
            "action": action,
            "actor_id": actor,
            "actor_username": username,
            "changes": changes,
            "created_at": f"{stamp[:10]}T{stamp[11:19]}.000000+00:00",
            "ip_address": address,
            "object_id": object_id,
            "object_type": object_type,
            "patient_id": pid,
            "user_agent": AUDIT_AGENT,
            "what": what,
        }
        mac = hmac.new(ctx.audit_key, _canonical(values).encode(), "sha256").hexdigest()
        values.update(id=row_id, mac=mac, seq=0)
        prefix, suffix = _canonical(values).split(SEQ_MARK, 1)
        changes_text = json.dumps(changes, ensure_ascii=False, separators=(", ", ": "))
        return "\t".join(
            (
                str(row_id),
                stamp,
                str(actor),
                tsv(username),
                action,
                str(pid),
                object_type,
                object_id,
                tsv(what),
                tsv(changes_text),
                address,
                AUDIT_AGENT,
                mac,
                prefix,
                suffix,
            )
        )


SEQ_MARK = '"seq":0,'


def _canonical(values: dict) -> str:
    """audit.services.canonical_values' text for values already in their JSON form."""
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_audit_file(path: str, chain: dict) -> None:
    """Gives each audit row of a generated file its chain position, the previous row's hash and
    its own (audit.services: sha256(prev_hash + canonical JSON)), continuing `chain` ({"seq",
    "hash"}, updated). Run on the files in load order, so the chain follows the chunks."""
    seq, prev = chain["seq"], chain["hash"]
    lines = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            head, prefix, suffix = line.rstrip("\n").rsplit("\t", 2)
            seq += 1
            digest = hashlib.sha256(f'{prev}{prefix}"seq":{seq},{suffix}'.encode()).hexdigest()
            lines.append(f"{head}\t{seq}\t{prev}\t{digest}")
            prev = digest
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write("\n".join(lines))
        handle.write("\n")
    chain["seq"], chain["hash"] = seq, prev


def _int(value: int | None) -> str:
    return NULL if value is None else str(value)


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
