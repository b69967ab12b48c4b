"""donation.created: BMAC_PREMIUM_DAYS_PER_COFFEE days per coffee; donation.refunded takes them back."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from billing.models import WebhookEvent
from tests.helpers.billing import DAYS_PER_COFFEE, assert_about, deliver, donation, membership, reload


def test_one_coffee_without_a_count_gives_the_days_of_one_coffee(client, learner):
    assert deliver(client, donation(learner.email)).status_code == 200

    learner = reload(learner)
    subscription = learner.subscription
    assert (subscription.plan, subscription.status, subscription.auto_renew) == ("premium", "active", False)
    assert_about(subscription.end_date, timezone.now() + timedelta(days=DAYS_PER_COFFEE))
    assert learner.has_premium and learner.role == Role.PREMIUM


@pytest.mark.parametrize("field,value", [("coffee_count", 3), ("support_coffees", 3), ("coffee_count", "3")])
def test_several_coffees_give_the_days_of_each(client, learner, field, value):
    deliver(client, donation(learner.email, **{field: value}))
    assert_about(reload(learner).subscription.end_date, timezone.now() + timedelta(days=3 * DAYS_PER_COFFEE))


def test_a_coffee_adds_its_days_after_the_paid_period(client, learner):
    end = timezone.now() + timedelta(days=10)
    deliver(client, membership("membership.started", learner.email, period_end=end))
    deliver(client, donation(learner.email, coffee_count=2))

    subscription = reload(learner).subscription
    assert_about(subscription.end_date, end + timedelta(days=2 * DAYS_PER_COFFEE))
    assert subscription.status == "active" and subscription.auto_renew  # the membership still renews


def test_a_refund_takes_the_days_back(client, learner):
    deliver(client, donation(learner.email, donation_id=55, coffee_count=2))
    deliver(client, donation(learner.email, donation_id=55, coffee_count=2, refunded=True))

    learner = reload(learner)
    assert learner.subscription.status == "expired"
    assert not learner.has_premium and learner.role == Role.USER


def test_a_refund_takes_back_only_that_donation(client, learner):
    deliver(client, donation(learner.email, donation_id=1))
    deliver(client, donation(learner.email, donation_id=2))
    deliver(client, donation(learner.email, donation_id=1, refunded=True))

    learner = reload(learner)
    assert_about(learner.subscription.end_date, timezone.now() + timedelta(days=DAYS_PER_COFFEE))
    assert learner.has_premium


def test_a_refund_that_arrives_before_its_donation_means_the_donation_grants_nothing(client, learner):
    deliver(client, donation(learner.email, donation_id=9, refunded=True))
    deliver(client, donation(learner.email, donation_id=9))

    assert not reload(learner).has_premium
    statuses = dict(WebhookEvent.objects.values_list("event_type", "status"))
    assert statuses == {"donation.refunded": "processed", "donation.created": "ignored"}


def test_a_second_refund_of_the_same_donation_takes_nothing_more(client, learner):
    deliver(client, membership("membership.started", learner.email))
    end = reload(learner).subscription.end_date
    deliver(client, donation(learner.email, donation_id=3))
    deliver(client, donation(learner.email, donation_id=3, refunded=True))
    deliver(client, donation(learner.email, donation_id=3, refunded=True))

    assert reload(learner).subscription.end_date == end


def test_a_donation_to_an_expired_subscription_starts_from_now(client, learner):
    now = timezone.now()
    deliver(client, membership("membership.started", learner.email, created=now - timedelta(days=90), period_end=now - timedelta(days=60)))
    deliver(client, donation(learner.email))

    learner = reload(learner)
    assert_about(learner.subscription.end_date, now + timedelta(days=DAYS_PER_COFFEE))
    assert learner.has_premium


def test_coffee_days_not_used_yet_move_after_a_membership_that_starts_later(client, learner):
    deliver(client, donation(learner.email, coffee_count=2))
    end = timezone.now() + timedelta(days=30)
    deliver(client, membership("membership.started", learner.email, period_end=end))

    subscription = reload(learner).subscription
    assert_about(subscription.end_date, end + timedelta(days=2 * DAYS_PER_COFFEE))
    assert_about(subscription.membership_until, end)


def test_a_renewal_keeps_the_coffee_days_on_top(client, learner):
    now = timezone.now()
    deliver(client, membership("membership.started", learner.email, created=now - timedelta(days=20), period_end=now + timedelta(days=10)))
    deliver(client, donation(learner.email))
    renewal_end = now + timedelta(days=40)
    deliver(client, membership("membership.updated", learner.email, created=now, period_end=renewal_end))

    assert_about(reload(learner).subscription.end_date, renewal_end + timedelta(days=DAYS_PER_COFFEE))
