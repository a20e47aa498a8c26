from django.urls import path

from pharmacy import views

app_name = "pharmacy"

urlpatterns = [
    # The doctor, on the visit.
    path("visits/<int:pk>/prescription/", views.prescribe, name="prescribe"),
    path("visits/<int:pk>/prescription/lines/<int:line_pk>/remove/", views.line_remove, name="line_remove"),
    path("visits/<int:pk>/prescription/send/", views.send, name="send"),
    path("drugs/search/", views.drug_search, name="drug_search"),
    # The pharmacist.
    path("queue/", views.queue, name="queue"),
    path("prescriptions/<int:pk>/", views.prescription, name="prescription"),
    path("prescriptions/<int:pk>/labels/", views.labels, name="labels"),
    path("prescriptions/<int:pk>/copy/", views.copy, name="copy"),
    # The stock.
    path("stock/", views.stock, name="stock"),
    path("stock/receive/", views.receive, name="receive"),
    path("stock/drugs/<int:pk>/", views.drug_stock, name="drug_stock"),
    path("stock/batches/<int:pk>/count/", views.batch_count, name="batch_count"),
    path("stock/batches/<int:pk>/remove/", views.batch_remove, name="batch_remove"),
    path("stock/near-expiry/", views.near_expiry, name="near_expiry"),
    path("stock/below-minimum/", views.below_minimum, name="below_minimum"),
    path("stock/movements/", views.movements, name="movements"),
]
