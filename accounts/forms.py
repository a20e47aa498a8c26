from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"class": "form-control", "autofocus": True})
        self.fields["password"].widget.attrs.update({"class": "form-control"})


class TokenForm(forms.Form):
    """The six-digit code of an authenticator app (TOTP)."""

    # Rendered by hand in templates/accounts/otp_*.html (one-time-code autocomplete, numeric).
    token = forms.CharField(label=_("Code from your authenticator app"), min_length=6, max_length=8)

    def clean_token(self):
        token = "".join(self.cleaned_data["token"].split())
        if not token.isdigit():
            raise forms.ValidationError(_("Enter the digits shown in your authenticator app."))
        return token


class LockedLoginForm(TokenForm):
    """A locked username's way in: its password and the code of its authenticator app."""

    username = forms.CharField(max_length=150)
    password = forms.CharField(strip=False, max_length=4096)
