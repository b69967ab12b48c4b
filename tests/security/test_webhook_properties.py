"""Property-based tests of the Buy Me a Coffee payload handler: whatever a signed body holds, the
handler answers (InvalidEvent for a body that is no event envelope) and never crashes; an event it
stores is processed to the end (processed, ignored, pending or failed, never left `received`); and
an event whose processing fails leaves no half-applied change behind."""

import hashlib
import hmac
import json
from datetime import UTC, datetime

import pytest
from django.db import transaction
from django.test import Client, override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.factories import UserFactory
from billing import services
from billing.factories import PremiumSubscriptionFactory
from billing.models import EventStatus, Subscription, WebhookEvent
from tests.helpers.billing import confirmed
from tests.helpers.security import shared_handler

SECRET = "whsec_properties"
EMAILS = ["alice@example.com", "ALICE@example.com ", "pat@example.com", "nobody@example.com", ""]
# How many examples comes from the hypothesis profile (tests/conftest.py): quick in the everyday loop,
# thorough in scripts/test.
WITH_DB = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Text without NUL: PostgreSQL stores no NUL in text or jsonb (see the NUL test below).
text = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=20)
scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | text
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4), max_leaves=12
)
timestamps = (
    st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.datetimes(timezones=st.just(UTC)).map(lambda moment: moment.isoformat())
    | st.sampled_from(["", "soon", "2026-13-45T99:99:99Z", "1e308", "-1"])
    | json_values
)
event_types = st.sampled_from(sorted(services.HANDLERS) + ["extra_purchase.created", "", "donation.created "]) | text
data = st.fixed_dictionaries(
    {},
    optional={
        "id": st.integers() | text | json_values,
        "supporter_email": st.sampled_from(EMAILS) | text | json_values,
        "coffee_count": st.integers() | text | json_values,
        "support_coffees": st.integers() | text,
        "status": st.sampled_from(["active", "canceled", "cancelled", "paused", ""]) | json_values,
        "duration_type": st.sampled_from(["month", "year", ""]) | json_values,
        "current_period_start": timestamps,
        "current_period_end": timestamps,
        "canceled_at": timestamps,
        "cancel_at_period_end": json_values,
    },
)
envelopes = st.fixed_dictionaries(
    {},
    optional={
        "event_id": st.integers() | text | json_values,
        "type": event_types | json_values,
        "live_mode": json_values,
        "created": timestamps,
        "attempt": json_values,
        "data": data | json_values,
    },
)


@pytest.fixture
def learners(db):
    alice = confirmed(UserFactory(username="alice", email="alice@example.com"))
    pat = PremiumSubscriptionFactory(user__username="pat", user__email="pat@example.com").user
    return alice, pat


def subscriptions() -> list[tuple]:
    return list(Subscription.objects.order_by("user_id").values_list())


@given(envelope=envelopes)
@WITH_DB
@override_settings(BMAC_ACCEPT_TEST_EVENTS=True)
def test_no_envelope_crashes_the_handler_or_leaves_half_a_record(learners, envelope):
    with transaction.atomic():
        before_events, before_subscriptions = WebhookEvent.objects.count(), subscriptions()
        try:
            event, created = services.receive_event(envelope=envelope)
        except services.InvalidEvent:
            assert WebhookEvent.objects.count() == before_events
            assert subscriptions() == before_subscriptions
        else:
            assert created
            event.refresh_from_db()
            assert WebhookEvent.objects.count() == before_events + 1
            assert event.status in {EventStatus.PROCESSED, EventStatus.IGNORED, EventStatus.PENDING, EventStatus.FAILED}
            assert (event.processed_at is not None) == event.is_final
            if event.status != EventStatus.PROCESSED:
                assert subscriptions() == before_subscriptions  # nothing applied, not even half
            again, created_again = services.receive_event(envelope=envelope)
            assert again.pk == event.pk and not created_again  # a repeat changes nothing
        transaction.set_rollback(True)


def deliver(client, body: bytes):
    signature = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    return client.post("/billing/webhooks/bmac/", body, content_type="application/json",
                       headers={"x-signature-sha256": signature})


@given(body=envelopes.map(json.dumps) | json_values.map(json.dumps) | st.binary(max_size=64).map(lambda b: b.hex()))
@WITH_DB
@override_settings(BMAC_WEBHOOK_SECRETS=[SECRET], BMAC_ACCEPT_TEST_EVENTS=True, RATE_LIMITED_PATHS={})
def test_no_signed_body_makes_the_webhook_answer_5xx(learners, body):
    with transaction.atomic():
        client = Client()
        client.handler = shared_handler()
        response = deliver(client, body.encode())
        assert response.status_code in (200, 400), (response.status_code, body[:200])
        assert "error" in response.json() or "status" in response.json()
        transaction.set_rollback(True)


@override_settings(BMAC_WEBHOOK_SECRETS=[SECRET])
def test_a_nul_in_a_signed_payload_is_refused_cleanly(learners):
    body = json.dumps({"event_id": "evt_nul", "type": "donation.created", "data": {"supporter_name": "a\x00b"}})
    response = deliver(Client(raise_request_exception=False), body.encode())
    assert response.status_code == 400
    assert "NUL" in response.json()["error"]
    assert not WebhookEvent.objects.filter(external_event_id="evt_nul").exists()


def test_the_strategies_reach_every_outcome(learners):
    """The generated envelopes are not all refused at the door: processed events happen."""
    now = int(datetime.now(UTC).timestamp())
    event, _ = services.receive_event(envelope={
        "event_id": "evt_known", "type": "donation.created", "created": now, "live_mode": True,
        "data": {"id": 1, "supporter_email": "ALICE@example.com ", "coffee_count": "2"},
    })
    assert event.status == EventStatus.PROCESSED
