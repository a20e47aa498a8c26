from functools import cached_property

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.admin.views.main import ORDER_VAR, PAGE_VAR, ChangeList
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db import connections, models, router
from django.http import HttpResponseRedirect
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _

from accounts.policy import can

# --- the admin at a chain's scale (docs/performance.md, "The Django admin") -------------------
# Counting a filtered list stops here: "2,000 or more" costs reading 2,001 index entries,
# an exact count of a status over millions of appointments costs seconds.
COUNT_CAP = 2_000
# The dates a date filter of the admin accepts. Outside them MariaDB's driver overflows while
# converting the clinic's time to UTC (0001-01-01 gave a 500) and no clinic row can match.
FILTER_YEARS = range(1900, 3000)
DATE_LOOKUPS = {"exact", "gt", "gte", "lt", "lte", "date", "year"}


def table_row_estimate(model) -> int | None:
    """The planner's row estimate of the model's table (PostgreSQL, MariaDB): read from the
    catalogue, no scan. None on SQLite or when the table was never analysed."""
    connection = connections[router.db_for_read(model)]
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)", [table])
        elif connection.vendor == "mysql":
            cursor.execute(
                "SELECT table_rows FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = %s",
                [table],
            )
        else:
            return None
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] is not None and row[0] >= 0 else None


class CheapCountPaginator(Paginator):
    """A paginator whose count never reads a big table from end to end.

    - The whole table (no filter, no search): the planner's estimate, when it is above
      COUNT_CAP (below it the exact count is cheap and shown).
    - A filtered or searched list: the exact count up to COUNT_CAP, else COUNT_CAP (the pages
      offered end there; a narrower filter finds the rest)."""

    def __init__(self, *args, whole_table: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.whole_table = whole_table

    @cached_property
    def count(self):
        queryset = self.object_list
        if not hasattr(queryset, "model"):
            return len(queryset)
        # Both reads, whatever the table's size, so a page's queries do not change when a table
        # grows past COUNT_CAP: the capped count reads at most COUNT_CAP + 1 index entries, of
        # whichever index is cheapest (a count needs no order).
        exact = min(queryset.order_by()[: COUNT_CAP + 1].count(), COUNT_CAP)
        estimate = table_row_estimate(queryset.model) if self.whole_table else None
        if exact >= COUNT_CAP and estimate is not None and estimate > COUNT_CAP:
            return estimate
        return exact


class ClinicChangeList(ChangeList):
    """Related rows shown in a list are loaded by primary key after the page's own query
    (`list_prefetch_related`), so that query reads one table in index order and stops after
    one page, whatever order the optimiser would join in."""

    def get_ordering_field(self, field_name):
        # `sortable_by` hides the other columns' sort links; a hand-written ?o= does not sort
        # by them either (sorting a million rows by a joined name was the 6-minute query).
        if self.sortable_by is not None and field_name not in self.sortable_by:
            return None
        return super().get_ordering_field(field_name)

    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        if prefetch := getattr(self.model_admin, "list_prefetch_related", ()):
            queryset = queryset.prefetch_related(*prefetch)
        return queryset


def _bad_date(value: str, lookup: str) -> bool:
    if lookup == "year":
        return not (value.isdigit() and int(value) in FILTER_YEARS)
    try:
        parsed = parse_datetime(value) or parse_date(value)
    except ValueError:
        return True
    return parsed is None or parsed.year not in FILTER_YEARS


def bad_date_parameters(model, query) -> list[str]:
    """The query's parameters that filter a date or datetime field with a date the clinic's
    data cannot hold (or no date at all)."""
    bad = []
    for name, values in query.lists():
        path, _sep, lookup = name.rpartition("__")
        if lookup not in DATE_LOOKUPS:
            path, lookup = name, "exact"
        try:
            field = get_fields_from_path(model, path)[-1]
        except (FieldDoesNotExist, AttributeError, IndexError):
            continue
        if isinstance(field, models.DateField) and any(_bad_date(value, lookup) for value in values):
            bad.append(name)
    return bad


class ClinicAdminSite(admin.AdminSite):
    """The Django admin, for users with the Admin role only.

    Receptionists and doctors who open /admin/ are sent to the admin login page, which
    refuses them: they use the staff pages instead."""

    site_header = _("Clinic administration")
    site_title = _("Clinic admin")
    index_title = _("Manage the clinic")

    def has_permission(self, request):
        user = request.user
        if not can(user, "admin.site"):
            return False
        # With OTP_REQUIRED_FOR_ADMIN on, only after the TOTP code (django-otp's OTPMiddleware);
        # accounts.middleware.OTPRequiredMiddleware sends an unverified Admin to that page first.
        if settings.OTP_REQUIRED_FOR_ADMIN:
            return getattr(user, "is_verified", lambda: False)()
        return True


class AdminRoleModelAdmin(admin.ModelAdmin):
    """A ModelAdmin whose permissions follow the user's role instead of per-model grants.

    Subclasses switch off what the role table forbids (e.g. writing medical records).

    Also the admin's lists at a chain's scale: no full count, a cheap count
    (CheapCountPaginator), related rows by primary key (`list_prefetch_related`), and date
    filters refused with a message when their date is impossible."""

    allow_add = True
    allow_change = True
    allow_delete = True
    show_full_result_count = False
    paginator = CheapCountPaginator
    list_prefetch_related: tuple = ()

    def get_changelist(self, request, **kwargs):
        return ClinicChangeList

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        # The whole table when the request only pages or sorts it (no filter, no search).
        whole_table = set(request.GET) <= {PAGE_VAR, ORDER_VAR}
        return self.paginator(queryset, per_page, orphans, allow_empty_first_page, whole_table=whole_table)

    def changelist_view(self, request, extra_context=None):
        if bad := bad_date_parameters(self.model, request.GET):
            self.message_user(
                request,
                _("A date in the filter is not a date the clinic can have (years %(first)s to %(last)s): %(values)s.")
                % {
                    "first": FILTER_YEARS.start,
                    "last": FILTER_YEARS.stop - 1,
                    "values": ", ".join(request.GET[name] for name in bad),
                },
                messages.ERROR,
            )
            query = request.GET.copy()
            for name in bad:
                del query[name]
            return HttpResponseRedirect(f"{request.path}?{query.urlencode()}" if query else request.path)
        return super().changelist_view(request, extra_context)

    def _is_admin(self, request) -> bool:
        return can(request.user, "admin.site")

    def has_module_permission(self, request):
        return self._is_admin(request)

    def has_view_permission(self, request, obj=None):
        return self._is_admin(request)

    def has_add_permission(self, request):
        return self.allow_add and self._is_admin(request)

    def has_change_permission(self, request, obj=None):
        return self.allow_change and self._is_admin(request)

    def has_delete_permission(self, request, obj=None):
        return self.allow_delete and self._is_admin(request)


class ReadOnlyAdmin(AdminRoleModelAdmin):
    """Admins may look, nobody may add, change or delete: the audit trail is append-only."""

    allow_add = False
    allow_change = False
    allow_delete = False

    def get_actions(self, request):
        return {}


class AdminRoleInline:
    """The same role rule for inlines."""

    allow_add = True
    allow_change = True
    allow_delete = False

    def _is_admin(self, request) -> bool:
        return can(request.user, "admin.site")

    def has_view_permission(self, request, obj=None):
        return self._is_admin(request)

    def has_add_permission(self, request, obj=None):
        return self.allow_add and self._is_admin(request)

    def has_change_permission(self, request, obj=None):
        return self.allow_change and self._is_admin(request)

    def has_delete_permission(self, request, obj=None):
        return self.allow_delete and self._is_admin(request)
