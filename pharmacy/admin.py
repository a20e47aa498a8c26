from django.contrib import admin

from accounts.admin_site import AdminRoleModelAdmin
from pharmacy.models import Batch, Drug, StockMove


@admin.register(Drug)
class DrugAdmin(AdminRoleModelAdmin):
    """The catalogue. A drug is made inactive, never deleted (prescriptions and stock name it)."""

    allow_delete = False
    list_display = [
        "name",
        "generic_name",
        "form",
        "strength",
        "unit",
        "kfa_code",
        "price",
        "minimum_stock",
        "is_active",
    ]
    list_filter = ["form", "is_active"]
    search_fields = ["name", "generic_name", "=kfa_code"]


@admin.register(Batch)
class BatchAdmin(AdminRoleModelAdmin):
    """Batches are received, counted and written off on the stock pages, through the ledger."""

    allow_add = allow_change = allow_delete = False
    list_display = ["drug", "batch_number", "expiry_date", "supplier", "on_hand"]
    list_select_related = ["drug"]
    search_fields = ["batch_number", "drug__name"]
    date_hierarchy = "expiry_date"


@admin.register(StockMove)
class StockMoveAdmin(AdminRoleModelAdmin):
    """The stock ledger: read only, as it is append-only."""

    allow_add = allow_change = allow_delete = False
    list_display = ["at", "batch", "kind", "quantity", "reason", "by"]
    list_filter = ["kind"]
    list_select_related = ["batch__drug", "by"]
