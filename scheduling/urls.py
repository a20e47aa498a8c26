from django.urls import path

from scheduling import queue_views, views

app_name = "scheduling"

urlpatterns = [
    path("", views.board, name="board"),
    path("book/", views.book, name="book"),
    path("book/options/", views.booking_options, name="booking_options"),
    path("walk-in/", views.walk_in, name="walk_in"),
    path("day/", views.day, name="day"),
    path("patient-lookup/", views.patient_lookup, name="patient_lookup"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/ticket/", queue_views.ticket, name="ticket"),
    path("<int:pk>/check-in/", views.check_in, name="check_in"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/no-show/", views.no_show, name="no_show"),
    path("<int:pk>/reschedule/", views.reschedule, name="reschedule"),
]
