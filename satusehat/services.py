"""Sending finished visits to SATUSEHAT: the outbox, the one send, retries (docs/satusehat.md).

Never lost: completing a visit writes its Submission (and the task that sends it) in the
completion's own transaction. Never twice: a worker claims the row before sending, a resend is a
conditional create the platform answers with what it already holds (the Encounter identifier), and
what the platform answered is stored in one transaction. A worker killed between the send and that
commit leaves its claim to run out; the next run resends and finds the same resources."""

import datetime
import logging

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditLog
from audit.services import audit_write
from satusehat import fhir
from satusehat.client import PlatformError, SatusehatClient, outcome_message
from satusehat.conf import Config, config
from satusehat.models import Submission
from scheduling.models import Appointment

logger = logging.getLogger(__name__)
WORKER_NAME = "satusehat"


def _due() -> Q:
    """Rows a worker may send now: pending and due, with no live claim."""
    now = timezone.now()
    return (
        Q(status=Submission.Status.PENDING)
        & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        & (Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
    )


def _enqueue(submission_id: int, run_after: datetime.datetime | None = None) -> None:
    from satusehat.tasks import send_visit

    task = send_visit.using(run_after=run_after) if run_after else send_visit
    task.enqueue(submission_id)


# --- the outbox -----------------------------------------------------------------------------


def queue_visit(appointment: Appointment) -> Submission | None:
    """The outbox row of a completed visit, and the task that sends it; in the caller's
    transaction. Completing twice queues once. Nothing when SATUSEHAT_ENV is off."""
    if not config().enabled:
        return None
    submission, created = Submission.objects.get_or_create(appointment=appointment)
    if created:
        _enqueue(submission.pk)
    return submission


def visit_changed(**lookup) -> None:
    """A record or lab result of the visit changed (`lookup` finds its Submission): a visit already
    queued or sent is sent again (the platform's resources are updated in place, their ids kept)."""
    if not config().enabled:
        return
    ids = list(Submission.objects.filter(**lookup).values_list("pk", flat=True))
    if not ids:
        return
    Submission.objects.filter(pk__in=ids).update(
        revision=F("revision") + 1, status=Submission.Status.PENDING, next_attempt_at=None, attempts=0
    )
    for pk in ids:
        _enqueue(pk)


def queue_missing(limit: int | None = None) -> int:
    """Outbox rows for completed visits that have none (visits finished while SATUSEHAT was off,
    or a backlog to send); returns how many were queued. The sync command sends them."""
    query = Appointment.objects.filter(status=Appointment.Status.COMPLETED, satusehat_submission__isnull=True)
    ids = list(query.order_by("pk").values_list("pk", flat=True)[:limit])
    created = 0
    for start in range(0, len(ids), 1000):
        batch = [Submission(appointment_id=pk) for pk in ids[start : start + 1000]]
        with transaction.atomic():
            Submission.objects.bulk_create(batch, ignore_conflicts=True)
        created += len(batch)
    return created


def retry(submission: Submission) -> None:
    """The admin's retry: a failed (or waiting) row is due now, with its attempts counted anew."""
    with transaction.atomic():
        Submission.objects.filter(pk=submission.pk).update(
            status=Submission.Status.PENDING, next_attempt_at=None, attempts=0, claimed_until=None
        )
        _enqueue(submission.pk)


# --- sending --------------------------------------------------------------------------------


def _claim(pk: int, cfg: Config) -> bool:
    now = timezone.now()
    return bool(
        Submission.objects.filter(_due(), pk=pk).update(
            claimed_until=now + datetime.timedelta(seconds=cfg.claim_seconds),
            attempts=F("attempts") + 1,
            last_attempt_at=now,
        )
    )


def _lookups(appointment: Appointment, client: SatusehatClient) -> None:
    """The patient's and the doctor's IHS ids, looked up by NIK when missing, and stored."""
    patient, doctor = appointment.patient, appointment.doctor
    if not patient.ihs_number and patient.nik:
        found = client.find_by_nik("Patient", patient.nik)
        if found:
            patient.ihs_number = found
            type(patient).objects.filter(pk=patient.pk).update(ihs_number=found)
    if not doctor.ihs_id and doctor.nik:
        found = client.find_by_nik("Practitioner", doctor.nik)
        if found:
            doctor.ihs_id = found
            type(doctor).objects.filter(pk=doctor.pk).update(ihs_id=found)


def _response_ids(bundle: dict, answer: dict) -> dict[str, str]:
    """{our key: the platform's id} from the transaction-response, entry by entry in order."""
    ids = {}
    for key, entry in zip(fhir.entry_keys(bundle), answer.get("entry") or [], strict=False):
        response = entry.get("response") or {}
        resource_id = response.get("resourceID") or (entry.get("resource") or {}).get("id")
        if not resource_id and response.get("location"):
            parts = response["location"].split("/")
            resource_id = parts[parts.index(key.split("/")[0]) + 1] if key.split("/")[0] in parts else ""
        if resource_id:
            ids[key] = resource_id
    return ids


def _audit(submission: Submission, what: str, changes: dict) -> None:
    audit_write(
        action=AuditLog.Action.EXPORT,
        actor_username=WORKER_NAME,
        patient_id=submission.appointment.patient_id,
        obj=submission,
        what=what,
        changes=changes,
    )


def _finish(pk: int, **values) -> Submission:
    with transaction.atomic():
        submission = Submission.objects.select_for_update().select_related("appointment").get(pk=pk)
        for name, value in values.items():
            setattr(submission, name, value)
        submission.claimed_until = None
        submission.save()
        return submission


def send_submission(pk: int, *, client: SatusehatClient | None = None) -> str:
    """Sends one visit if it is due and no other worker holds it: "sent", "retry", "failed" or
    "skipped". Never raises for the platform's answers: they go on the row."""
    cfg = config()
    if not cfg.enabled or not _claim(pk, cfg):
        return "skipped"
    submission = Submission.objects.get(pk=pk)
    own_client = client is None
    client = client or SatusehatClient(cfg)
    try:
        appointment = fhir.visit_for_bundle(submission.appointment_id)
        revision = submission.revision
        try:
            _lookups(appointment, client)
            bundle = fhir.build_bundle(
                appointment,
                organization_id=cfg.organization_id,
                fhir_base=cfg.fhir_url,
                resource_ids=submission.resource_ids,
            )
            answer = client.transaction(fhir.wire(bundle))
        except fhir.NotSendable as error:
            return _failed(pk, message=str(error), status=None, outcome=None)
        except ValueError as error:  # our own Bundle refused by fhir.resources: a bug to fix, not retried
            return _failed(
                pk, message=_("Invalid FHIR resource: %(error)s") % {"error": error}, status=None, outcome=None
            )
        except PlatformError as error:
            if error.retryable and submission.attempts < cfg.max_attempts:
                delay = cfg.retry_base_seconds * 2 ** (submission.attempts - 1)
                next_at = timezone.now() + datetime.timedelta(seconds=delay)
                with transaction.atomic():
                    _finish(pk, next_attempt_at=next_at, http_status=error.status, message=error.message)
                    _enqueue(pk, run_after=next_at if delay else None)
                return "retry"
            return _failed(pk, message=error.message, status=error.status, outcome=error.outcome)
        ids = {**submission.resource_ids, **_response_ids(bundle, answer)}
        with transaction.atomic():
            now = timezone.now()
            done = _finish(
                pk,
                status=Submission.Status.SENT,
                resource_ids=ids,
                encounter_id=ids.get("Encounter", ""),
                sent_revision=revision,
                sent_at=now,
                next_attempt_at=None,
                http_status=200,
                message="",
                operation_outcome=None,
            )
            _audit(
                done,
                f"SATUSEHAT: visit sent (Encounter {done.encounter_id}, revision {revision})",
                {"resources": len(ids), "revision": revision},
            )
            if done.revision > revision:  # corrected while it was being sent: send the update
                Submission.objects.filter(pk=pk).update(status=Submission.Status.PENDING)
                _enqueue(pk)
        return "sent"
    finally:
        if own_client:
            client.close()


def _failed(pk: int, *, message: str, status: int | None, outcome: dict | None) -> str:
    with transaction.atomic():
        done = _finish(
            pk,
            status=Submission.Status.FAILED,
            message=message or outcome_message(outcome),
            http_status=status,
            operation_outcome=outcome,
            next_attempt_at=None,
        )
        _audit(done, f"SATUSEHAT: visit refused ({status or '-'})", {"message": done.message[:500]})
    return "failed"


def send_due(*, limit: int | None = None, client: SatusehatClient | None = None) -> dict[str, int]:
    """Sends every due row once (the sync command, for cron): {outcome: count}."""
    cfg = config()
    counts: dict[str, int] = {}
    if not cfg.enabled:
        return counts
    ids = list(Submission.objects.filter(_due()).order_by("pk").values_list("pk", flat=True)[:limit])
    own_client = client is None
    client = client or SatusehatClient(cfg)
    try:
        for pk in ids:
            outcome = send_submission(pk, client=client)
            counts[outcome] = counts.get(outcome, 0) + 1
    finally:
        if own_client:
            client.close()
    return counts


def status_counts() -> dict[str, int]:
    """{status: how many visits}, every status present (the admin page, the dashboard)."""
    counts = dict(Submission.objects.values_list("status").annotate(n=Count("pk")).order_by())
    return {status: counts.get(status, 0) for status in Submission.Status.values}
