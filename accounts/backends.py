"""Authentication backends."""

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from clinic.prepared import PreparedValues


@cache
def _columns() -> tuple[list[str], list[str]]:
    """The attribute names of the user's and the doctor profile's columns, in model order."""
    from patients.models import Doctor

    return ([field.attname for field in get_user_model()._meta.concrete_fields],
            [field.attname for field in Doctor._meta.concrete_fields])


def _user_row_query(user_id):
    user_columns, doctor_columns = _columns()
    return get_user_model()._default_manager.filter(pk=user_id).values_list(
        *user_columns, *(f"doctor_profile__{name}" for name in doctor_columns))


_USER_ROW = PreparedValues(_user_row_query, user_id=int)


class ClinicModelBackend(ModelBackend):
    """Django's ModelBackend, reading a doctor's profile with the user in the query every
    request makes for the signed-in user: a doctor's pages (queue, day, visit, dashboard) ask
    for it at once (accounts.access.doctor_of), which was a second query on each of them.

    That query's SQL is compiled once (clinic.prepared: through the ORM, building it cost more
    than the database took to answer), and the user and the profile are made from its row as
    select_related("doctor_profile") makes them."""

    def get_user(self, user_id):
        try:
            user_id = int(user_id)
        except (TypeError, ValueError):
            return None
        alias, rows = _USER_ROW.fetch(user_id=user_id)
        if not rows:
            return None
        user = self._user_of(alias, rows[0])
        return user if self.user_can_authenticate(user) else None

    @staticmethod
    def _user_of(alias: str, row: tuple):
        from patients.models import Doctor

        user_model = get_user_model()
        user_columns, doctor_columns = _columns()
        user = user_model.from_db(alias, user_columns, row[:len(user_columns)])
        doctor_row = row[len(user_columns):]
        doctor = None
        if doctor_row[doctor_columns.index("id")] is not None:
            doctor = Doctor.from_db(alias, doctor_columns, doctor_row)
            Doctor._meta.get_field("user").set_cached_value(doctor, user)
        # As select_related caches it: None means "no profile" without another query.
        user_model._meta.get_field("doctor_profile").set_cached_value(user, doctor)
        return user
