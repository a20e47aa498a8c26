"""The Jinja2 environment of the clinic's pages (settings.TEMPLATES, the Jinja2 backend).

Templates get Django's translations (`{{ _("…") }}`, `{% trans %}`, in the request's language),
`url()`, `static()`, `url_parts()` for links written once per row, `querystring()`, `now()`,
`current_timezone()` (for `clock(zone)` in long lists), and the filters of core.display.
Autoescaping is on: values are escaped unless they are already safe markup (a form field,
Django's `json_script`), and escaped as Django escapes them (`&quot;`, `&#x27;`), so a page
reads the same whichever engine draws it."""

import html
from collections.abc import Iterable

import jinja2
from django.template.defaultfilters import linebreaksbr
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import conditional_escape, json_script
from django.utils.timezone import get_current_timezone, now
from django.utils.translation import gettext, ngettext
from markupsafe import Markup

from clinic.urlcache import pk_url_parts
from core import display


def url(name: str, *args, **kwargs) -> str:
    """{% url %}: url("patients:detail", patient.pk)."""
    return reverse(name, args=args or None, kwargs=kwargs or None)


def url_parts(name: str) -> tuple[str, str]:
    """(before, after), escaped, of the URL of the view `name` that takes one integer id: the URL
    for id N is before ~ N ~ after. For loops that link every row: `{% set before, after =
    url_parts("patients:detail") %}` once, then `{{ before }}{{ patient.pk }}{{ after }}` per row,
    instead of resolving the URL pattern again for each row."""
    before, after = pk_url_parts(name)
    return conditional_escape(before), conditional_escape(after)


def querystring(request, **changes) -> str:
    """Django's {% querystring %}: the request's query string with `changes` (None removes a key)."""
    query = request.GET
    params = query.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        elif isinstance(value, Iterable) and not isinstance(value, str):
            params.setlist(key, value)
        else:
            params[key] = value
    if not params and not query:
        return ""
    return f"?{params.urlencode()}"


@jinja2.pass_eval_context
def _escape(eval_ctx, value):
    """Every {{ value }}: escaped by Django's rules, which are html.escape's (django.utils.html.escape);
    already safe markup and numbers pass unchanged. Called for each value of each row: no lazy
    wrappers on the way."""
    if not eval_ctx.autoescape or hasattr(value, "__html__") or type(value) is int:
        return value
    return Markup(html.escape(str(value)))  # nosec B704: escaped on this line


def _variables(eval_ctx, variables: dict) -> dict:
    if not eval_ctx.autoescape:
        return variables
    return {
        key: value if isinstance(value, int | float) else conditional_escape(value) for key, value in variables.items()
    }


# The i18n extension's "newstyle" gettext, with the placeholders' values escaped by Django's rules
# as in {% blocktranslate %} (the extension would escape them with markupsafe's entities).
@jinja2.pass_context
def _gettext(__context, __string, **variables):
    text = __context.call(gettext, __string)
    if __context.eval_ctx.autoescape:
        text = Markup(text)  # nosec B704: the catalogue's own text; the variables are escaped below
    return text % _variables(__context.eval_ctx, variables)


@jinja2.pass_context
def _ngettext(__context, __singular, __plural, __num, **variables):
    variables.setdefault("num", __num)
    text = __context.call(ngettext, __singular, __plural, __num)
    if __context.eval_ctx.autoescape:
        text = Markup(text)  # nosec B704: the catalogue's own text; the variables are escaped below
    return text % _variables(__context.eval_ctx, variables)


def environment(**options) -> jinja2.Environment:
    options.setdefault("finalize", _escape)
    # Django's Jinja2 backend passes autoescape=True (settings.TEMPLATES); the XSS tests rely on it.
    env = jinja2.Environment(**options)  # nosec B701
    env.install_gettext_callables(gettext, ngettext, newstyle=True)
    env.globals.update(gettext=_gettext, _=_gettext, ngettext=_ngettext)
    env.globals.update(
        url=url,
        url_parts=url_parts,
        static=static,
        querystring=querystring,
        now=now,
        current_timezone=get_current_timezone,
    )
    env.filters.update(
        rupiah=display.rupiah,
        clock=display.clock,
        local_minute=display.local_minute,
        date=display.date,
        time=display.time,
        measurement=display.measurement,
        capfirst=display.capfirst,
        age=display.age,
        phone=display.phone,
        terbilang=display.terbilang,
        linebreaksbr=linebreaksbr,
        json_script=json_script,
    )
    return env
