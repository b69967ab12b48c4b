"""Late and out-of-order deliveries never undo newer facts."""

from datetime import timedelta

from django.utils import timezone

from tests.helpers.billing import assert_about, deliver, membership, reload


def test_paid_until_only_moves_forward(client, learner):
    now = timezone.now()
    later_end, earlier_end = now + timedelta(days=60), now + timedelta(days=30)
    deliver(client, membership("membership.updated", learner.email, created=now, period_end=later_end))
    deliver(client, membership("membership.started", learner.email, created=now - timedelta(days=30), period_end=earlier_end))

    subscription = reload(learner).subscription
    assert_about(subscription.end_date, later_end)
    assert subscription.status == "active"


def test_a_cancellation_older_than_the_latest_start_does_not_cancel(client, learner):
    now = timezone.now()
    # The learner cancelled, then subscribed again; the cancellation arrives last.
    deliver(client, membership("membership.started", learner.email, created=now - timedelta(hours=1)))
    old_cancel = now - timedelta(days=3)
    deliver(client, membership("membership.cancelled", learner.email, status="canceled", created=old_cancel, canceled_at=old_cancel))

    learner = reload(learner)
    assert learner.subscription.status == "active" and learner.has_premium


def test_a_start_older_than_the_latest_cancellation_does_not_reactivate(client, learner):
    now = timezone.now()
    end = now + timedelta(days=25)
    # Started, then cancelled; the start arrives last.
    deliver(client, membership("membership.cancelled", learner.email, status="canceled", created=now, canceled_at=now, period_end=end))
    deliver(client, membership("membership.started", learner.email, created=now - timedelta(days=5), period_end=end))

    learner = reload(learner)
    subscription = learner.subscription
    assert (subscription.plan, subscription.status, subscription.auto_renew) == ("premium", "cancelled", False)
    assert_about(subscription.end_date, end)
    assert learner.has_premium  # paid until the period ends


def test_in_order_delivery_of_the_same_pair_gives_the_same_result(client, learner):
    now = timezone.now()
    end = now + timedelta(days=25)
    deliver(client, membership("membership.started", learner.email, created=now - timedelta(days=5), period_end=end))
    deliver(client, membership("membership.cancelled", learner.email, status="canceled", created=now, canceled_at=now, period_end=end))

    subscription = reload(learner).subscription
    assert (subscription.plan, subscription.status) == ("premium", "cancelled")
    assert_about(subscription.end_date, end)


def test_a_renewal_after_a_cancellation_reactivates(client, learner):
    now = timezone.now()
    ended = now - timedelta(days=10)
    deliver(client, membership("membership.started", learner.email, created=now - timedelta(days=40), period_end=ended))
    cancelled = now - timedelta(days=12)
    deliver(
        client,
        membership("membership.cancelled", learner.email, status="canceled", created=cancelled, canceled_at=cancelled, period_end=ended),
    )
    assert reload(learner).subscription.status == "expired"

    deliver(client, membership("membership.started", learner.email, created=now))
    learner = reload(learner)
    assert learner.subscription.status == "active" and learner.has_premium and learner.role == "premium"
