"""Views that belong to no app: the health check for a load balancer or a monitor."""

import logging

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

logger = logging.getLogger(__name__)


# Public on purpose, like the login page: a load balancer or a monitor asks without logging in.
# It shows nothing but ok/unavailable, and never the database's error (that goes to the log).
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
    return JsonResponse({"status": "ok"})
