"""Failed logins lock an account only for the address they came from (issue 19, point 7): an
attacker who knows a username cannot lock its owner out, and the lockout says when to try again."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.factories import UserFactory

PASSWORD = "the-right-passphrase"
ATTACKER, OWNER = "203.0.113.7", "198.51.100.9"


@pytest.fixture
def victim(db):
    return UserFactory(username="victim", email="victim@example.com", password=PASSWORD)


def log_in(client, login, password):
    return client.post(reverse("account_login"), {"login": login, "password": password})


def test_failing_an_account_from_one_address_does_not_lock_its_owner_out_elsewhere(victim):
    attacker = Client(REMOTE_ADDR=ATTACKER)
    for n in range(8):
        log_in(attacker, "victim", f"guess-{n}")
    log_in(attacker, "victim@example.com", "guess-by-email")

    owner = Client(REMOTE_ADDR=OWNER)
    response = log_in(owner, "victim", PASSWORD)

    assert response.status_code == 302
    assert owner.session["_auth_user_id"] == str(victim.pk)


def test_the_address_that_failed_is_locked_out_and_told_when_to_try_again(victim):
    attacker = Client(REMOTE_ADDR=ATTACKER)
    for n in range(5):
        assert "Too many" not in log_in(attacker, "victim", f"guess-{n}").content.decode()

    refused = log_in(attacker, "victim", PASSWORD).content.decode()

    assert "_auth_user_id" not in attacker.session
    match = re.search(r"Too many failed login attempts from your address\. Try again in (\d+) minutes?\.", refused)
    assert match and 4 <= int(match.group(1)) <= 5  # the five failures leave the 5-minute window


def test_one_address_failing_many_accounts_is_still_limited_per_address(db):
    UserFactory(username="someone", password=PASSWORD)
    attacker = Client(REMOTE_ADDR=ATTACKER)
    for n in range(10):  # ten accounts, one guess each
        assert "Too many" not in log_in(attacker, f"user{n}", "guess").content.decode()

    refused = log_in(attacker, "someone", PASSWORD).content.decode()

    assert re.search(r"Too many failed login attempts from your address\. Try again in 1 minute\.", refused)
    assert log_in(Client(REMOTE_ADDR=OWNER), "someone", PASSWORD).status_code == 302
