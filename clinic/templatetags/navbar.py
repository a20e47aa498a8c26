"""The navigation bar every page shows, written in Python.

Through the template engine it was some 40 nodes and a quarter of a millisecond on every page,
as much as a page's own queries. Each value is escaped with html.escape; the markup is what
templates/base.html wrote (clinic/tests/test_navbar.py compares the two)."""

from html import escape

from django import template
from django.conf import settings
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from clinic.templatetags.clinic_format import csrf_input
from clinic.urlcache import cached_reverse

register = template.Library()

ACTIVE, CURRENT = " active", ' aria-current="page"'


def _user_part(context, csrf: str) -> str:
    user = context.get("user")
    items = "".join(
        f'<li class="nav-item"><a class="nav-link text-nowrap{ACTIVE if item["active"] else ""}" '
        f'href="{escape(str(item["url"]))}"{CURRENT if item["active"] else ""}>'
        f'{escape(str(item["label"]))}</a></li>'
        for item in context.get("nav_items") or ())
    search = ""
    if context.get("nav_search_url"):
        search = (f'<form class="d-flex me-xl-3 my-2 my-xl-0" role="search" method="get" '
                  f'action="{escape(str(context["nav_search_url"]))}">'
                  f'<input class="form-control form-control-sm" type="search" name="q" '
                  f'value="{escape(str(context.get("quick_search_q") or ""))}" '
                  f'placeholder="{escape(gettext("Name, No. RM, NIK, phone, date of birth"))}" '
                  f'aria-label="{escape(gettext("Search patients"))}" id="quick-search"></form>')
    name = user.get_full_name() or user.username
    return (f'<button class="navbar-toggler" type="button" data-bs-toggle="collapse" data-bs-target="#main-nav" '
            f'aria-controls="main-nav" aria-expanded="false" aria-label="{escape(gettext("Menu"))}">'
            f'<span class="navbar-toggler-icon"></span></button>'
            f'<div class="collapse navbar-collapse" id="main-nav"><ul class="navbar-nav me-auto">{items}</ul>{search}'
            f'<span class="navbar-text me-3 small text-nowrap"><a class="link-light" '
            f'href="{escape(cached_reverse("accounts:otp_setup"))}" title="{escape(gettext("Two-step login"))}">'
            f'{escape(str(name))}</a> · {escape(str(user.get_role_display()))}</span>'
            f'<form method="post" action="{escape(cached_reverse("accounts:logout"))}" class="d-inline">{csrf}'
            f'<button type="submit" class="btn btn-sm btn-outline-light">{escape(gettext("Log out"))}</button>'
            f'</form></div>')


@register.simple_tag(takes_context=True)
def navbar(context) -> SafeString:
    csrf = csrf_input(context)
    user = context.get("user")
    request = context.get("request")
    current = get_language()
    languages = "".join(
        f'<button type="submit" name="language" value="{escape(code)}" lang="{escape(code)}" '
        f'class="btn btn-sm {"btn-light" if code == current else "btn-outline-light"}" '
        f'title="{escape(gettext(name))}">{escape(code.upper())}</button>'
        for code, name in settings.LANGUAGES)
    clinic = context.get("CLINIC_NAME") or "Klinik"
    next_path = request.get_full_path() if request is not None else ""
    return mark_safe(  # nosec B308 B703: every value above is escaped
        f'<nav class="navbar navbar-expand-xl navbar-dark bg-primary d-print-none"><div class="container-fluid">'
        f'<a class="navbar-brand" href="{escape(cached_reverse("home"))}">{escape(str(clinic))}</a>'
        f'{_user_part(context, csrf) if user is not None and user.is_authenticated else ""}'
        f'<form method="post" action="{escape(cached_reverse("set_language"))}" class="ms-2 d-flex gap-1 lang-switch">'
        f'{csrf}<input type="hidden" name="next" value="{escape(next_path)}">{languages}</form>'
        f'</div></nav>')
