"""A payment is Buy Me a Coffee's object type + data.id: credited at most once whatever the events
that carry it (a resend gets a new event_id), refunded by exactly what it added; its coffee count
is bounded and premium never reaches past the horizon."""

from datetime import timedelta

import pytest
from django.utils import timezone

from billing.models import MAX_COFFEES, PREMIUM_HORIZON, Payment, WebhookEvent
from tests.helpers.billing import DAYS_PER_COFFEE, assert_about, deliver, donation, event, membership, reload


def test_the_same_donation_resent_with_a_new_event_id_is_credited_once(client, learner):
    deliver(client, donation(learner.email, donation_id=777, coffee_count=2))
    end = reload(learner).subscription.end_date

    again = deliver(client, donation(learner.email, donation_id=777, coffee_count=2))

    assert again.status_code == 200 and again.json() == {"status": "ignored", "duplicate": False}
    assert reload(learner).subscription.end_date == end
    second = WebhookEvent.objects.order_by("created_at").last()
    assert "already applied" in second.error
    assert Payment.objects.get().key == "donation:777"


@pytest.mark.parametrize("first,second", [(777, "777"), ("777", 777), (" 777 ", 777), ("0777", 777)])
def test_an_id_given_as_a_string_or_a_number_is_the_same_payment(client, learner, first, second):
    deliver(client, donation(learner.email, donation_id=first))
    deliver(client, donation(learner.email, donation_id=second))
    assert_about(reload(learner).subscription.end_date, timezone.now() + timedelta(days=DAYS_PER_COFFEE))
    assert Payment.objects.count() == 1


def test_a_refund_of_a_donation_sent_twice_takes_back_exactly_its_days(client, learner):
    deliver(client, membership("membership.started", learner.email))
    before = reload(learner).subscription.end_date
    deliver(client, donation(learner.email, donation_id=31, coffee_count=3))
    deliver(client, donation(learner.email, donation_id="31", coffee_count=3))

    deliver(client, donation(learner.email, donation_id=31, refunded=True))

    assert reload(learner).subscription.end_date == before
    payment = Payment.objects.get(key="donation:31")
    assert payment.is_refunded and payment.premium_added == timedelta(days=3 * DAYS_PER_COFFEE)


def test_a_refund_goes_to_the_learner_the_payment_was_credited_to(client, learner, other_learner):
    deliver(client, donation(learner.email, donation_id=40))
    deliver(client, donation(other_learner.email, donation_id=41))

    # The refund names another email (or none): the credited learner loses the days, nobody else.
    deliver(client, event("donation.refunded", {"id": 40, "supporter_email": other_learner.email}))

    assert not reload(learner).has_premium
    assert reload(other_learner).has_premium


def test_a_refund_for_an_email_nobody_has_is_recorded_at_once_and_blocks_the_credit(client, learner):
    response = deliver(client, donation("nobody@example.com", donation_id=50, refunded=True))
    assert response.json()["status"] == "processed"
    deliver(client, donation(learner.email, donation_id=50))
    assert not reload(learner).has_premium


@pytest.mark.parametrize("field", ["coffee_count", "support_coffees"])
@pytest.mark.parametrize("count", [0, -1, MAX_COFFEES + 1, 10**12, "many", 2.5, True, [3]])
def test_a_coffee_count_out_of_bounds_is_stored_as_failed_with_the_reason(client, learner, field, count):
    response = deliver(client, donation(learner.email, **{field: count}))
    assert response.status_code == 200 and response.json()["status"] == "failed"
    stored = WebhookEvent.objects.get()
    assert f"not a whole number from 1 to {MAX_COFFEES}" in stored.error
    assert not reload(learner).has_premium and not Payment.objects.exists()


def test_the_largest_coffee_count_stops_at_the_horizon(client, learner):
    deliver(client, donation(learner.email, coffee_count=MAX_COFFEES))
    assert_about(reload(learner).subscription.end_date, timezone.now() + PREMIUM_HORIZON)
    deliver(client, donation(learner.email, donation_id=2, coffee_count=MAX_COFFEES))
    assert_about(reload(learner).subscription.end_date, timezone.now() + PREMIUM_HORIZON)


def test_a_refund_of_a_capped_payment_takes_back_only_what_it_added(client, learner):
    deliver(client, donation(learner.email, donation_id=1, coffee_count=1))
    deliver(client, donation(learner.email, donation_id=2, coffee_count=MAX_COFFEES))
    deliver(client, donation(learner.email, donation_id=2, refunded=True))
    assert_about(reload(learner).subscription.end_date, timezone.now() + timedelta(days=DAYS_PER_COFFEE))


def test_a_membership_paid_until_the_far_future_stops_at_the_horizon(client, learner):
    far = timezone.now() + timedelta(days=365 * 900)
    deliver(client, membership("membership.started", learner.email, period_end=far))
    subscription = reload(learner).subscription
    assert_about(subscription.end_date, timezone.now() + PREMIUM_HORIZON)
    assert_about(subscription.membership_until, timezone.now() + PREMIUM_HORIZON)


def test_an_event_without_live_mode_is_a_test_event(client, learner):
    envelope = donation(learner.email)
    del envelope["live_mode"]
    assert deliver(client, envelope).json()["status"] == "ignored"
    assert "Test-mode" in WebhookEvent.objects.get().error
    assert not reload(learner).has_premium


def test_a_donation_without_an_id_is_failed_rather_than_counted_uncountably(client, learner):
    deliver(client, event("donation.created", {"supporter_email": learner.email}))
    stored = WebhookEvent.objects.get()
    assert stored.status == "failed" and "no data.id" in stored.error
    assert not reload(learner).has_premium
