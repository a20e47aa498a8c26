"""Remove a user's authenticator (TOTP) devices, e.g. after a lost phone. The user logs in with
the password alone and sets up a new app (an Admin must, when OTP_REQUIRED_FOR_ADMIN is on)."""

from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.middleware import end_sessions_of
from accounts.models import User


class Command(BaseCommand):
    help = "Remove the two-step login (TOTP) devices of a user and end their sessions."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No user {username!r}.") from None
        removed, _detail = TOTPDevice.objects.filter(user=user).delete()
        ended = end_sessions_of(user)
        self.stdout.write(f"{username}: {removed} device(s) removed, {ended} session(s) ended.")
