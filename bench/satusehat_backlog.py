"""SATUSEHAT throughput: a backlog of finished visits sent to the mock by the real worker.

    DATABASE_URL=... python bench/satusehat_backlog.py --visits 10000 --workers 1 --port 8151

Creates a fresh database schema (the DATABASE_URL's database must be empty or disposable: it
is flushed), N completed visits of patients the mock knows (each with a record of the eight vital
signs, an ICD-10 diagnosis and one lab result: 11 resources a Bundle), queues them as completing
them would (a Submission and a django-tasks row each), starts the mock in a process of its own,
runs `manage.py db_worker --batch` in W processes, and reports the rate and the checks: every
visit sent, the platform holding each Encounter identifier once, as many stored Bundles as visits.
docs/performance.md, "SATUSEHAT backlog", has the figures."""

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR))
ORG = "10000004"
LOCATION = "ef011065-38c9-46f8-9c35-d1fe68966a3e"
CLIENT = ("klinik-bench-client", "klinik-bench-secret")


def environment(port: int) -> dict:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings.test")
    env.update(
        SATUSEHAT_ENV="mock",
        SATUSEHAT_AUTH_URL=f"http://127.0.0.1:{port}",
        SATUSEHAT_BASE_URL=f"http://127.0.0.1:{port}",
        SATUSEHAT_CLIENT_ID=CLIENT[0],
        SATUSEHAT_CLIENT_SECRET=CLIENT[1],
        SATUSEHAT_ORGANIZATION_ID=ORG,
        SATUSEHAT_RETRY_BASE_SECONDS="1",
    )
    return env


def create_backlog(visits: int) -> dict:
    """The visits, their outbox rows and tasks; returns the mock's data set for them."""
    from django.db import transaction
    from django.utils import timezone

    from core.fields import fill_blind_indexes
    from patients.models import Doctor, Patient, Room
    from records.models import LabResult, MedicalRecord
    from satusehat.models import Submission
    from satusehat.tasks import send_visit
    from scheduling.models import Appointment

    dataset = {
        "organization_id": ORG,
        "client_id": CLIENT[0],
        "client_secret": CLIENT[1],
        "patients": {},
        "practitioners": {},
        "locations": [LOCATION],
    }
    with transaction.atomic():
        room = Room.objects.create(name="Poli Umum", satusehat_location_id=LOCATION)
        doctors = []
        for index in range(10):
            nik, ihs = f"32730112{index:08d}", f"100{index:08d}"
            doctor = Doctor(
                full_name=f"dr. Bench {index}",
                specialization="Dokter Umum",
                license_number=f"SIP/BENCH/{index}",
                nik=nik,
                ihs_id=ihs,
                room=room,
            )
            fill_blind_indexes(doctor)
            doctors.append(doctor)
            dataset["practitioners"][nik] = ihs
        Doctor.objects.bulk_create(doctors)
        patients = []
        for index in range(visits):
            nik, ihs = f"32730255{index:08d}", f"P{index:011d}"
            patient = Patient(
                medical_record_number=f"RM-{index + 1:07d}",
                nik=nik,
                full_name=f"Pasien Bench {index}",
                date_of_birth=datetime.date(1980, 1, 1) + datetime.timedelta(days=index % 9000),
                gender="F" if index % 2 else "M",
                ihs_number=ihs,
            )
            fill_blind_indexes(patient)
            patients.append(patient)
            dataset["patients"][nik] = ihs
        Patient.objects.bulk_create(patients, batch_size=500)
        start = timezone.now() - datetime.timedelta(days=30)
        appointments = []
        for index, patient in enumerate(Patient.objects.order_by("pk")):
            at = start + datetime.timedelta(minutes=15 * index)
            appointments.append(
                Appointment(
                    patient=patient,
                    doctor=doctors[index % len(doctors)],
                    appointment_date=at,
                    end_time=at + datetime.timedelta(minutes=15),
                    status=Appointment.Status.COMPLETED,
                    slot_active=True,
                    queue_number=1,
                    arrived_at=at - datetime.timedelta(minutes=5),
                    started_at=at,
                    completed_at=at + datetime.timedelta(minutes=14),
                )
            )
        Appointment.objects.bulk_create(appointments, batch_size=500)
        records = [
            MedicalRecord(
                patient_id=a.patient_id,
                doctor_id=a.doctor_id,
                appointment=a,
                allergies="Tidak ada",
                systolic_bp=120,
                diastolic_bp=80,
                heart_rate=80,
                respiratory_rate=18,
                temperature_c=Decimal("36.8"),
                oxygen_saturation=98,
                weight_kg=Decimal("60.0"),
                height_cm=Decimal("160.0"),
                diagnosis="ISPA",
                icd10_code="J06.9",
            )
            for a in Appointment.objects.order_by("pk")
        ]
        MedicalRecord.objects.bulk_create(records, batch_size=500)
        LabResult.objects.bulk_create(
            [
                LabResult(
                    medical_record=r,
                    test_name="Hemoglobin",
                    value=Decimal("13.2"),
                    unit="g/dL",
                    reference_low=12,
                    reference_high=16,
                    sampled_at=r.appointment.started_at,
                    reported_at=r.appointment.completed_at,
                )
                for r in MedicalRecord.objects.select_related("appointment").order_by("pk")
            ],
            batch_size=500,
        )
        Submission.objects.bulk_create(
            [Submission(appointment_id=pk) for pk in Appointment.objects.values_list("pk", flat=True)], batch_size=500
        )
        for pk in Submission.objects.values_list("pk", flat=True):
            send_visit.enqueue(pk)
    return dataset


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--visits", type=int, default=10000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--port", type=int, default=8151)
    args = parser.parse_args()
    env = environment(args.port)
    os.environ.update(env)
    subprocess.run([sys.executable, "manage.py", "flush", "--no-input", "-v0"], cwd=BASE_DIR, env=env)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=BASE_DIR, env=env, check=True)

    import django

    django.setup()
    import httpx
    from django.db.models import Count

    from satusehat.models import Submission

    began = time.perf_counter()
    dataset = create_backlog(args.visits)
    print(f"backlog of {args.visits} visits created in {time.perf_counter() - began:.1f} s")
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(dataset, handle)
    mock = subprocess.Popen(
        [sys.executable, "-m", "satusehat.mock", "--port", str(args.port), "--dataset", handle.name],
        cwd=BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{args.port}"
        for _ in range(100):
            try:
                httpx.get(f"{url}/__mock__/state")
                break
            except httpx.TransportError:
                time.sleep(0.1)
        began = time.perf_counter()
        workers = [
            subprocess.Popen(
                [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--interval", "0.1"],
                cwd=BASE_DIR,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(args.workers)
        ]
        for worker in workers:
            worker.wait()
        elapsed = time.perf_counter() - began
        held = httpx.get(f"{url}/__mock__/state").json()
    finally:
        mock.terminate()
        mock.wait()
        os.unlink(handle.name)
    statuses = dict(Submission.objects.values_list("status").annotate(n=Count("pk")).order_by())
    identifiers = held["encounter_identifiers"]
    print(
        json.dumps(
            {
                "visits": args.visits,
                "workers": args.workers,
                "seconds": round(elapsed, 1),
                "visits_per_second": round(args.visits / elapsed, 1),
                "statuses": statuses,
                "platform_encounters": held["resources"].get("Encounter", 0),
                "platform_resources": sum(held["resources"].values()),
                "distinct_identifiers": len(set(identifiers)),
                "bundles_stored": held["bundles_stored"],
                "transactions": held["transactions"],
                "tokens_issued": held["tokens_issued"],
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
