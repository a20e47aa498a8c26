from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A member of the clinic's staff. The role decides what they may see and do."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("Admin")
        DOCTOR = "doctor", _("Doctor")
        RECEPTIONIST = "receptionist", _("Receptionist")
        PHARMACIST = "pharmacist", _("Pharmacist")

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.RECEPTIONIST)

    objects = UserManager()

    class Meta:
        db_table = "users"
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=["admin", "doctor", "receptionist", "pharmacist"]),
                name="users_role_valid",
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.username

    def save(self, *args, **kwargs):
        # Only the Admin role reaches the Django admin; the flag follows the role.
        self.is_staff = self.role == self.Role.ADMIN or self.is_superuser
        if self.is_superuser:
            self.role = self.Role.ADMIN
            self.is_staff = True
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "role" in update_fields:
            kwargs["update_fields"] = {*update_fields, "is_staff"}
        super().save(*args, **kwargs)

    @property
    def is_admin_role(self) -> bool:
        return self.role == self.Role.ADMIN

    @property
    def is_doctor(self) -> bool:
        return self.role == self.Role.DOCTOR

    @property
    def is_receptionist(self) -> bool:
        return self.role == self.Role.RECEPTIONIST

    @property
    def is_pharmacist(self) -> bool:
        return self.role == self.Role.PHARMACIST
