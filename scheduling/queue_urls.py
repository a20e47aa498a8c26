from django.urls import path

from scheduling import queue_views

app_name = "queue"

# The waiting room's screens: public, each opened by its own token (scheduling.QueueDisplay).
urlpatterns = [
    path("display/<str:token>/", queue_views.display, name="display"),
    path("display/<str:token>/numbers/", queue_views.display_poll, name="display_poll"),
]
