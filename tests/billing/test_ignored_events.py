"""Events that change nothing are still stored: unknown types, extras, and test-mode events."""

import pytest
from django.test import override_settings

from billing.models import Subscription, WebhookEvent
from tests.helpers.billing import deliver, donation, event, membership, reload


@pytest.mark.parametrize("event_type", ["extra_purchase.created", "extra_purchase.refunded", "shop.order.created", "ping"])
def test_an_event_type_that_grants_nothing_is_stored_and_marked_ignored(client, learner, event_type):
    response = deliver(client, event(event_type, {"supporter_email": learner.email, "id": 1}))
    assert response.status_code == 200

    stored = WebhookEvent.objects.get()
    assert (stored.event_type, stored.status) == (event_type, "ignored")
    assert stored.processed_at is not None
    assert not Subscription.objects.exists()
    assert not reload(learner).has_premium


@pytest.mark.parametrize("live_mode", [False, "false"])
def test_a_test_mode_event_is_stored_but_grants_nothing_in_production(client, learner, live_mode):
    envelope = membership("membership.started", learner.email, live_mode=live_mode)
    assert deliver(client, envelope).status_code == 200

    stored = WebhookEvent.objects.get()
    assert stored.status == "ignored" and "Test-mode" in stored.error
    assert not reload(learner).has_premium


@override_settings(BMAC_ACCEPT_TEST_EVENTS=True)
def test_test_mode_events_grant_premium_where_they_are_accepted(client, learner):
    deliver(client, donation(learner.email) | {"live_mode": "false"})
    assert reload(learner).has_premium


@pytest.mark.parametrize("live_mode", [True, "true"])
def test_a_live_event_grants_premium(client, learner, live_mode):
    deliver(client, membership("membership.started", learner.email, live_mode=live_mode))
    assert reload(learner).has_premium


def test_a_refund_that_names_no_donation_leaves_no_subscription_behind(client, learner):
    """Looking the learner up creates their free subscription row; an event that applies nothing
    must not keep it (found by the hypothesis test of every envelope)."""
    deliver(client, event("donation.refunded", {"supporter_email": learner.email}))

    stored = WebhookEvent.objects.get()
    assert stored.status == "ignored" and "no donation id" in stored.error
    assert not Subscription.objects.exists()
