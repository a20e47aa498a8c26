from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/locked/", views.locked_login, name="login_locked"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("two-step/", views.otp_verify, name="otp_verify"),
    path("two-step/setup/", views.otp_setup, name="otp_setup"),
    path("two-step/disable/", views.otp_disable, name="otp_disable"),
]
