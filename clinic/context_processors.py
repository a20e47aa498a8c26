from django.conf import settings
from django.urls import NoReverseMatch
from django.utils.translation import gettext_lazy as _

from accounts.policy import can
from clinic.urlcache import cached_reverse

# (label, url name, capability). The navigation shows only what the user's role may open
# (accounts.policy). The pages in USER_MENU sit in the menu under the user's name (the bar must
# fit a 1366 px screen for every role, in both languages).
NAVIGATION = [
    (_("Dashboard"), "dashboard", "reports.dashboard"),
    (_("Today"), "scheduling:board", "scheduling.board"),
    (_("Book"), "scheduling:book", "scheduling.book"),
    (_("Doctor's day"), "scheduling:day", "scheduling.all_doctors"),
    (_("Patients"), "patients:search", "patients.search"),
    (_("My queue"), "records:queue", "records.queue"),
    (_("My schedule"), "scheduling:day", "scheduling.own_day"),
    (_("Unpaid bills"), "billing:unpaid", "billing.manage"),
    (_("Pharmacy queue"), "pharmacy:queue", "pharmacy.dispense"),
    (_("Drug stock"), "pharmacy:stock", "pharmacy.stock"),
    (_("Audit log"), "audit:search", "audit.view"),
    (_("SATUSEHAT"), "satusehat:submissions", "satusehat.manage"),
    (_("Administration"), "admin:index", "admin.site"),
]

USER_MENU = {"audit:search", "admin:index", "satusehat:submissions"}
# The Admin holds the pharmacist's pages too; in the Admin's bar they would push it past 1366 px,
# so for the Admin they sit in the user menu (the pharmacist has them in the bar).
ADMIN_USER_MENU = {"pharmacy:queue", "pharmacy:stock"}


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
    in_menu = USER_MENU | ADMIN_USER_MENU if can(user, "admin.site") else USER_MENU
    items = [
        {"label": label, "url": url, "active": request.path.startswith(url), "in_user_menu": name in in_menu}
        for label, name, capability in NAVIGATION
        if can(user, capability) and (url := _url(name)) is not None
    ]
    search_url = _url("patients:search") if can(user, "patients.search") else None
    return {**context, "nav_items": items, "nav_search_url": search_url}
