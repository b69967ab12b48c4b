"""Buy Me a Coffee webhooks, delivered as real signed HTTP requests through Django's test client."""

import pytest
from django.test import override_settings

from accounts.factories import UserFactory
from tests.helpers.billing import SECRET, DAYS_PER_COFFEE, GRACE_DAYS, confirmed


@pytest.fixture(autouse=True)
def bmac_settings():
    """One known secret, live events only (the production default), fixed premium days and grace."""
    with override_settings(
        BMAC_WEBHOOK_SECRETS=[SECRET],
        BMAC_ACCEPT_TEST_EVENTS=False,
        BMAC_PREMIUM_DAYS_PER_COFFEE=DAYS_PER_COFFEE,
        BMAC_GRACE_DAYS=GRACE_DAYS,
        BMAC_CREATOR_URL="https://buymeacoffee.com/certquiz-test",
        FREE_DAILY_QUESTION_LIMIT=40,
    ):
        yield


@pytest.fixture
def learner(db):
    """Alice, whose login email is confirmed (the billing tests' usual payer)."""
    return confirmed(UserFactory(username="alice", email="alice@example.com"))


@pytest.fixture
def other_learner(db):
    return confirmed(UserFactory(username="mallory", email="mallory@example.com"))
