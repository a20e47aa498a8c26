"""The one mechanism for role gates. Every staff view is wrapped in `role_required`.

Anonymous visitors are sent to the login page; a signed-in user of the wrong role gets 403.
Object views then call their app's access helper (e.g. `patients.access.get_patient_for`),
which answers 404 for an object the user may not see."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from accounts.models import User

ADMIN = User.Role.ADMIN
DOCTOR = User.Role.DOCTOR
RECEPTIONIST = User.Role.RECEPTIONIST
FRONT_DESK = (ADMIN, RECEPTIONIST)


def role_required(*roles: str) -> Callable:
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.is_active:  # deactivated while signed in: the session ends here
                logout(request)
                return redirect_to_login(request.get_full_path())
            if user.role not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.allowed_roles = tuple(roles)
        return wrapper

    return decorator


def doctor_of(user: User):
    """The doctors row of a signed-in doctor; 403 when the account has none."""
    doctor = getattr(user, "doctor_profile", None)
    if doctor is None or not doctor.is_active:
        raise PermissionDenied
    return doctor
