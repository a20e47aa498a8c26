"""bench/load_accounts.py: the check `make load` runs on its staff accounts before the load."""

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher

from accounts.models import User
from accounts.tests.factories import UserFactory
from bench.load_accounts import check_account

# Production's hashers cannot read seed_demo's MD5 hashes; PBKDF2 stands in for them here
# (Argon2's 100 MB per hash is more than a unit test needs).
PRODUCTION_LIKE = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]


@pytest.fixture
def seeded_receptionist(db):
    """A receptionist as seed_demo leaves it: an MD5 hash, made under the test settings."""
    user = UserFactory(username="bench_receptionist_t", role=User.Role.RECEPTIONIST)
    user.password = MD5PasswordHasher().encode("bench-demo-2026", "seedsalt")
    user.save(update_fields=["password"])
    return user


def test_it_replaces_a_seeded_md5_hash_when_the_password_matches(seeded_receptionist, settings):
    settings.PASSWORD_HASHERS = PRODUCTION_LIKE

    assert check_account(seeded_receptionist, role=User.Role.RECEPTIONIST, password="bench-demo-2026") is None

    seeded_receptionist.refresh_from_db()
    assert seeded_receptionist.password.startswith("pbkdf2_sha256$")
    assert seeded_receptionist.check_password("bench-demo-2026")


def test_it_leaves_the_hash_alone_when_the_password_does_not_match(seeded_receptionist, settings):
    settings.PASSWORD_HASHERS = PRODUCTION_LIKE
    before = seeded_receptionist.password

    problem = check_account(seeded_receptionist, role=User.Role.RECEPTIONIST, password="a guess")

    assert "cannot read" in problem
    seeded_receptionist.refresh_from_db()
    assert seeded_receptionist.password == before


def test_it_refuses_a_wrong_password_for_a_readable_hash(receptionist):
    receptionist.set_password("the real one")
    receptionist.save(update_fields=["password"])

    assert check_account(receptionist, role=User.Role.RECEPTIONIST, password="the real one") is None
    assert check_account(receptionist, role=User.Role.RECEPTIONIST, password="another") == (
        "LOAD_PASSWORD is not its password"
    )


def test_it_refuses_an_account_of_another_role(receptionist):
    assert "has the role receptionist, not doctor" == check_account(receptionist, role=User.Role.DOCTOR, password="x")


def test_it_refuses_a_doctor_without_a_doctors_profile(db):
    user = UserFactory(username="dokter_tanpa_profil", role=User.Role.DOCTOR)

    assert "without a doctor's profile" in check_account(user, role=User.Role.DOCTOR, password="x")


def test_it_refuses_a_missing_or_inactive_account(inactive_user):
    assert check_account(None, role=User.Role.RECEPTIONIST, password="x") == "no such active account"
    assert check_account(inactive_user, role=User.Role.RECEPTIONIST, password="x") == "no such active account"
