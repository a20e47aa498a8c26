from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from accounts.admin_site import AdminRoleModelAdmin
from accounts.models import User


@admin.register(User)
class UserAdmin(AdminRoleModelAdmin, DjangoUserAdmin):
    # Staff are deactivated, never deleted: their names stay on bills, bookings and records.
    allow_delete = False
    list_display = ["username", "full_name", "role", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "first_name", "last_name", "email"]
    ordering = ["username"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Role and access"), {"fields": ("role", "is_active", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("username", "role", "password1", "password2")}),)
    readonly_fields = ["last_login", "date_joined"]
    actions = ["deactivate"]

    @admin.display(description=_("full name"), ordering="first_name")
    def full_name(self, user):
        return user.get_full_name()

    @admin.action(description=_("Deactivate the selected users"))
    def deactivate(self, request, queryset):
        for user in queryset:
            user.is_active = False
            user.save(update_fields=["is_active"])


# Access follows the user's role (User.role), not Django's groups: hide them to avoid two systems.
admin.site.unregister(Group)
