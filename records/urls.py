from django.urls import path

from records import views

app_name = "records"

urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("queue/call-next/", views.call_next, name="call_next"),
    path("icd10/", views.icd10, name="icd10"),
    path("visits/<int:pk>/", views.visit, name="visit"),
    path("visits/<int:pk>/call-again/", views.call_again, name="call_again"),
    path("visits/<int:pk>/start/", views.start, name="start"),
    path("visits/<int:pk>/record/", views.record, name="record"),
    path("visits/<int:pk>/lab-results/new/", views.lab_add, name="lab_add"),
    path("visits/<int:pk>/lab-results/<int:lab_pk>/edit/", views.lab_edit, name="lab_edit"),
    path("visits/<int:pk>/complete/", views.complete, name="complete"),
]
