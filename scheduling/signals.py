"""Signals scheduling sends to the apps above it, which it may not import."""

from django.dispatch import Signal

# Sent by appointment_complete inside its transaction, with `appointment` (locked, completed),
# also when it was completed already. Records adds the visit's medical record, billing issues
# its bill (each connects in its AppConfig.ready); a receiver's error rolls the completion back.
appointment_completed = Signal()
