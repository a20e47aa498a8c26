from django.urls import path

from billing import views

app_name = "insurance"

# Mounted under patients/ (clinic/urls.py): a policy is added and edited from the patient's page.
urlpatterns = [
    path("<int:pk>/insurance/new/", views.insurance_add, name="add"),
    path("insurance/<int:pk>/edit/", views.insurance_edit, name="edit"),
]
