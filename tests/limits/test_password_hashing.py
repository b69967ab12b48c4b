"""Passwords are hashed with Argon2; hashes made before (PBKDF2) still verify and are rehashed to
Argon2 when their owner next logs in."""

import importlib

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.urls import reverse

from accounts.factories import UserFactory
from accounts.models import User

PASSWORD = "an-old-passphrase-9"


@pytest.fixture
def production_hashers(settings):
    """The configured hashers, not the suite's fast one (tests/conftest.py)."""
    settings.PASSWORD_HASHERS = importlib.import_module("certquiz.settings").PASSWORD_HASHERS
    return settings.PASSWORD_HASHERS


def test_argon2_comes_first_and_pbkdf2_is_kept_after_it(production_hashers):
    assert production_hashers[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in production_hashers[1:]


def test_a_pbkdf2_hash_is_upgraded_to_argon2_at_the_next_login(db, production_hashers):
    user = UserFactory(username="veteran")
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])

    client = Client()
    response = client.post(reverse("account_login"), {"login": "veteran", "password": PASSWORD})

    assert response.status_code == 302 and client.session["_auth_user_id"] == str(user.pk)
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password(PASSWORD)


def test_a_new_account_gets_an_argon2_hash(db, production_hashers):
    response = Client().post(reverse("account_signup"), {
        "email": "new@example.com", "username": "newcomer", "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    assert User.objects.get(username="newcomer").password.startswith("argon2$")
