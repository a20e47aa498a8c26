from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.policy import can


class ClinicAdminSite(admin.AdminSite):
    """The Django admin, for users with the Admin role only.

    Receptionists and doctors who open /admin/ are sent to the admin login page, which
    refuses them: they use the staff pages instead."""

    site_header = _("Clinic administration")
    site_title = _("Clinic admin")
    index_title = _("Manage the clinic")

    def has_permission(self, request):
        user = request.user
        if not can(user, "admin.site"):
            return False
        # With OTP_REQUIRED_FOR_ADMIN on, only after the TOTP code (django-otp's OTPMiddleware);
        # accounts.middleware.OTPRequiredMiddleware sends an unverified Admin to that page first.
        if settings.OTP_REQUIRED_FOR_ADMIN:
            return getattr(user, "is_verified", lambda: False)()
        return True


class AdminRoleModelAdmin(admin.ModelAdmin):
    """A ModelAdmin whose permissions follow the user's role instead of per-model grants.

    Subclasses switch off what the role table forbids (e.g. writing medical records)."""

    allow_add = True
    allow_change = True
    allow_delete = True

    def _is_admin(self, request) -> bool:
        return can(request.user, "admin.site")

    def has_module_permission(self, request):
        return self._is_admin(request)

    def has_view_permission(self, request, obj=None):
        return self._is_admin(request)

    def has_add_permission(self, request):
        return self.allow_add and self._is_admin(request)

    def has_change_permission(self, request, obj=None):
        return self.allow_change and self._is_admin(request)

    def has_delete_permission(self, request, obj=None):
        return self.allow_delete and self._is_admin(request)


class ReadOnlyAdmin(AdminRoleModelAdmin):
    """Admins may look, nobody may add, change or delete: the audit trail is append-only."""

    allow_add = False
    allow_change = False
    allow_delete = False

    def get_actions(self, request):
        return {}


class AdminRoleInline:
    """The same role rule for inlines."""

    allow_add = True
    allow_change = True
    allow_delete = False

    def _is_admin(self, request) -> bool:
        return can(request.user, "admin.site")

    def has_view_permission(self, request, obj=None):
        return self._is_admin(request)

    def has_add_permission(self, request, obj=None):
        return self.allow_add and self._is_admin(request)

    def has_change_permission(self, request, obj=None):
        return self.allow_change and self._is_admin(request)

    def has_delete_permission(self, request, obj=None):
        return self.allow_delete and self._is_admin(request)
