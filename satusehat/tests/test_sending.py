"""A finished visit travels to the mock SATUSEHAT over real HTTP, through the real worker."""

import threading
from decimal import Decimal

import httpx
import pytest
from django_tasks_db.models import DBTaskResult

from audit.models import AuditLog
from patients.tests.factories import PatientFactory
from records import services as records
from records.models import LabResult
from satusehat import services
from satusehat.client import SatusehatClient
from satusehat.conf import config
from satusehat.models import Submission
from satusehat.tests.conftest import DEFAULT_DATASET, PATIENT_NIKS, fault, finish_visit, run_worker, state

pytestmark = pytest.mark.django_db(transaction=True)


def stored(server, kind: str, rid: str) -> dict:
    client = SatusehatClient(config())
    try:
        return client.request("GET", f"{kind}/{rid}")
    finally:
        client.close()


def test_completing_a_visit_queues_it_in_the_same_transaction(mock, doctor):
    appointment = finish_visit(doctor)
    submission = Submission.objects.get(appointment=appointment)
    assert submission.status == Submission.Status.PENDING
    assert DBTaskResult.objects.filter(
        task_path="satusehat.tasks.send_visit", args_kwargs__args=[submission.pk]
    ).exists()
    assert state(mock)["transactions"] == 0  # nothing leaves before the worker runs


def test_a_whole_visit_is_sent(mock, doctor):
    appointment = finish_visit(doctor)
    assert appointment.patient.ihs_number == ""  # found by NIK while sending

    run_worker()

    submission = Submission.objects.get(appointment=appointment)
    assert submission.status == Submission.Status.SENT, submission.message
    appointment.patient.refresh_from_db()
    assert appointment.patient.ihs_number == DEFAULT_DATASET["patients"][PATIENT_NIKS[0]]
    held = state(mock)
    assert held["resources"] == {"Encounter": 1, "Condition": 1, "Observation": 9, "AllergyIntolerance": 1}
    assert held["encounter_identifiers"] == [
        f"http://sys-ids.kemkes.go.id/encounter/{DEFAULT_DATASET['organization_id']}|{appointment.pk}"
    ]
    assert set(submission.resource_ids) >= {"Encounter", f"Condition/rec-{appointment.medical_record.pk}"}
    assert len(submission.resource_ids) == 12
    encounter = stored(mock, "Encounter", submission.encounter_id)
    condition_id = submission.resource_ids[f"Condition/rec-{appointment.medical_record.pk}"]
    assert encounter["diagnosis"][0]["condition"]["reference"] == f"Condition/{condition_id}"
    assert [item["status"] for item in encounter["statusHistory"]] == ["arrived", "in-progress", "finished"]
    assert encounter["statusHistory"][0]["period"]["start"].endswith("+07:00")
    lab = stored(mock, "Observation", submission.resource_ids[f"Observation/lab-{LabResult.objects.get().pk}"])
    assert lab["interpretation"][0]["coding"][0]["code"] == "L"
    assert lab["referenceRange"][0]["low"]["value"] == 12
    assert AuditLog.objects.filter(
        action=AuditLog.Action.EXPORT, object_id=str(submission.pk), patient_id=appointment.patient_id
    ).exists()


@pytest.mark.parametrize("name", ["429", "500", "timeout"])
def test_a_passing_fault_is_retried_and_the_visit_sent_exactly_once(mock, doctor, name):
    appointment = finish_visit(doctor)
    fault(mock, name, times=2, delay=1.5)

    run_worker()

    submission = Submission.objects.get(appointment=appointment)
    assert (submission.status, submission.attempts) == (Submission.Status.SENT, 3)
    assert state(mock)["resources"]["Encounter"] == 1


def test_a_fault_that_lasts_ends_in_failed_with_the_platforms_message(mock, doctor, settings):
    settings.SATUSEHAT_MAX_ATTEMPTS = 2
    appointment = finish_visit(doctor)
    fault(mock, "500", times=5)

    run_worker()

    submission = Submission.objects.get(appointment=appointment)
    assert (submission.status, submission.attempts, submission.http_status) == (Submission.Status.FAILED, 2, 500)
    assert "Internal server error" in submission.message
    services.retry(submission)
    run_worker()
    assert Submission.objects.get(pk=submission.pk).status == Submission.Status.FAILED  # 3 of 5 faults left...
    httpx.post(f"{mock.url}/__mock__/reset")
    services.retry(submission)
    run_worker()
    assert Submission.objects.get(pk=submission.pk).status == Submission.Status.SENT


def test_an_answer_lost_after_the_platform_stored_the_visit_creates_no_duplicate(mock, doctor):
    appointment = finish_visit(doctor)
    fault(mock, "duplicate")  # stored, then a 500: the worker does not know it arrived

    run_worker()

    submission = Submission.objects.get(appointment=appointment)
    held = state(mock)
    assert submission.status == Submission.Status.SENT
    assert (held["bundles_stored"], held["transactions"]) == (2, 2)
    assert held["resources"] == {"Encounter": 1, "Condition": 1, "Observation": 9, "AllergyIntolerance": 1}
    encounter = stored(mock, "Encounter", submission.encounter_id)
    assert encounter["identifier"][0]["value"] == str(appointment.pk)


def test_an_expired_token_is_renewed_once_for_all_workers(mock, doctor):
    appointment = finish_visit(doctor)
    client = SatusehatClient(config())
    client.token()
    client.close()
    assert state(mock)["tokens_issued"] == 1
    fault(mock, "expired_token")

    # Eight workers at once, each with its own HTTP client: they share only the cache, as the
    # processes of a clinic share Redis. Each is refused its token and asks for a new one.
    clients = [SatusehatClient(config()) for _ in range(8)]
    barrier = threading.Barrier(len(clients))
    found = []

    def look_up(client):
        barrier.wait()
        found.append(client.find_by_nik("Patient", PATIENT_NIKS[1]))

    threads = [threading.Thread(target=look_up, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for client in clients:
        client.close()

    assert found == [DEFAULT_DATASET["patients"][PATIENT_NIKS[1]]] * 8
    assert state(mock)["tokens_issued"] == 2
    assert sum(client.token_requests for client in clients) == 1
    run_worker()  # and the worker sends with the renewed token, asking for none
    assert Submission.objects.get(appointment=appointment).status == Submission.Status.SENT
    assert state(mock)["tokens_issued"] == 2


def test_a_correction_after_sending_is_sent_as_an_update(mock, doctor):
    appointment = finish_visit(doctor)
    run_worker()
    before = Submission.objects.get(appointment=appointment)
    record = appointment.medical_record

    data = {name: getattr(record, name) for name in records.RECORD_FIELDS}
    data.update(icd10_code="J02.9", diagnosis="Faringitis akut")
    records.medical_record_save(
        appointment=appointment, data=data, by=doctor.user, reason="Diagnosis dikoreksi setelah hasil swab"
    )
    pending = Submission.objects.get(pk=before.pk)
    assert (pending.status, pending.revision, pending.sent_revision) == (Submission.Status.PENDING, 2, 1)

    run_worker()

    after = Submission.objects.get(pk=before.pk)
    assert (after.status, after.sent_revision) == (Submission.Status.SENT, 2)
    assert after.resource_ids == before.resource_ids  # updated in place
    condition = stored(mock, "Condition", after.resource_ids[f"Condition/rec-{record.pk}"])
    assert condition["code"]["coding"][0]["code"] == "J02.9"
    assert condition["meta"]["versionId"] == "2"
    assert state(mock)["resources"]["Encounter"] == 1


def test_a_visit_the_platform_refuses_is_failed_with_its_operation_outcome_and_not_retried(mock, doctor, room):
    room.satusehat_location_id = "00000000-0000-0000-0000-000000000000"  # not registered at the platform
    room.save()
    appointment = finish_visit(doctor)

    run_worker()

    submission = Submission.objects.get(appointment=appointment)
    assert (submission.status, submission.http_status, submission.attempts) == (Submission.Status.FAILED, 400, 1)
    assert "Unknown Location id 00000000-0000-0000-0000-000000000000" in submission.message
    assert submission.operation_outcome["resourceType"] == "OperationOutcome"
    assert state(mock)["transactions"] == 1


def test_a_patient_without_nik_is_not_blocked_but_shown_as_not_sendable(mock, doctor):
    appointment = finish_visit(doctor, PatientFactory(nik=None))
    assert appointment.status == appointment.Status.COMPLETED

    run_worker()

    submission = Submission.objects.get(appointment=appointment)
    assert submission.status == Submission.Status.FAILED
    assert "NIK" in submission.message
    assert state(mock)["transactions"] == 0


def test_nothing_is_queued_when_satusehat_is_off(mock, doctor, settings):
    settings.SATUSEHAT_ENV = "off"
    finish_visit(doctor)
    assert not Submission.objects.exists()


def test_a_corrected_lab_result_after_sending_is_sent_as_an_update(mock, doctor):
    appointment = finish_visit(doctor)
    run_worker()
    result = LabResult.objects.get()
    records.lab_result_correct(
        appointment=appointment,
        lab_result=result,
        data={"value": Decimal("13.1")},
        by=doctor.user,
        reason="Salah ketik nilai dari laboratorium",
    )
    run_worker()
    submission = Submission.objects.get(appointment=appointment)
    assert (submission.status, submission.sent_revision) == (Submission.Status.SENT, 2)
    lab = stored(mock, "Observation", submission.resource_ids[f"Observation/lab-{result.pk}"])
    assert (lab["valueQuantity"]["value"], lab["interpretation"][0]["coding"][0]["code"]) == (13.1, "N")
    assert state(mock)["resources"]["Observation"] == 9
