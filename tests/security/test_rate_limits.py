"""Login and sign-up are rate-limited by django-allauth (ACCOUNT_RATE_LIMITS), the webhook by
certquiz.ratelimit (WEBHOOK_RATE_LIMIT); all count in the cache, which Redis shares between hosts
(tests/reliability/test_two_app_hosts.py)."""

import logging

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse

from accounts.factories import UserFactory
from certquiz import ratelimit

WEBHOOK = "/billing/webhooks/bmac/"


@pytest.fixture
def frozen_clock(monkeypatch):
    """The webhook limit counts in fixed windows: keep the test inside one."""
    monkeypatch.setattr(ratelimit.time, "time", lambda: 1_800_000_000.0)


def test_the_configured_limits_are_the_documented_ones():
    assert settings.ACCOUNT_RATE_LIMITS["login"] == "30/m/ip"
    assert settings.ACCOUNT_RATE_LIMITS["login_failed"] == "10/m/ip,5/5m/key"
    assert settings.ACCOUNT_RATE_LIMITS["signup"] == "20/m/ip"
    assert settings.RATE_LIMITED_PATHS == {"/billing/webhooks/": settings.WEBHOOK_RATE_LIMIT}


def test_the_31st_login_attempt_in_a_minute_from_one_address_gets_429(db):
    client = Client()
    answers = [client.post(reverse("account_login"), {"login": f"user{n}", "password": "x"}).status_code for n in range(31)]
    assert answers[:30] == [200] * 30
    assert answers[30] == 429
    assert client.get(reverse("account_login")).status_code == 200  # reading the page is not limited


def test_after_five_failed_logins_an_account_refuses_its_right_password_from_that_address_only(db):
    UserFactory(username="victim", password="the-right-passphrase")
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    for n in range(5):
        response = attacker.post(reverse("account_login"), {"login": "victim", "password": f"guess-{n}"})
        assert "Too many failed login attempts" not in response.content.decode()

    refused = attacker.post(reverse("account_login"), {"login": "victim", "password": "the-right-passphrase"})
    assert refused.status_code == 200 and "Too many failed login attempts" in refused.content.decode()
    assert "_auth_user_id" not in attacker.session
    # The owner, from another address, is not locked out by the attacker's failures.
    owner = Client(REMOTE_ADDR="198.51.100.9")
    assert owner.post(reverse("account_login"), {"login": "victim", "password": "the-right-passphrase"}).status_code == 302
    assert "_auth_user_id" in owner.session


def test_the_21st_signup_in_a_minute_from_one_address_gets_429(db):
    client = Client()
    answers = [client.post(reverse("account_signup"), {"email": f"x{n}", "username": ""}).status_code for n in range(21)]
    assert answers[:20] == [200] * 20
    assert answers[20] == 429


def test_the_webhook_refuses_a_flood_with_429_and_retry_after(db, settings, frozen_clock, caplog):
    settings.RATE_LIMITED_PATHS = {"/billing/webhooks/": "3/m"}
    client = Client()
    answers = [client.post(WEBHOOK, b"{}", content_type="application/json") for _ in range(4)]

    assert [response.status_code for response in answers] == [401, 401, 401, 429]
    assert answers[3].json() == {"error": "Too many requests. Please retry later."}
    assert 1 <= int(answers[3]["Retry-After"]) <= 60
    assert "Rate limit reached on /billing/webhooks/" in caplog.text
    # Other addresses and other pages are not affected.
    assert Client(REMOTE_ADDR="192.0.2.50").post(WEBHOOK, b"{}", content_type="application/json").status_code == 401
    assert client.get("/healthz").status_code == 200


def test_behind_a_trusted_proxy_the_webhook_limit_counts_the_forwarded_client(db, settings, frozen_clock):
    settings.RATE_LIMITED_PATHS = {"/billing/webhooks/": "2/m"}
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    proxy = Client(REMOTE_ADDR="10.0.0.2")

    def post(client_ip):
        return proxy.post(WEBHOOK, b"{}", content_type="application/json",
                          headers={"X-Forwarded-For": client_ip}).status_code

    assert [post("192.0.2.1"), post("192.0.2.1"), post("192.0.2.1")] == [401, 401, 429]
    assert post("192.0.2.2") == 401  # another client through the same proxy


def test_a_new_window_starts_afresh(db, settings, monkeypatch):
    settings.RATE_LIMITED_PATHS = {"/billing/webhooks/": "1/m"}
    now = [1_800_000_000.0]
    monkeypatch.setattr(ratelimit.time, "time", lambda: now[0])
    client = Client()
    assert client.post(WEBHOOK, b"{}", content_type="application/json").status_code == 401
    assert client.post(WEBHOOK, b"{}", content_type="application/json").status_code == 429
    now[0] += 60
    assert client.post(WEBHOOK, b"{}", content_type="application/json").status_code == 401


def test_with_the_cache_down_the_webhook_is_served_rather_than_refused(db, monkeypatch, caplog):
    def down(*args, **kwargs):
        raise ConnectionError("cache unreachable")

    monkeypatch.setattr(ratelimit.counters(), "add", down)
    with caplog.at_level(logging.WARNING, logger="certquiz.ratelimit"):
        assert Client().post(WEBHOOK, b"{}", content_type="application/json").status_code == 401
    assert "Rate limit not checked (cache unavailable): ConnectionError" in caplog.text


@pytest.mark.parametrize("text,limit,seconds", [("120/m", 120, 60), ("5/s", 5, 1), ("1000/h", 1000, 3600), ("10/30s", 10, 30)])
def test_rates_read_as_documented(text, limit, seconds):
    assert ratelimit.Rate.parse(text) == ratelimit.Rate(limit=limit, seconds=seconds)


@pytest.mark.parametrize("text", ["", "120", "120/min", "-1/m", "1.5/m", "ten/m"])
def test_a_bad_rate_is_refused_at_start(text):
    with pytest.raises(ImproperlyConfigured):
        ratelimit.Rate.parse(text)
