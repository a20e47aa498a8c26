"""Records' part in other apps' changes (connected in RecordsConfig.ready)."""

from records.models import MedicalRecord


def open_medical_record(sender, *, appointment, **kwargs) -> None:
    """A completed visit has a medical record (scheduling.signals.appointment_completed)."""
    MedicalRecord.objects.get_or_create(
        appointment=appointment, defaults={"patient_id": appointment.patient_id, "doctor_id": appointment.doctor_id}
    )
