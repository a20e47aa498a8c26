from django.urls import path

from satusehat import views

app_name = "satusehat"

urlpatterns = [
    path("", views.submissions, name="submissions"),
    path("<int:pk>/retry/", views.retry, name="retry"),
]
