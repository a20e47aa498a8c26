"""SATUSEHAT's part in other apps' changes (connected in SatusehatConfig.ready)."""

from satusehat import services


def queue_visit(sender, *, appointment, **kwargs) -> None:
    """A completed visit gets its outbox row in the completion's transaction
    (scheduling.signals.appointment_completed)."""
    services.queue_visit(appointment)


def record_changed(sender, *, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """A correction of a visit's medical record after it was queued or sent sends an update."""
    if not created and not raw:
        services.visit_changed(appointment_id=instance.appointment_id)


def lab_result_changed(sender, *, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """A lab result added or corrected after the visit was queued or sent sends an update."""
    if not raw:
        services.visit_changed(appointment__medical_record=instance.medical_record_id)
