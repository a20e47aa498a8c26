"""The dashboard's per-doctor and per-service tables, rendered in Python: a chain's dashboard
lists a hundred doctors and some fifty services, and through the template engine each row cost
~20 µs. Every value is escaped with html.escape; the markup is what the template wrote (see
scheduling/templatetags/schedule_rows.py)."""

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from clinic.templatetags.clinic_format import rupiah

register = template.Library()


@register.simple_tag
def doctor_rows(rows) -> SafeString:
    """Today's appointments per doctor: {"name", "count"} each (clinic.selectors)."""
    if not rows:
        empty = escape(gettext("No appointments today."))
        return mark_safe(f'<tr><td colspan="2" class="text-body-secondary">{empty}</td></tr>')  # nosec B308 B703: escaped
    return mark_safe("".join(  # nosec B308 B703: every value is escaped
        f'<tr><td>{escape(str(row["name"]))}</td><td class="text-end">{int(row["count"])}</td></tr>' for row in rows))


@register.simple_tag
def service_rows(rows) -> SafeString:
    """Billed per service: {"service__name", "quantity", "total"} each (clinic.selectors)."""
    if not rows:
        empty = escape(gettext("No bills in this range."))
        return mark_safe(f'<tr><td colspan="3" class="text-body-secondary">{empty}</td></tr>')  # nosec B308 B703: escaped
    return mark_safe("".join(  # nosec B308 B703: every value is escaped
        f'<tr><td>{escape(str(row["service__name"]))}</td><td class="text-end">{int(row["quantity"])}</td>'
        f'<td class="text-end">{escape(rupiah(row["total"]))}</td></tr>' for row in rows))
