"""The demo data set as Django JSON fixtures: `manage.py generate_sample_data` writes fixtures/*.json.

A small clinic (80 patients, six doctors, six weeks back and three ahead) built from the shared
rules (sampledata.rules) with a plain `random.Random` and a Faker("id_ID"), both seeded, a fixed
"today" (2026-11-25 at 10.30 WIB) and password hashes with a fixed salt: the output is byte-identical
on every run, and a test compares it with the committed files.

`loaddata` writes raw rows (no save(), no services, no auto_now), so every row written here is
already consistent: bill totals equal their lines, statuses match the money received,
`slot_active` matches the status, timestamps are set explicitly.

One file per app, in load order: users → patients (doctors, working hours, patients) →
scheduling (services, appointments, their services) → records (medical records, lab results) →
billing (insurance, bills, payments).
"""

import datetime as dt
import json
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from random import Random
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import Argon2PasswordHasher, make_password

from . import rules, vocab
from .rules import DAY

SEED = 20261125
DEFAULT_TODAY = dt.date(2026, 11, 25)
JAKARTA = ZoneInfo("Asia/Jakarta")
DEMO_PASSWORD = "klinik-demo-2026"
FILES = ("users", "patients", "scheduling", "records", "billing", "pharmacy")
PAST_DAYS, FUTURE_DAYS = 42, 21  # six weeks back, three weeks ahead
PAST_APPOINTMENTS, FUTURE_APPOINTMENTS = 125, 40
N_PATIENTS = 80
# The doctors whose NIK carries the female birth day (+40), by first name.
FEMALE_DOCTORS = {"Maya", "Siti", "Ratna"}


class SampleDataError(Exception):
    """The rules could not place what the demo needs."""


def money(value) -> str:
    return f"{Decimal(value):.2f}"


def decimal_str(value, places: int) -> str:
    return f"{Decimal(str(value)):.{places}f}"


def stamp(moment: dt.datetime) -> str:
    """ISO 8601 in clinic time with its offset, whole seconds: 2026-11-25T08:15:00+07:00."""
    return moment.astimezone(JAKARTA).replace(microsecond=0).isoformat()


def minutes(moment: dt.datetime) -> int:
    """The rules' clock: local minutes from day 0."""
    local = moment.astimezone(JAKARTA)
    return local.toordinal() * DAY + local.hour * 60 + local.minute


def moment(minute: int) -> dt.datetime:
    day, minute = divmod(minute, DAY)
    return dt.datetime.combine(dt.date.fromordinal(day), dt.time(minute // 60, minute % 60), tzinfo=JAKARTA)


class SampleData:
    def __init__(self, today: dt.date, faker_class):
        self.today = today
        self.now = moment(today.toordinal() * DAY + rules.NOW_MINUTE)
        self.rng = Random(SEED)
        self.fake = faker_class("id_ID")
        self.fake.seed_instance(SEED)
        self.rows = {name: [] for name in FILES}
        # The mock SATUSEHAT's data set that knows this clinic (fixtures/satusehat_mock.json).
        self.satusehat = {
            "organization_id": vocab.SATUSEHAT_ORGANIZATION_ID,
            "client_id": "klinik-mock-client",
            "client_secret": "klinik-mock-secret",
            "patients": {},
            "practitioners": {},
            "locations": [],
        }
        self.phones = set()

    def at(self, day: dt.date, time: dt.time | str) -> dt.datetime:
        return dt.datetime.combine(day, dt.time.fromisoformat(time) if isinstance(time, str) else time, tzinfo=JAKARTA)

    def mobile(self) -> str:
        while True:
            number = rules.mobile(self.rng)
            if number not in self.phones:
                self.phones.add(number)
                return number

    def add(self, file: str, model: str, pk: int, fields: dict):
        self.rows[file].append({"model": model, "pk": pk, "fields": dict(sorted(fields.items()))})

    def build(self) -> dict[str, list]:
        self.build_users()
        self.build_doctors()
        self.build_services()
        self.build_patients()
        self.build_insurance()
        self.build_appointments()
        self.build_records()
        self.build_bills()
        self.build_pharmacy()
        self.deactivate_one_patient()
        self.sanity_checks()
        return {**self.rows, "satusehat_mock": self.satusehat}

    # --- staff, doctors, price list ---

    def build_users(self):
        hasher = Argon2PasswordHasher()  # an instance: works whatever PASSWORD_HASHERS says
        self.users = {}
        joined = self.at(dt.date(2026, 1, 5), "08:00")
        for pk, (username, role, first, last, superuser) in enumerate(vocab.STAFF, start=1):
            self.users[username] = pk
            salt = f"klinikdemo{username}"  # fixed: the same hash on every run
            self.add(
                "users",
                "accounts.user",
                pk,
                {
                    "password": make_password(DEMO_PASSWORD, salt=salt, hasher=hasher),
                    "last_login": None,
                    "is_superuser": superuser,
                    "username": username,
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@kliniksehatsentosa.example",
                    "is_staff": role == "admin" or superuser,
                    "is_active": True,
                    "date_joined": stamp(joined + dt.timedelta(days=pk - 1, minutes=15 * pk)),
                    "role": role,
                },
            )

    def build_doctors(self):
        self.doctors = []
        wh_pk = 0
        # Rooms (poli) and the SATUSEHAT ids, from a Random of their own: the other draws stay put.
        ids_rng = Random(f"{SEED}-satusehat")
        rooms = {}
        for spec in vocab.DOCTORS:
            name = vocab.ROOMS[spec["specialization"]]
            if name not in rooms:
                rooms[name] = len(rooms) + 1
                self.satusehat["locations"].append(rules.location_id(ids_rng))
                self.add(
                    "patients",
                    "patients.room",
                    rooms[name],
                    {"name": name, "satusehat_location_id": self.satusehat["locations"][-1], "is_active": True},
                )
        for pk, spec in enumerate(vocab.DOCTORS, start=1):
            first_name = spec["full_name"].split(",")[0].split(" ", 1)[1]
            email = re.sub(r"[^a-z.]", "", first_name.lower().replace(" ", ".")) + "@kliniksehatsentosa.example"
            doctor = dict(spec, pk=pk, user=self.users.get(spec["username"]), blocks=defaultdict(list))
            born = dt.date(1970 + ids_rng.randint(0, 25), ids_rng.randint(1, 12), ids_rng.randint(1, 28))
            nik = rules.nik("327301", born, spec["full_name"].split()[1] in FEMALE_DOCTORS, ids_rng.randint(1, 2999))
            ihs_id = rules.practitioner_ihs_id(ids_rng)
            self.satusehat["practitioners"][nik] = ihs_id
            self.add(
                "patients",
                "patients.doctor",
                pk,
                {
                    "full_name": spec["full_name"],
                    "specialization": spec["specialization"],
                    "license_number": spec["license"],
                    "nik": nik,
                    "ihs_id": ihs_id,
                    "room": rooms[vocab.ROOMS[spec["specialization"]]],
                    "phone": self.mobile(),
                    "email": email,
                    "is_active": True,
                    "user": doctor["user"],
                    "created_at": stamp(self.at(dt.date(2026, 1, 5), "09:00") + dt.timedelta(days=pk, minutes=7 * pk)),
                },
            )
            for weekdays, start, end in spec["hours"]:
                for weekday in weekdays:
                    doctor["blocks"][weekday].append((dt.time.fromisoformat(start), dt.time.fromisoformat(end)))
            for weekday in sorted(doctor["blocks"]):
                doctor["blocks"][weekday].sort()
                for start, end in doctor["blocks"][weekday]:
                    wh_pk += 1
                    self.add(
                        "patients",
                        "patients.workinghours",
                        wh_pk,
                        {
                            "doctor": pk,
                            "weekday": weekday,
                            "start_time": start.isoformat(),
                            "end_time": end.isoformat(),
                        },
                    )
            self.doctors.append(doctor)

    def build_services(self):
        self.services = {}
        for pk, (code, name, price, minutes_, active) in enumerate(vocab.SERVICES, start=1):
            kinds = vocab.SERVICE_DOCTORS.get(code, ())
            doctors = [doctor["pk"] for doctor in self.doctors if doctor["kind"] in kinds]
            self.services[code] = dict(pk=pk, price=price, minutes=minutes_, kinds=kinds)
            self.add(
                "scheduling",
                "scheduling.service",
                pk,
                {
                    "code": code,
                    "name": name,
                    "price": money(price),
                    "duration_minutes": minutes_,
                    "is_active": active,
                    "doctors": doctors,
                },
            )
        self.minutes_of = {code: service["minutes"] for code, service in self.services.items()}

    # --- patients and their insurance ---

    def build_patients(self):
        rng, fake = self.rng, self.fake
        groups = [group for group, count in vocab.AGE_GROUPS[:3] for _ in range(count)]
        groups += ["adult"] * (N_PATIENTS - len(groups))
        rng.shuffle(groups)
        no_nik = set(rng.sample(range(N_PATIENTS), 4))
        self.patients, names, niks = [], set(), set()
        for index, group in enumerate(groups):
            pk = index + 1
            age, sex = rules.age_and_sex(rng, group)
            born = dt.date.fromordinal(rules.birth_ordinal(rng, self.today.toordinal(), age))
            while True:
                first = fake.first_name_male() if sex == "M" else fake.first_name_female()
                last = fake.last_name_male() if sex == "M" else fake.last_name_female()
                full_name = f"{first} {last}"
                if full_name not in names and first != last:
                    names.add(full_name)
                    break
            code, district, city, villages = rng.choice(vocab.REGIONS)
            village, postcode = rng.choice(villages)
            nik = None
            if index not in no_nik:
                while nik is None or nik in niks:
                    nik = rules.nik(code, born, sex == "F", rng.randint(1, 2999))
                niks.add(nik)
            address = rules.address(rng, fake.street_name(), district, city, village, postcode)
            years = rules.age_on(born, self.today)
            relation, contact_sex = rules.contact_relation(rng, years, sex)
            contact_first = fake.first_name_female() if contact_sex == "F" else fake.first_name_male()
            contact_last = fake.last_name_female() if contact_sex == "F" else fake.last_name_male()
            contact = f"{contact_first} {contact_last} ({relation})"
            contact_phone = self.mobile()
            if years < 18:
                phone, email = (contact_phone if years < 13 else self.mobile()), ""
            else:
                phone = self.mobile()
                email = rules.email(rng, first, last)
            registered_from = max(dt.date(2021, 3, 1), born + dt.timedelta(days=10))
            registered_until = self.today - dt.timedelta(days=PAST_DAYS + 20)
            registered = registered_from + dt.timedelta(days=rng.randint(0, (registered_until - registered_from).days))
            created = self.at(registered, dt.time(rng.randint(7, 19), rng.randint(0, 59)))
            updated = min(
                created + dt.timedelta(days=rng.choice((0, 0, 0, 30, 120, 400))), self.at(registered_until, "19:00")
            )
            self.patients.append(
                dict(
                    pk=pk,
                    sex=sex,
                    born=born,
                    allergy=rules.ALLERGY(rng),
                    popularity=rng.choice((1, 1, 1, 2, 2, 3, 5)),  # regulars come back more often
                    height=None,
                    bmi=rng.uniform(18.5, 30.5),
                    fields={
                        "medical_record_number": f"RM-{pk:07d}",
                        "nik": nik,
                        "full_name": full_name,
                        "date_of_birth": born.isoformat(),
                        "gender": sex,
                        "phone": phone,
                        "email": email,
                        "address": address,
                        "blood_type": rules.BLOOD_TYPE(rng),
                        "emergency_contact_name": contact,
                        "emergency_contact_phone": contact_phone,
                        "is_active": True,
                        "created_at": stamp(created),
                        "updated_at": stamp(updated),
                    },
                )
            )
            if years >= 18:
                self.patients[-1]["height"] = rules.adult_height(rng, sex)
        for patient in self.patients:
            own = Random(f"{SEED}-registration-{patient['pk']}")
            fields = patient["fields"]
            fields.update(rules.registration(own, rules.age_on(patient["born"], self.today)))
            fields["ihs_number"] = rules.patient_ihs_number(own) if fields["nik"] else ""
            if fields["nik"]:
                self.satusehat["patients"][fields["nik"]] = fields["ihs_number"]

    def build_insurance(self):
        rng = self.rng
        self.policies = defaultdict(list)
        rows, numbers = [], set()
        bpjs = rng.sample(range(N_PATIENTS), round(N_PATIENTS * 0.4))
        private = rng.sample(range(N_PATIENTS), round(N_PATIENTS * 0.15))
        lapsed_bpjs, expired_private = bpjs[0], private[0]
        for index in range(N_PATIENTS):
            patient = self.patients[index]
            if index in bpjs:
                while True:
                    number = f"0001{rng.randint(0, 999_999_999):09d}"
                    if ("BPJS Kesehatan", number) not in numbers:
                        break
                start = max(
                    patient["born"] + dt.timedelta(days=30), dt.date(rng.randint(2014, 2025), rng.randint(1, 12), 1)
                )
                lapsed = index == lapsed_bpjs
                rows.append(
                    dict(
                        patient=patient["pk"],
                        kind="bpjs",
                        provider_name="BPJS Kesehatan",
                        policy_number=number,
                        valid_from=start,
                        valid_until=dt.date(2026, 8, 31) if lapsed else None,
                        is_active=not lapsed,
                    )
                )
                numbers.add(("BPJS Kesehatan", number))
            if index in private:
                provider = rng.choice(vocab.PRIVATE_INSURERS)
                low, high, _shape = rules.POLICY_NUMBERS[provider]
                while True:
                    number = rules.policy_number(provider, rng.randint(low, high))
                    if (provider, number) not in numbers:
                        break
                if index == expired_private:
                    # Ran out in the middle of the sample period: later visits are self-pay.
                    start = dt.date(2025, 11, 1)
                else:
                    # A yearly policy that started 2 to 11 months ago.
                    start = (self.today - dt.timedelta(days=rng.randint(70, 330))).replace(day=1)
                until = dt.date(start.year + 1, start.month, 1) - dt.timedelta(days=1)
                rows.append(
                    dict(
                        patient=patient["pk"],
                        kind="private",
                        provider_name=provider,
                        policy_number=number,
                        valid_from=start,
                        valid_until=until,
                        is_active=True,
                    )
                )
                numbers.add((provider, number))
        for pk, row in enumerate(rows, start=1):
            row["pk"] = pk
            self.policies[row["patient"]].append(row)
            self.add(
                "billing",
                "billing.insurance",
                pk,
                {
                    "patient": row["patient"],
                    "kind": row["kind"],
                    "provider_name": row["provider_name"],
                    "policy_number": row["policy_number"],
                    "valid_from": row["valid_from"].isoformat(),
                    "valid_until": row["valid_until"].isoformat() if row["valid_until"] else None,
                    "is_active": row["is_active"],
                },
            )

    # --- appointments ---

    def blocks(self, doctor, day):
        return [(self.at(day, start), self.at(day, end)) for start, end in doctor["blocks"].get(day.weekday(), [])]

    @staticmethod
    def free(busy, start, end):
        return all(end <= s or start >= e for s, e in busy)

    def eligible_patients(self, doctor, day):
        rules_ = vocab.DOCTOR_PATIENTS[doctor["kind"]]
        result = []
        for patient in self.patients:
            years = rules.age_on(patient["born"], day)
            if years < rules_.get("min_age", 0) or years > rules_.get("max_age", 200):
                continue
            if rules_.get("sex") and patient["sex"] != rules_["sex"]:
                continue
            if day in patient["days"]:  # one visit a day keeps arrivals simple
                continue
            result.append(patient)
        return result

    def try_book(self, doctor, day, start=None, patient=None):
        """Books one appointment of `doctor` on `day` (at `start`, or in a free slot); None if no fit."""
        rng = self.rng
        if patient is None:
            candidates = self.eligible_patients(doctor, day)
            if not candidates:
                return None
            patient = rng.choices(candidates, weights=[p["popularity"] for p in candidates])[0]
        years = rules.age_on(patient["born"], day)
        case = rules.choose_case(rng, doctor["kind"], years, patient["last_case"].get(doctor["kind"]))
        patient["last_case"][doctor["kind"]] = case
        lines = rules.visit_lines(rng, doctor["kind"], case, years)
        length = dt.timedelta(minutes=rules.visit_minutes(lines, self.minutes_of))
        busy_doctor = self.busy[doctor["pk"]]
        busy_patient = patient["busy"]
        blocks = self.blocks(doctor, day)
        if start is not None:
            starts = [start]
        else:
            starts = []
            for block_start, block_end in blocks:
                slot = block_start
                while slot + length <= block_end:
                    starts.append(slot)
                    slot += dt.timedelta(minutes=rules.SLOT_MINUTES)
        starts = [
            s
            for s in starts
            if any(bs <= s and s + length <= be for bs, be in blocks)
            and self.free(busy_doctor, s, s + length)
            and self.free(busy_patient, s, s + length)
        ]
        if not starts:
            return None
        begin = rng.choice(starts)
        appointment = dict(
            doctor=doctor, patient=patient, case=case, lines=lines, start=begin, end=begin + length, day=day, notes=""
        )
        busy_doctor.append((begin, begin + length))
        busy_patient.append((begin, begin + length))
        patient["days"].append(day)
        self.appointments.append(appointment)
        return appointment

    def fill(self, first_day, last_day, target):
        rng = self.rng
        weights = [d["weight"] for d in self.doctors]
        days = [first_day + dt.timedelta(days=n) for n in range((last_day - first_day).days + 1)]
        booked, attempts = 0, 0
        while booked < target and attempts < target * 50:
            attempts += 1
            doctor = rng.choices(self.doctors, weights=weights)[0]
            working = [d for d in days if doctor["blocks"].get(d.weekday())]
            if working and self.try_book(doctor, rng.choice(working)):
                booked += 1
        if booked < target:
            raise SampleDataError(f"Could only place {booked} of {target} appointments.")

    def build_appointments(self):
        rng, today = self.rng, self.today
        self.appointments = []
        self.busy = defaultdict(list)
        for patient in self.patients:
            patient.update(busy=[], days=[], last_case={})
        self.fill(today - dt.timedelta(days=PAST_DAYS), today - dt.timedelta(days=1), PAST_APPOINTMENTS)
        # Today: the general practitioner's morning is fully booked from opening time, so
        # the board shows every stage of the day; the other doctors have a few patients each.
        gp = self.doctors[0]
        for block_start, _block_end in self.blocks(gp, today)[:1]:
            slot = block_start
            while slot < self.now + dt.timedelta(hours=2):
                appointment = self.try_book(gp, today, start=slot)
                slot = (
                    appointment["end"] + dt.timedelta(minutes=rng.choice((0, 0, 0, 15)))
                    if appointment
                    else (slot + dt.timedelta(minutes=rules.SLOT_MINUTES))
                )
        for doctor, count in zip(self.doctors[1:], (3, 4, 3, 2, 2), strict=False):
            for _ in range(count):
                self.try_book(doctor, today)
        self.try_book(gp, today, start=self.at(today, "16:00"))
        self.try_book(gp, today, start=self.at(today, "16:30"))
        self.fill(today + dt.timedelta(days=1), today + dt.timedelta(days=FUTURE_DAYS), FUTURE_APPOINTMENTS)
        for appointment in self.appointments:
            self.set_status(appointment)
        self.rebook_cancelled_slots()
        self.appointments.sort(key=lambda a: (a["start"], a["doctor"]["pk"], a["patient"]["pk"]))
        self.assign_queue_numbers()
        line_pk = 0
        for pk, appointment in enumerate(self.appointments, start=1):
            appointment["pk"] = pk
            status = appointment["status"]
            self.add(
                "scheduling",
                "scheduling.appointment",
                pk,
                {
                    "patient": appointment["patient"]["pk"],
                    "doctor": appointment["doctor"]["pk"],
                    "appointment_date": stamp(appointment["start"]),
                    "end_time": stamp(appointment["end"]),
                    "status": status,
                    "slot_active": rules.slot_active(status),
                    "queue_number": appointment.get("queue"),
                    "arrived_at": stamp(appointment["arrived"]) if appointment.get("arrived") else None,
                    **self.consultation_times(appointment),
                    "reason": appointment["case"]["reason"],
                    "notes": appointment["notes"],
                    "booked_by": appointment["booked_by"],
                    "created_at": stamp(appointment["created"]),
                    "updated_at": stamp(appointment["updated"]),
                },
            )
            for code, quantity in appointment["lines"]:
                kinds = self.services[code]["kinds"]
                if kinds and appointment["doctor"]["kind"] not in kinds:
                    raise SampleDataError(f"{appointment['doctor']['full_name']} does not give {code}")
                line_pk += 1
                self.add(
                    "scheduling",
                    "scheduling.appointmentservice",
                    line_pk,
                    {
                        "appointment": pk,
                        "service": self.services[code]["pk"],
                        "quantity": quantity,
                        "unit_price": money(self.services[code]["price"]),
                    },
                )

    def rebook_cancelled_slots(self):
        """A few cancelled slots were given to someone else afterwards: the database's
        one-active-appointment-per-slot rule must still allow that."""
        rng = self.rng
        cancelled = [
            a
            for a in self.appointments
            if a["status"] == "cancelled" and a["updated"] <= a["start"] - dt.timedelta(days=1)
        ]
        rebooked = 0
        for old in cancelled:
            if rebooked == 3:
                break
            doctor = old["doctor"]
            holding = [
                (a["start"], a["end"])
                for a in self.appointments
                if a["doctor"] is doctor and a["status"] not in ("cancelled", "no_show")
            ]
            if not self.free(holding, old["start"], old["end"]):
                continue
            others = [p for p in self.eligible_patients(doctor, old["day"]) if p is not old["patient"]]
            if not others:
                continue
            all_busy, self.busy[doctor["pk"]] = self.busy[doctor["pk"]], holding
            new = self.try_book(doctor, old["day"], start=old["start"], patient=rng.choice(others))
            self.busy[doctor["pk"]] = all_busy
            if new is None:
                continue
            all_busy.append((new["start"], new["end"]))
            new["rebooks"] = old
            self.set_status(new)
            if new["status"] in ("cancelled", "no_show"):
                self.set_status(new, status="completed" if new["end"] <= self.now else "scheduled")
            rebooked += 1
        if rebooked == 0:
            raise SampleDataError("No cancelled slot could be rebooked.")

    def set_status(self, appointment, status=None):
        """Status, arrival, booking and update times, as they would be at `self.now`."""
        start, end, now = minutes(appointment["start"]), minutes(appointment["end"]), minutes(self.now)
        if status is None:
            status = rules.visit_status(self.rng, start, end, now)
        rebooks = appointment.get("rebooks")
        times = rules.visit_times(
            self.rng, status, start, end, now, rebooked_after=minutes(rebooks["updated"]) if rebooks else None
        )
        appointment.update(
            status=status,
            arrived=None if times.arrived is None else moment(times.arrived),
            created=moment(times.created),
            updated=moment(times.updated),
            booked_by=self.users["admin" if times.by_admin else "resepsionis"],
        )
        if times.note is not None:
            appointment["notes"] = times.note

    def consultation_times(self, appointment) -> dict:
        """When the consultation started and the visit was completed (no draw: from its times)."""
        status, arrived = appointment["status"], appointment.get("arrived")
        if status not in ("in_consultation", "completed") or arrived is None:
            return {"started_at": None, "completed_at": None}
        started = min(max(arrived, appointment["start"]), self.now)
        if status == "in_consultation":
            return {"started_at": stamp(started), "completed_at": None}
        completed = min(max(appointment["end"], started + dt.timedelta(minutes=10)), self.now)
        return {"started_at": stamp(started), "completed_at": stamp(max(completed, started))}

    def assign_queue_numbers(self):
        days = defaultdict(list)
        for appointment in self.appointments:
            if appointment["status"] in rules.ARRIVED:
                days[(appointment["doctor"]["pk"], appointment["day"])].append(appointment)
        for key in sorted(days):
            numbers = rules.queue_numbers([(a["arrived"], a["start"]) for a in days[key]])
            for appointment, number in zip(days[key], numbers, strict=False):
                appointment["queue"] = number

    # --- medical records ---

    def build_records(self):
        rng = self.rng
        record_pk = lab_pk = 0
        for appointment in self.appointments:
            if appointment["status"] != "completed":
                continue
            patient, doctor, case = appointment["patient"], appointment["doctor"], appointment["case"]
            record_pk += 1
            appointment["record"] = record_pk
            complaint = rules.complaint(rng, case)
            note = rng.choice(vocab.RECORD_NOTES)
            start, end = minutes(appointment["start"]), minutes(appointment["end"])
            created = moment(rules.record_written(rng, start, end))
            day = appointment["day"]
            vitals = rules.vitals(
                rng,
                case,
                years=rules.age_on(patient["born"], day),
                days_old=(day - patient["born"]).days,
                height=patient["height"],
                bmi=patient["bmi"],
            )
            for field in ("temperature_c", "weight_kg", "height_cm"):
                vitals[field] = decimal_str(vitals[field], 1)
            self.add(
                "records",
                "records.medicalrecord",
                record_pk,
                {
                    "patient": patient["pk"],
                    "doctor": doctor["pk"],
                    "appointment": appointment["pk"],
                    "complaint": complaint,
                    "allergies": patient["allergy"],
                    **vitals,
                    "diagnosis": case["diagnosis"],
                    "icd10_code": case["icd"],
                    "treatment": case["treatment"],
                    "prescription": rules.prescription(case, patient["allergy"]),
                    "notes": note,
                    "created_at": stamp(created),
                    "updated_at": stamp(appointment["end"]),
                },
            )
            leans = case.get("labs", {})
            directions = case.get("lab_direction", {})
            for code, _quantity in appointment["lines"]:
                tests = vocab.LAB_PANELS.get(code, [])
                if not tests:
                    continue
                sampled, reported = (moment(m) for m in rules.lab_times(rng, start, end))
                for key in tests:
                    name, unit, value, low, high, abnormal = rules.lab_reading(
                        rng, key, male=patient["sex"] == "M", chance=leans.get(key, 0), direction=directions.get(key)
                    )
                    lab_pk += 1
                    self.add(
                        "records",
                        "records.labresult",
                        lab_pk,
                        {
                            "medical_record": record_pk,
                            "test_name": name,
                            "value": decimal_str(value, 3),
                            "unit": unit,
                            "reference_low": None if low is None else decimal_str(low, 3),
                            "reference_high": None if high is None else decimal_str(high, 3),
                            "is_abnormal": abnormal,
                            "sampled_at": stamp(sampled),
                            "reported_at": stamp(reported) if reported <= self.now else None,
                            "created_by": doctor["user"],
                        },
                    )

    # --- bills and payments ---

    def covering(self, patient, day, kind):
        for policy in self.policies.get(patient["pk"], []):
            if (
                policy["kind"] == kind
                and policy["is_active"]
                and policy["valid_from"] <= day
                and (policy["valid_until"] is None or day <= policy["valid_until"])
            ):
                return policy
        return None

    def build_bills(self):
        rng, now = self.rng, minutes(self.now)
        completed = sorted(
            (a for a in self.appointments if a["status"] == "completed"), key=lambda a: (a["end"], a["pk"])
        )
        past = [a for a in completed if a["day"] < self.today]
        void = set(id(a) for a in rng.sample(past, 2))
        per_month = defaultdict(int)
        payments = []
        for bill_pk, appointment in enumerate(completed, start=1):
            issued = appointment["end"]
            total = sum(self.services[code]["price"] * quantity for code, quantity in appointment["lines"])
            per_month[issued.strftime("%Y%m")] += 1
            number = f"INV-{issued:%Y%m}-{per_month[issued.strftime('%Y%m')]:05d}"
            patient, day = appointment["patient"], appointment["day"]
            planned = []
            if id(appointment) not in void:
                planned = rules.payment_plan(
                    rng, total, private=self.covering(patient, day, "private"), bpjs=self.covering(patient, day, "bpjs")
                )
            bill = rules.settle(planned, total=total, issued=minutes(issued), now=now, void=id(appointment) in void)
            made = [(moment(when), amount, method, policy) for when, amount, method, policy in bill.payments]
            insurance = next((p[3]["pk"] for p in made if p[3] is not None), None)
            self.add(
                "billing",
                "billing.billing",
                bill_pk,
                {
                    "number": number,
                    "patient": patient["pk"],
                    "appointment": appointment["pk"],
                    "total_amount": money(total),
                    "amount_paid": money(bill.paid),
                    "status": bill.status,
                    "payment_method": made[-1][2] if made else "",
                    "insurance": insurance,
                    "issued_at": stamp(issued),
                    "updated_at": stamp(made[-1][0] if made else issued),
                },
            )
            for paid_at, amount, method, policy in made:
                payments.append((paid_at, bill_pk, amount, method, policy, issued))
        payments.sort(key=lambda p: (p[0], p[1]))
        for pk, (paid_at, bill_pk, amount, method, policy, issued) in enumerate(payments, start=1):
            reference = rules.payment_reference(
                rng,
                method,
                paid_on=paid_at.date(),
                issued_on=issued.date(),
                policy_kind=policy["kind"] if policy else "",
                provider=policy["provider_name"] if policy else "",
            )
            self.add(
                "billing",
                "billing.payment",
                pk,
                {
                    "billing": bill_pk,
                    "amount": money(amount),
                    "method": method,
                    "insurance": policy["pk"] if policy else None,
                    "reference": reference,
                    "paid_at": stamp(paid_at),
                    "received_by": self.users["resepsionis"],
                },
            )

    def build_pharmacy(self):
        """The drug catalogue, its stock (one or two batches a drug, received through the ledger:
        one batch expired, a few near expiry, a few drugs below their minimum) and today's
        prescriptions waiting in the pharmacy's queue. A Random of its own: the other files do not
        change when this one does."""
        rng = Random(SEED + 16)
        received = self.at(self.today - dt.timedelta(days=40), "09:00")
        drugs, batch_pk, move_pk = {}, 0, 0
        for pk, (name, generic, form, strength, unit, price, minimum) in enumerate(vocab.DRUGS, start=1):
            drugs[name] = pk
            self.add(
                "pharmacy",
                "pharmacy.drug",
                pk,
                {
                    "name": name,
                    "generic_name": generic,
                    "form": form,
                    "strength": strength,
                    "unit": unit,
                    "kfa_code": "",
                    "price": money(price),
                    "minimum_stock": minimum,
                    "is_active": True,
                },
            )
            batches = 2 if pk % 3 == 0 else 1
            for n in range(batches):
                batch_pk += 1
                if batch_pk == 7:
                    expiry = self.today - dt.timedelta(days=5)  # expired: to write off
                elif batch_pk % 11 == 0:
                    expiry = self.today + dt.timedelta(days=rng.randint(20, 80))  # near expiry
                else:
                    expiry = self.today + dt.timedelta(days=rng.randint(200, 900))
                # A few drugs run low (below their minimum); the rest have two to eight times it.
                quantity = rng.randint(minimum // 4, minimum // 2) if pk % 13 == 0 else rng.randint(2, 8) * minimum
                quantity = max(quantity, 1)
                at = received + dt.timedelta(days=n * 14, minutes=pk)
                supplier = rng.choice(vocab.SUPPLIERS)
                self.add(
                    "pharmacy",
                    "pharmacy.batch",
                    batch_pk,
                    {
                        "drug": pk,
                        "batch_number": f"{name.split()[0][:3].upper()}{expiry:%y%m}-{batch_pk:03d}",
                        "expiry_date": expiry.isoformat(),
                        "supplier": supplier,
                        "purchase_price": money(Decimal(price) * Decimal("0.7")),
                        "on_hand": quantity,
                        "received_at": stamp(at),
                    },
                )
                move_pk += 1
                self.add(
                    "pharmacy",
                    "pharmacy.stockmove",
                    move_pk,
                    {
                        "batch": batch_pk,
                        "kind": "receive",
                        "quantity": quantity,
                        "reason": supplier,
                        "dispense": None,
                        "by": self.users["apoteker"],
                        "at": stamp(at),
                    },
                )
        waiting = sorted(
            (a for a in self.appointments if a["status"] == "completed" and a["day"] == self.today),
            key=lambda a: (a["end"], a["pk"]),
        )
        allergic = {
            row["fields"]["patient"]
            for row in self.rows["records"]
            if row["model"] == "records.medicalrecord" and row["fields"]["allergies"] in ("Amoksisilin", "Penisilin")
        }
        line_pk = 0
        for pk, appointment in enumerate(waiting, start=1):
            self.add(
                "pharmacy",
                "pharmacy.prescription",
                pk,
                {
                    "appointment": appointment["pk"],
                    "patient": appointment["patient"]["pk"],
                    "doctor": appointment["doctor"]["pk"],
                    "status": "open",
                    "created_at": stamp(appointment["end"] - dt.timedelta(minutes=5)),
                    "written_at": stamp(appointment["end"]),
                },
            )
            choices = vocab.PRESCRIPTIONS
            if appointment["patient"]["pk"] in allergic:  # never a penicillin to someone allergic to it
                choices = [p for p in choices if not any(line[0].startswith("Amoxicillin") for line in p)]
            for drug, times, dose, timing, days, quantity in choices[rng.randrange(len(choices))]:
                line_pk += 1
                self.add(
                    "pharmacy",
                    "pharmacy.prescriptionline",
                    line_pk,
                    {
                        "prescription": pk,
                        "drug": drugs[drug],
                        "compound_name": "",
                        "compound_form": "",
                        "times_per_day": times,
                        "dose": dose,
                        "route": "oral",
                        "timing": timing,
                        "duration_days": days,
                        "quantity": quantity,
                        "instructions": "",
                        "quantity_dispensed": 0,
                    },
                )

    def deactivate_one_patient(self):
        """One patient has moved away: deactivated, history kept, nothing booked ahead."""
        booked_ahead = {a["patient"]["pk"] for a in self.appointments if a["day"] >= self.today}
        seen = [
            p
            for p in self.patients
            if p["pk"] not in booked_ahead
            and any(a["patient"] is p and a["status"] == "completed" for a in self.appointments)
        ]
        moved = seen[len(seen) // 2]
        last_visit = max(a["end"] for a in self.appointments if a["patient"] is moved)
        moved["fields"].update(is_active=False, updated_at=stamp(last_visit + dt.timedelta(days=2)))
        for patient in self.patients:
            self.add("patients", "patients.patient", patient["pk"], patient["fields"])

    def sanity_checks(self):
        """Refuse to write a data set that lacks what the demo and the tests rely on."""
        statuses = {
            row["fields"]["status"] for row in self.rows["scheduling"] if row["model"] == "scheduling.appointment"
        }
        bill_statuses = {row["fields"]["status"] for row in self.rows["billing"] if row["model"] == "billing.billing"}
        missing = ({"scheduled", "checked_in", "in_consultation", "completed", "cancelled", "no_show"} - statuses) | (
            {"unpaid", "partially_paid", "paid", "void"} - bill_statuses
        )
        if missing:
            raise SampleDataError(f"The sample data lacks: {', '.join(sorted(missing))}")


def write_fixtures(out_dir: Path, today: dt.date, faker_class) -> dict[str, dict[str, int]]:
    """Writes fixtures/<app>.json; returns the rows written per file and model."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = SampleData(today, faker_class).build()
    counts = {}
    mock = json.dumps(rows["satusehat_mock"], indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    (out_dir / "satusehat_mock.json").write_text(mock, encoding="utf-8", newline="\n")
    for name in FILES:
        text = json.dumps(rows[name], indent=1, ensure_ascii=False) + "\n"
        (out_dir / f"{name}.json").write_text(text, encoding="utf-8", newline="\n")
        counts[name] = defaultdict(int)
        for row in rows[name]:
            counts[name][row["model"]] += 1
    return counts
