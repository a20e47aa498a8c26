def send_prescription(sender, appointment, **kwargs):
    """Completing a visit sends its prescription, if the doctor wrote one, to the pharmacy."""
    from pharmacy.services import prescription_send_if_drafted

    prescription_send_if_drafted(appointment=appointment)
