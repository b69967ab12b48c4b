"""No log line carries a password, a secret or a webhook signature. Every record logged during a
sign-up, logins (right and wrong), a password change, a password reset and signed (and forged)
webhooks is captured at DEBUG and searched, as formatted for the log store and with all its
attributes (extra fields, arguments, traceback)."""

import hashlib
import hmac
import json
import logging
import re

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from accounts.factories import UserFactory
from certquiz.middleware import JsonFormatter, RequestIdFilter

SIGNUP_PASSWORD = "Signup-Passphrase-7f3a9c"
WRONG_PASSWORD = "Wrong-Guess-Passphrase-1b2e"
OLD_PASSWORD = "Old-Passphrase-4d8e2a"
NEW_PASSWORD = "New-Passphrase-9c1f6b"
RESET_PASSWORD = "Reset-Passphrase-2a7d5e"
WEBHOOK_SECRET = "whsec_log_test_5e8b1d9a"
SECRET_KEY = "django-secret-key-for-the-log-test-" + "k" * 30


@pytest.fixture
def everything_logged(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


def log_text(records) -> str:
    formatter, request_id = JsonFormatter(), RequestIdFilter()
    lines = []
    for record in records:
        request_id.filter(record)
        lines.append(formatter.format(record))
        lines.append(repr({key: value for key, value in vars(record).items() if key != "request"}))
    return "\n".join(lines)


def assert_absent(secrets: list[str], records):
    text = log_text(records)
    assert records, "nothing was logged: the capture is not working"
    leaked = [secret for secret in secrets if secret in text]
    assert not leaked, f"found in the logs: {leaked}"


def sign(body: bytes) -> str:
    return hmac.new(WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()


def test_signup_login_and_password_change_log_no_password(db, everything_logged):
    client = Client()
    signup = client.post(
        reverse("account_signup"),
        {"email": "new@example.com", "username": "newbie", "password1": SIGNUP_PASSWORD, "password2": SIGNUP_PASSWORD},
    )
    assert signup.status_code == 302
    client.post(reverse("account_logout"))
    refused = client.post(reverse("account_login"), {"login": "newbie", "password": WRONG_PASSWORD})
    assert refused.status_code == 200
    assert client.post(reverse("account_login"), {"login": "newbie", "password": SIGNUP_PASSWORD}).status_code == 302
    changed = client.post(
        reverse("account_change_password"),
        {"oldpassword": SIGNUP_PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert changed.status_code == 302

    assert_absent([SIGNUP_PASSWORD, WRONG_PASSWORD, NEW_PASSWORD], everything_logged.records)


def test_a_password_reset_logs_neither_the_reset_key_nor_the_new_password(db, everything_logged):
    UserFactory(username="olga", email="olga@example.com", password=OLD_PASSWORD)
    client = Client()
    client.post(reverse("account_reset_password"), {"email": "olga@example.com"})
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", mail.outbox[0].body).group(1)
    key = link.rstrip("/").rsplit("/", 1)[1].split("-", 1)[1]
    form = client.get(link, follow=True)
    (form_url, _status), = form.redirect_chain
    assert client.post(form_url, {"password1": RESET_PASSWORD, "password2": RESET_PASSWORD}).status_code == 302

    assert_absent([OLD_PASSWORD, RESET_PASSWORD], everything_logged.records)
    assert_absent([key], everything_logged.records)


@override_settings(BMAC_WEBHOOK_SECRETS=[WEBHOOK_SECRET], SECRET_KEY=SECRET_KEY)
def test_webhooks_log_neither_the_secret_nor_the_signature(db, everything_logged):
    UserFactory(username="payer", email="payer@example.com")
    client = Client()
    signatures = []
    for envelope in [
        {"event_id": "evt_log_1", "type": "donation.created", "live_mode": True,
         "data": {"id": 1, "supporter_email": "payer@example.com", "coffee_count": 1}},
        {"event_id": "evt_log_2", "type": "membership.started", "live_mode": True,
         "data": {"id": 2, "supporter_email": "nobody@example.com", "current_period_end": "not a date"}},
        {"event_id": "evt_log_3", "type": "donation.created", "live_mode": True, "data": "not an object"},
    ]:
        body = json.dumps(envelope).encode()
        signatures.append(sign(body))
        response = client.post(reverse("bmac_webhook"), body, content_type="application/json",
                               headers={"x-signature-sha256": signatures[-1]})
        assert response.status_code in (200, 400)
    forged = "f" * 64
    assert client.post(reverse("bmac_webhook"), b"{}", content_type="application/json",
                       headers={"x-signature-sha256": forged}).status_code == 401

    assert_absent([WEBHOOK_SECRET, SECRET_KEY, forged, *signatures], everything_logged.records)


def test_the_detector_finds_what_it_looks_for(db, everything_logged):
    logging.getLogger("certquiz").info("payload %s", {"signature": "abc123def"})
    with pytest.raises(AssertionError, match="abc123def"):
        assert_absent(["abc123def"], everything_logged.records)
