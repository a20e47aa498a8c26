from django.urls import path

from patients import views

app_name = "patients"

urlpatterns = [
    path("", views.search, name="search"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/insurance/new/", views.insurance_add, name="insurance_add"),
    path("insurance/<int:pk>/edit/", views.insurance_edit, name="insurance_edit"),
]
