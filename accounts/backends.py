"""Authentication backends."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

UserModel = get_user_model()


class ClinicModelBackend(ModelBackend):
    """Django's ModelBackend, whose user of each request comes with the doctor's profile in the
    same query: every page of a doctor asks for it (accounts.policy.doctor_of)."""

    def get_user(self, user_id):
        try:
            user = UserModel._default_manager.select_related("doctor_profile").get(pk=user_id)
        except UserModel.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
