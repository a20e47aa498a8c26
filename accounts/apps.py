from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        # The session clocks start at login; deactivation ends sessions (signal receivers).
        # The Django admin holds the clinic's own models, gated by role: django-otp's device admin
        # (registered by its autodiscovered admin.py, which runs before this) would follow Django's
        # per-model permissions instead. A lost phone: `manage.py otp_reset USERNAME`.
        from django.contrib import admin
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from accounts import (
            checks,  # noqa: F401  (registers the system checks)
            middleware,  # noqa: F401
        )

        if admin.site.is_registered(TOTPDevice):
            admin.site.unregister(TOTPDevice)
