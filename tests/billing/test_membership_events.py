"""membership.* and recurring_donation.*: premium while the paid period runs, cancellation keeps it to its end."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from billing.models import WebhookEvent
from tests.helpers.billing import assert_about, deliver, membership, reload

FAMILIES = ["membership", "recurring_donation"]


@pytest.mark.parametrize("family", FAMILIES)
def test_a_started_membership_makes_the_learner_premium_until_the_period_ends(client, learner, family):
    end = timezone.now() + timedelta(days=30)
    assert deliver(client, membership(f"{family}.started", learner.email, period_end=end)).status_code == 200

    learner = reload(learner)
    subscription = learner.subscription
    assert (subscription.plan, subscription.status, subscription.auto_renew) == ("premium", "active", True)
    assert_about(subscription.end_date, end)
    assert subscription.buy_me_a_coffee_email == "alice@example.com"
    assert learner.role == Role.PREMIUM and learner.has_premium


@pytest.mark.parametrize("family", FAMILIES)
def test_an_update_with_a_new_period_moves_paid_until_forward(client, learner, family):
    now = timezone.now()
    deliver(client, membership(f"{family}.started", learner.email, created=now - timedelta(days=29)))
    renewal_end = now + timedelta(days=31)
    deliver(client, membership(f"{family}.updated", learner.email, created=now, period_end=renewal_end))

    subscription = reload(learner).subscription
    assert subscription.status == "active"
    assert_about(subscription.end_date, renewal_end)


@pytest.mark.parametrize("event_type", ["membership.cancelled", "membership.paused", "recurring_donation.cancelled"])
def test_a_cancellation_keeps_premium_until_the_paid_period_ends(client, learner, event_type):
    now = timezone.now()
    end = now + timedelta(days=20)
    deliver(client, membership("membership.started", learner.email, created=now - timedelta(days=10), period_end=end))
    status = "paused" if event_type.endswith("paused") else "canceled"
    deliver(client, membership(event_type, learner.email, created=now, period_end=end, status=status, canceled_at=now))

    learner = reload(learner)
    subscription = learner.subscription
    assert (subscription.status, subscription.auto_renew) == ("cancelled", False)
    assert_about(subscription.end_date, end)
    assert learner.has_premium and learner.role == Role.PREMIUM
    # No grace after a cancellation: premium ends with the paid period.
    assert not subscription.grants_premium(end + timedelta(seconds=1))


@pytest.mark.parametrize("flag", [True, "true"])
def test_an_update_that_cancels_at_period_end_is_a_cancellation(client, learner, flag):
    now = timezone.now()
    deliver(client, membership("membership.started", learner.email, created=now - timedelta(days=5)))
    deliver(
        client,
        membership("membership.updated", learner.email, created=now, canceled_at=now, cancel_at_period_end=flag),
    )
    assert reload(learner).subscription.status == "cancelled"


@pytest.mark.parametrize("flag", [False, "false"])
def test_an_update_that_does_not_cancel_at_period_end_stays_active(client, learner, flag):
    deliver(client, membership("membership.started", learner.email))
    deliver(client, membership("membership.updated", learner.email, cancel_at_period_end=flag))
    assert reload(learner).subscription.status == "active"


def test_a_membership_that_ended_stops_premium_and_the_role_follows(client, learner):
    now = timezone.now()
    deliver(client, membership("membership.started", learner.email, created=now - timedelta(days=40), period_end=now - timedelta(days=10)))

    learner = reload(learner)
    assert learner.subscription.status == "expired"
    assert not learner.has_premium and learner.role == Role.USER


def test_a_period_end_given_as_an_iso_string_or_numeric_string_is_understood(client, learner, other_learner):
    end = (timezone.now() + timedelta(days=15)).replace(microsecond=0)
    first = membership("membership.started", learner.email)
    first["data"]["current_period_end"] = end.isoformat()
    second = membership("membership.started", other_learner.email)
    second["data"]["current_period_end"] = str(int(end.timestamp()))
    deliver(client, first)
    deliver(client, second)
    assert reload(learner).subscription.end_date == end
    assert reload(other_learner).subscription.end_date == end


def test_a_start_without_a_period_end_lasts_one_duration(client, learner):
    envelope = membership("membership.started", learner.email)
    del envelope["data"]["current_period_end"]
    envelope["data"]["duration_type"] = "year"
    deliver(client, envelope)
    assert_about(reload(learner).subscription.end_date, timezone.now() + timedelta(days=366))


def test_the_admin_role_is_never_changed(client, admin_user):
    deliver(client, membership("membership.started", admin_user.email))
    deliver(client, membership("membership.cancelled", admin_user.email, status="canceled", period_end=timezone.now()))
    assert reload(admin_user).role == Role.ADMIN


def test_an_event_without_a_supporter_email_fails_and_is_kept(client, db):
    envelope = membership("membership.started", "")
    assert deliver(client, envelope).status_code == 200
    stored = WebhookEvent.objects.get()
    assert stored.status == "failed" and "supporter_email" in stored.error and stored.processed_at is None
