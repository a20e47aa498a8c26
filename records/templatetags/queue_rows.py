"""The rows of a doctor's queue, written in Python.

Through the template engine each row cost some 100 µs (two plural translations, a status badge,
a CSRF token, two URLs); a queue of 20–40 rows refreshed every 30 seconds by every doctor made
the page's templates several times its queries. Every value is escaped with html.escape; the
markup is what templates/records/partials/queue_table.html wrote (records/tests/test_queue_rows.py
compares the two)."""

from html import escape

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from clinic.templatetags.clinic_format import clock_in, csrf_input
from clinic.urlcache import pk_url_parts
from scheduling.models import Appointment

register = template.Library()


@register.simple_tag(takes_context=True)
def queue_rows(context, rows) -> SafeString:
    """The <tr> of each records.selectors.QueueRow."""
    start_button = (f'{csrf_input(context)}\n          <button type="submit" class="btn btn-sm btn-primary">'
                    f'{escape(gettext("Start consultation"))}</button>\n        </form>')
    open_visit = escape(gettext("Open visit"))
    labels = {value: escape(str(label)) for value, label in Appointment.Status.choices}
    visit, start = (tuple(escape(part) for part in pk_url_parts(name)) for name in ("records:visit", "records:start"))
    zone = timezone.get_current_timezone()
    out = []
    for row in rows:
        pk = int(row.pk)
        age = ""
        if row.patient_age is not None:
            age = escape(ngettext("%(years)s yr", "%(years)s yrs", row.patient_age) % {"years": row.patient_age})
        waiting = ""
        if row.waiting_minutes is not None:
            waiting = escape(ngettext("%(minutes)s min", "%(minutes)s min", row.waiting_minutes)
                             % {"minutes": row.waiting_minutes})
        form = ""
        if row.status == Appointment.Status.CHECKED_IN:
            form = f'\n        <form method="post" action="{start[0]}{pk}{start[1]}" class="d-inline">{start_button}'
        out.append(
            f'<tr class="queue-row"><td class="fw-bold">{escape(str(row.queue_number or "–"))}</td>'
            f'<td>{clock_in(row.start, zone)}</td><td>{escape(row.patient_name)}</td>'
            f'<td>{escape(row.patient_mrn)}</td><td>{age}</td><td>{escape(row.reason)}</td>'
            f'<td><span class="badge status-{escape(row.status)}">{labels.get(row.status, "")}</span></td>'
            f'<td>{waiting}</td><td class="text-end text-nowrap">\n'
            f'        <a class="btn btn-sm btn-outline-primary" href="{visit[0]}{pk}{visit[1]}">{open_visit}</a>'
            f'{form}\n      </td></tr>')
    return mark_safe("\n".join(out))  # nosec B308 B703: every value above is escaped
