"""The rows of today's board and of a doctor's day, rendered in Python.

The board shows about 90 appointments a page, each with up to three action forms; through the
template engine every row cost ~130 µs (some 25 nodes). Here a row is one f-string in which
every value is escaped with html.escape (what format_html does, without its per-argument
lazy-string checks), and the parts that are the same on every row (labels, the CSRF and "next"
fields) are escaped once per page. The markup is what the template wrote."""

from html import escape

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from clinic.templatetags.clinic_format import clock_in, local_minute_in
from clinic.urlcache import cached_reverse, pk_url_parts
from scheduling.models import Appointment

register = template.Library()

Status = Appointment.Status


def _form_tail(csrf: str, next_url: str, css: str, label: str) -> str:
    return (f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(csrf)}">'
            f'<input type="hidden" name="next" value="{escape(next_url)}">'
            f'<button type="submit" class="btn btn-sm {css}">{escape(label)}</button></form>')


def _url_parts(name: str) -> tuple[str, str]:
    """The escaped text before and after the id in the URL of the view `name`."""
    before, after = pk_url_parts(name)
    return escape(before), escape(after)


@register.simple_tag
def board_head() -> SafeString:
    """The <thead> of each doctor's table on the board, translated once per page."""
    labels = (gettext("Time"), gettext("Patient"), gettext("No. RM"), gettext("Status"), gettext("Queue"),
              gettext("Arrived"), gettext("Waiting"))
    cells = "".join(f"<th>{escape(label)}</th>" for label in labels)
    return mark_safe(f'<thead><tr>{cells}<th class="d-print-none"></th></tr></thead>')  # nosec B308 B703: escaped


@register.simple_tag(takes_context=True)
def board_rows(context, rows) -> SafeString:
    """The <tr> of each BoardRow (scheduling.selectors.board_appointments) of one doctor."""
    csrf, next_url = str(context["csrf_value"]), str(context["next_url"])
    check_in = _form_tail(csrf, next_url, "btn-primary", gettext("Check in"))
    no_show = (f' data-confirm="{escape(gettext("Mark this appointment as a no-show?"))}">'
               + _form_tail(csrf, next_url, "btn-outline-danger", gettext("No-show")))
    cancel = (f' data-confirm="{escape(gettext("Cancel this appointment?"))}">'
              + _form_tail(csrf, next_url, "btn-outline-secondary", gettext("Cancel")))
    labels = {value: escape(str(label)) for value, label in Status.choices}
    zone = timezone.get_current_timezone()
    detail, check_in_url, no_show_url, cancel_url = (
        _url_parts(name) for name in ("scheduling:detail", "scheduling:check_in", "scheduling:no_show",
                                      "scheduling:cancel"))
    out = []
    for row in rows:
        pk = int(row.pk)
        forms = ""
        if row.status == Status.SCHEDULED:
            forms += f'<form method="post" action="{check_in_url[0]}{pk}{check_in_url[1]}" class="d-inline">'
            forms += check_in
        if row.status in (Status.SCHEDULED, Status.CHECKED_IN):
            forms += f'<form method="post" action="{no_show_url[0]}{pk}{no_show_url[1]}" class="d-inline"'
            forms += no_show
            forms += f'<form method="post" action="{cancel_url[0]}{pk}{cancel_url[1]}" class="d-inline"'
            forms += cancel
        waiting = ""
        if row.waiting_minutes is not None:
            waiting = escape(ngettext("%(minutes)s min", "%(minutes)s min", row.waiting_minutes)
                             % {"minutes": row.waiting_minutes})
        queue = "" if row.queue_number is None else row.queue_number
        out.append(
            f'<tr><td>{clock_in(row.start, zone)}</td>'
            f'<td><a href="{detail[0]}{pk}{detail[1]}">{escape(row.patient_name)}</a></td>'
            f'<td>{escape(row.patient_mrn)}</td>'
            f'<td><span class="badge status-{escape(row.status)}">{labels.get(row.status, "")}</span></td>'
            f'<td>{queue}</td><td>{clock_in(row.arrived_at, zone)}</td><td>{waiting}</td>'
            f'<td class="d-print-none text-nowrap">{forms}</td></tr>')
    return mark_safe("\n".join(out))  # nosec B308 B703: every value above is escaped


@register.simple_tag(takes_context=True)
def day_slots(context, slots) -> SafeString:
    """The <tr> of each 15-minute slot of a doctor's day (scheduling.selectors.doctor_day, whose
    appointments are DayAppointment rows): a day has some 50, and through the template engine
    each cost ~100 µs."""
    own, doctor, bookable_from = context["own"], context["doctor"], context["bookable_from"]
    book_url = escape(cached_reverse("scheduling:book"))
    continued = escape(gettext("continued"))
    free = f'<span class="text-muted">{escape(gettext("Free"))}</span>'
    free_book = escape(gettext("Free — book"))
    labels = {value: escape(str(label)) for value, label in Status.choices}
    zone = timezone.get_current_timezone()
    detail = _url_parts("scheduling:detail")
    out = []
    for slot in slots:
        start, appointment = slot["start"], slot["appointment"]
        if appointment is not None:
            name = escape(appointment.patient_name)
            if slot["first"]:
                who = (f'<a href="{detail[0]}{int(appointment.pk)}{detail[1]}">{name}</a>\n'
                       f'        <small class="text-muted">· {escape(appointment.patient_mrn)}</small>')
            else:
                who = f'<span class="text-muted">{name} ({continued})</span>'
            out.append(f'<tr class="slot-taken"><td>{clock_in(start, zone)}</td><td>{who}</td>'
                       f'<td><span class="badge status-{escape(appointment.status)}">'
                       f'{labels.get(appointment.status, "")}</span></td></tr>')
        else:
            if not own and start >= bookable_from:
                cell = (f'<a href="{book_url}?doctor={int(doctor.pk)}&amp;start={local_minute_in(start, zone)}">'
                        f'{free_book}</a>')
            else:
                cell = free
            out.append(f'<tr class="slot-free"><td>{clock_in(start, zone)}</td><td colspan="2">{cell}</td></tr>')
    return mark_safe("\n".join(out))  # nosec B308 B703: every value above is escaped
