from django.urls import path

from billing import views

app_name = "billing"

urlpatterns = [
    path("", views.unpaid_list, name="unpaid"),
    path("<int:pk>/", views.bill_detail, name="detail"),
    path("<int:pk>/pay/", views.bill_pay, name="pay"),
    path("<int:pk>/receipt/", views.receipt, name="receipt"),
    path("<int:pk>/receipt.pdf", views.receipt_pdf, name="receipt_pdf"),
    path("<int:pk>/void/", views.bill_void, name="void"),
]
