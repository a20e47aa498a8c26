from django.conf import settings
from django.core.checks import Warning, register
from django.core.exceptions import ImproperlyConfigured

from core.crypto import check_keys


@register()
def encryption_keys_check(app_configs, **kwargs):
    """The keyless commands (core.crypto.KEYLESS_COMMANDS) start without keys; say so here.

    A warning, so `check` and `makemigrations` work on a machine without keys, while
    `check --deploy --fail-level WARNING` (CI, deployments) still fails."""
    try:
        check_keys(settings.FIELD_ENCRYPTION_KEYS, settings.BLIND_INDEX_KEY, settings.SECRET_KEY)
    except ImproperlyConfigured as error:
        return [
            Warning(
                str(error),
                hint="Patients' NIK, phone and email cannot be read or written until it is fixed.",
                id="clinic.W101",
            )
        ]
    return []
