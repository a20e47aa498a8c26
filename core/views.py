"""Views that belong to no app: the health check for a load balancer or a monitor, the error
pages (handler400/404/500 and the CSRF failure; handler403 is audit.views.permission_denied, which
logs the refusal) and /favicon.ico."""

import logging
import sys

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from core.dbfaults import unavailable, write_refused

logger = logging.getLogger(__name__)


# Public on purpose, like the login page: a load balancer or a monitor asks without logging in.
# It shows nothing but ok/degraded/unavailable, never the database's error (that goes to the log).
# "degraded" (503): the database answers but refuses writes (read-only, a missing privilege, a full
# disk), found by a write that changes no row on settings.HEALTHZ_WRITE_TABLES; pages that only
# read still work, nothing can be saved, and no patient data is shown (its audit row cannot be
# written). A load balancer that should keep such a node for reads can tell it by the body.
@csrf_exempt  # so a POST gets the 405 below, not the CSRF 403
@require_http_methods(["GET", "HEAD"])
@never_cache
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("healthz: the database does not answer")
        return JsonResponse({"status": "unavailable"}, status=503)
    try:
        with connection.cursor() as cursor:
            for table in settings.HEALTHZ_WRITE_TABLES:
                name = connection.ops.quote_name(table)
                # Table names come from the settings; no row matches, so nothing is written.
                cursor.execute(f"INSERT INTO {name} SELECT * FROM {name} WHERE 1 = 0")  # nosec B608
    except DatabaseError as error:
        if not write_refused(error):
            logger.exception("healthz: the database does not answer")
            return JsonResponse({"status": "unavailable"}, status=503)
        logger.error("healthz: the database refuses writes: %s", error)
        return JsonResponse({"status": "degraded", "writes": "refused"}, status=503)
    return JsonResponse({"status": "ok"})


# Public on purpose: browsers ask for /favicon.ico on every site; base.html links the icon itself.
@require_http_methods(["GET", "HEAD"])
@cache_control(max_age=86400, public=True)
def favicon(request):
    return HttpResponseRedirect(static("img/favicon.ico"))


# --- Error pages -------------------------------------------------------------------------------


def error_page(request, *, status: int, heading: str, message: str, navigation: bool) -> HttpResponse:
    """The clinic's error page (templates/error.html), translated, with a way back.

    With `navigation`, the usual page with the user's menu. Without it, rendered without the
    request: no session, no user, no message storage, so no database (a 500 may be the database)."""
    context = {"status": status, "heading": heading, "message": message, "show_navigation": navigation}
    if navigation:
        return render(request, "error.html", context, status=status)
    context.update(LANGUAGE_CODE=get_language(), CLINIC_NAME=settings.CLINIC_NAME)
    return HttpResponse(loader.render_to_string("error.html", context), status=status)


def bad_request(request, exception=None):
    """handler400 (a suspicious request: a wrong Host header, a broken upload): no navigation."""
    return error_page(
        request,
        status=400,
        heading=_("Bad request"),
        message=_("The request could not be read. Nothing was changed."),
        navigation=False,
    )


def page_not_found(request, exception=None):
    """handler404: also what someone else's patient, visit or bill answers."""
    return error_page(
        request,
        status=404,
        heading=_("Page not found"),
        message=_("This page does not exist, or it is not available to you."),
        navigation=True,
    )


def server_error(request):
    """handler500: needs no database (the error may be the database).

    A database that refuses writes or does not answer is not a bug of the page: 503, and what it
    means for the user (core.dbfaults). A refused write rolled back its transaction: nothing was
    changed. Pages that show patient data need their audit row, so they are refused too."""
    error = sys.exc_info()[1]
    if write_refused(error):
        response = error_page(
            request,
            status=503,
            heading=_("Data cannot be saved right now"),
            message=_(
                "The database accepts no changes at the moment (it is read-only, full, or lacks a "
                "permission); nothing was changed. Patient data is not shown either: every view of "
                "it is recorded in the access log, and that record cannot be written now. Pages "
                "that only show lists and schedules still work. Try again later, or tell the "
                "administrator."
            ),
            navigation=False,
        )
        response["Retry-After"] = "60"
        return response
    if unavailable(error):
        response = error_page(
            request,
            status=503,
            heading=_("The database is not available right now"),
            message=_(
                "Nothing could be read or saved. Try again in a moment; a payment form sent again "
                "is recorded only once."
            ),
            navigation=False,
        )
        response["Retry-After"] = "30"
        return response
    return error_page(
        request,
        status=500,
        heading=_("Something went wrong"),
        message=_(
            "The server could not finish this request; the error has been logged. If you were "
            "saving something, open the page again and check whether it was saved: sending a "
            "payment form again records it only once."
        ),
        navigation=False,
    )


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a form sent without a valid security token (too old, or no cookie)."""
    return error_page(
        request,
        status=403,
        heading=_("The form has expired"),
        message=_(
            "The form was sent without a valid security token: it was open too long, or the browser "
            "blocks cookies. Nothing was changed. Open the page again and send the form again."
        ),
        navigation=True,
    )
