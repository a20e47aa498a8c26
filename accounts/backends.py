"""Authentication backends."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class ClinicModelBackend(ModelBackend):
    """Django's ModelBackend, reading a doctor's profile with the user in the query every
    request makes for the signed-in user: a doctor's pages (queue, day, visit, dashboard) ask
    for it at once (accounts.access.doctor_of), which was a second query on each of them."""

    def get_user(self, user_id):
        users = get_user_model()._default_manager.select_related("doctor_profile")
        try:
            user = users.get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
