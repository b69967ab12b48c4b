"""Helpers of the billing tests (plain functions and constants; the fixtures are in tests/billing/conftest.py)."""

import hashlib
import hmac
import itertools
import json
from datetime import datetime, timedelta

from django.utils import timezone

from accounts.models import User


URL = "/billing/webhooks/bmac/"
SECRET = "whsec_test_current"
OLD_SECRET = "whsec_test_previous"
DAYS_PER_COFFEE = 5
GRACE_DAYS = 3

_event_ids = itertools.count(1)


def confirmed(user, email: str | None = None):
    """The user with `email` (their login email by default) confirmed, as allauth records it after
    the link in its confirmation email is followed: payments made with it are theirs."""
    from allauth.account.models import EmailAddress

    email = (email or user.email).lower()
    is_login_email = email == user.email.lower()
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": is_login_email}
    )
    return user


def sign(body: bytes, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def deliver(client, envelope=None, *, body: bytes | None = None, secret: str | None = SECRET, signature=None):
    """POST the event as Buy Me a Coffee does: the raw JSON body signed in x-signature-sha256."""
    if body is None:
        body = json.dumps(envelope).encode()
    headers = {}
    if signature is not None:
        headers["x-signature-sha256"] = signature
    elif secret is not None:
        headers["x-signature-sha256"] = sign(body, secret)
    return client.post(URL, data=body, content_type="application/json", headers=headers)


def ts(moment: datetime) -> int:
    return int(moment.timestamp())


def event(event_type: str, data: dict, *, created: datetime | None = None, live_mode=True, event_id=None) -> dict:
    return {
        "event_id": event_id or f"evt_{next(_event_ids):06d}",
        "type": event_type,
        "live_mode": live_mode,
        "created": ts(created or timezone.now()),
        "attempt": 1,
        "data": data,
    }


def membership(
    event_type: str,
    email: str,
    *,
    created: datetime | None = None,
    period_end: datetime | None = None,
    status: str = "active",
    canceled_at: datetime | None = None,
    cancel_at_period_end=False,
    **kwargs,
) -> dict:
    """A membership.* (or recurring_donation.*) event; the period is 30 days from `created` unless given."""
    created = created or timezone.now()
    period_end = period_end or created + timedelta(days=30)
    data = {
        "id": 4242,
        "supporter_email": email,
        "supporter_name": "A Supporter",
        "membership_level_name": "Premium",
        "duration_type": "month",
        "status": status,
        "current_period_start": ts(created),
        "current_period_end": ts(period_end),
        "canceled_at": ts(canceled_at) if canceled_at else None,
        "cancel_at_period_end": cancel_at_period_end,
    }
    return event(event_type, data, created=created, **kwargs)


def donation(email: str, *, donation_id=777, refunded=False, created=None, **data) -> dict:
    payload = {"id": donation_id, "supporter_email": email, "supporter_name": "A Supporter", **data}
    return event("donation.refunded" if refunded else "donation.created", payload, created=created)


def reload(user) -> User:
    """A fresh instance, as the next request would load it (has_premium caches the subscription)."""
    return User.objects.select_related("subscription").get(pk=user.pk)


def assert_about(actual: datetime, expected: datetime, seconds: int = 5):
    assert abs((actual - expected).total_seconds()) <= seconds, (actual, expected)
