from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class ClinicAdminSite(admin.AdminSite):
    """The Django admin, for users with the Admin role only.

    Receptionists and doctors who open /admin/ are sent to the admin login page, which
    refuses them: they use the staff pages instead."""

    site_header = _("Clinic administration")
    site_title = _("Clinic admin")
    index_title = _("Manage the clinic")

    def has_permission(self, request):
        user = request.user
        return user.is_active and getattr(user, "is_admin_role", False)
