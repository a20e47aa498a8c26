"""Checks, before `make load`, that the load test's staff accounts can log in under the
production settings (docs/performance.md, "Load test").

    DJANGO_SETTINGS_MODULE=clinic.settings.production python -m bench.load_accounts

Every account in LOAD_RECEPTIONISTS must be an active receptionist and every one in LOAD_DOCTORS
an active doctor with a doctor's profile; otherwise the simulated users would only collect 403s.

seed_demo runs under clinic.settings.test, whose only password hasher is MD5 (so that tests log in
fast), and the bench_* accounts it creates carry an MD5 hash that production's hashers (Argon2,
PBKDF2) cannot read: their login would fail. Such a hash is replaced by production's own hash of
the same password, and only when LOAD_PASSWORD matches it: the upgrade Django itself makes at
login for an outdated hasher it still lists. No other account and no other field changes.
"""

import os
import sys

import django


def _usernames(variable: str) -> list[str]:
    return [name for name in os.environ.get(variable, "").split(",") if name]


def check_account(user, *, role: str, password: str) -> str | None:
    """None when `user` can log in as `role` with `password` under these settings, else why not.
    Upgrades a test-only MD5 hash that `password` matches (see the module docstring)."""
    from django.contrib.auth.hashers import MD5PasswordHasher, identify_hasher, make_password

    if user is None or not user.is_active:
        return "no such active account"
    if user.role != role:
        return f"has the role {user.role}, not {role}"
    if role == "doctor" and getattr(user, "doctor_profile", None) is None:
        return "is a doctor without a doctor's profile"
    try:
        identify_hasher(user.password)
    except ValueError:
        if not (user.password.startswith("md5$") and MD5PasswordHasher().verify(password, user.password)):
            return "has a password hash these settings cannot read, and LOAD_PASSWORD does not match it"
        user.password = make_password(password)
        user.save(update_fields=["password"])
        print(f"{user.username}: seed_demo's test-only MD5 password hash replaced by the production hasher's")
        return None
    if not user.check_password(password):
        return "LOAD_PASSWORD is not its password"
    return None


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings.production")
    django.setup()
    from accounts.models import User

    password = os.environ.get("LOAD_PASSWORD", "")
    wanted = {name: User.Role.RECEPTIONIST for name in _usernames("LOAD_RECEPTIONISTS")}
    wanted.update({name: User.Role.DOCTOR for name in _usernames("LOAD_DOCTORS")})
    users = {user.username: user for user in User.objects.filter(username__in=wanted).select_related("doctor_profile")}
    problems = [
        f"{name}: {problem}"
        for name, role in wanted.items()
        if (problem := check_account(users.get(name), role=role, password=password))
    ]
    for problem in problems:
        print(f"error: load test account {problem}", file=sys.stderr)
    return 1 if problems or not wanted else 0


if __name__ == "__main__":
    sys.exit(main())
