from django.conf import settings
from django.urls import NoReverseMatch
from django.utils.translation import gettext_lazy as _

from accounts.access import ADMIN, DOCTOR, RECEPTIONIST
from clinic.urlcache import cached_reverse

# (label, url name, roles that see it). The navigation shows only what the role may use.
NAVIGATION = [
    (_("Dashboard"), "dashboard", (ADMIN, DOCTOR)),
    (_("Today"), "scheduling:board", (ADMIN, RECEPTIONIST)),
    (_("Book"), "scheduling:book", (ADMIN, RECEPTIONIST)),
    (_("Doctor's day"), "scheduling:day", (ADMIN, RECEPTIONIST)),
    (_("Patients"), "patients:search", (ADMIN, RECEPTIONIST)),
    (_("My queue"), "records:queue", (DOCTOR,)),
    (_("My schedule"), "scheduling:day", (DOCTOR,)),
    (_("Unpaid bills"), "billing:unpaid", (ADMIN, RECEPTIONIST)),
    (_("Audit log"), "accounts:audit", (ADMIN,)),
    (_("Administration"), "admin:index", (ADMIN,)),
]


def _url(name: str) -> str | None:
    try:
        return cached_reverse(name)
    except NoReverseMatch:
        return None


def navigation(request):
    context = {"CLINIC_NAME": settings.CLINIC_NAME, "CLINIC_ADDRESS": settings.CLINIC_ADDRESS}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return context
    items = [
        {"label": label, "url": url, "active": request.path.startswith(url)}
        for label, name, roles in NAVIGATION
        if user.role in roles and (url := _url(name)) is not None
    ]
    search_url = _url("patients:search") if user.role in (ADMIN, RECEPTIONIST) else None
    return {**context, "nav_items": items, "nav_search_url": search_url}
