"""The waiting room's screen (no login: its token is its key) and the printed queue ticket."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.policy import requires
from scheduling.access import get_appointment_for
from scheduling.queue_display import board_for, display_for_token

# How often the screen asks for the numbers (seconds): the load of ten screens is in
# docs/performance.md, "Queue screen".
POLL_SECONDS = 3


@never_cache
@require_GET
def display(request, token):
    """The screen's page: no patient's name, only queue numbers; 404 for an unknown or inactive token."""
    the_display = display_for_token(token)
    context = {"display": the_display, "board": board_for(the_display), "poll_seconds": POLL_SECONDS}
    return render(request, "scheduling/queue_display.html", context)


@never_cache
@require_GET
def display_poll(request, token):
    """The numbers alone, for the screen's htmx polling."""
    the_display = display_for_token(token)
    context = {"display": the_display, "board": board_for(the_display), "poll_seconds": POLL_SECONDS}
    return render(request, "scheduling/partials/queue_board.html", context)


@requires("scheduling.book")
@require_GET
def ticket(request, pk):
    """The queue ticket for 58 mm thermal paper, printed by the browser: clinic, doctor, number, time."""
    appointment = get_appointment_for(request, pk)
    if appointment.queue_number is None:
        messages.error(request, _("The patient is not checked in yet: there is no queue number to print."))
        return redirect("scheduling:detail", appointment.pk)
    return render(request, "scheduling/ticket.html", {"appointment": appointment})
