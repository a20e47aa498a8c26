"""Billing's part in other apps' changes (connected in BillingConfig.ready)."""

from billing.services import bill_issue_for


def issue_bill(sender, *, appointment, **kwargs) -> None:
    """A completed visit has its bill (scheduling.signals.appointment_completed)."""
    bill_issue_for(appointment=appointment)
