from django.contrib.auth import views as auth_views
from django.shortcuts import redirect

from accounts.forms import LoginForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


def home(request):
    """Each role lands on its own page."""
    user = request.user
    if not user.is_authenticated:
        return redirect("accounts:login")
    if user.is_doctor:
        return redirect("records:queue")
    return redirect("scheduling:board")
