"""Buy Me a Coffee may deliver one event several times at once (retries, several workers): each
delivery runs on its own database connection, and the payment still counts once."""

import json
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.factories import UserFactory
from billing.models import Subscription, WebhookEvent
from tests.helpers.billing import DAYS_PER_COFFEE, URL, assert_about, confirmed, donation, membership, sign

DELIVERIES = 6


def deliver_at_once(body: bytes | list[bytes]) -> list:
    """POST `body` (or each of the bodies) from DELIVERIES threads released together; each thread
    has its own connection."""
    bodies = body if isinstance(body, list) else [body] * DELIVERIES
    barrier = threading.Barrier(DELIVERIES)
    results = [None] * DELIVERIES

    def deliver(index):
        body = bodies[index]
        try:
            client = Client()
            barrier.wait(timeout=10)
            response = client.post(
                URL, data=body, content_type="application/json", headers={"x-signature-sha256": sign(body)}
            )
            results[index] = (response.status_code, response.json())
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=(index,)) for index in range(DELIVERIES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.django_db(transaction=True)
def test_the_same_donation_delivered_six_times_at_once_counts_once():
    learner = confirmed(UserFactory(username="alice", email="alice@example.com"))
    body = json.dumps(donation(learner.email, coffee_count=1)).encode()

    results = deliver_at_once(body)

    assert [result[0] for result in results] == [200] * DELIVERIES, results
    assert sorted(result[1]["duplicate"] for result in results) == [False] + [True] * (DELIVERIES - 1)
    event = WebhookEvent.objects.get()
    assert event.status == "processed" and event.processed_at is not None
    subscription = Subscription.objects.get(user=learner)
    # One coffee's days, not six coffees' worth.
    assert_about(subscription.end_date, event.processed_at + timedelta(days=DAYS_PER_COFFEE))


@pytest.mark.django_db(transaction=True)
def test_one_donation_carried_by_six_events_at_once_counts_once():
    """Six events (six event ids) for the same payment, data.id given as a number or a string."""
    learner = confirmed(UserFactory(username="alice", email="alice@example.com"))
    bodies = [json.dumps(donation(learner.email, donation_id=[555, "555"][n % 2])).encode() for n in range(DELIVERIES)]

    results = deliver_at_once(bodies)

    assert [result[0] for result in results] == [200] * DELIVERIES, results
    statuses = sorted(WebhookEvent.objects.values_list("status", flat=True))
    assert statuses == ["ignored"] * (DELIVERIES - 1) + ["processed"]
    subscription = Subscription.objects.get(user=learner)
    assert_about(subscription.end_date, timezone.now() + timedelta(days=DAYS_PER_COFFEE))


@pytest.mark.django_db(transaction=True)
def test_concurrent_events_for_one_learner_are_applied_one_after_the_other():
    learner = confirmed(UserFactory(username="bob", email="bob@example.com"))
    end = timezone.now() + timedelta(days=30)
    bodies = [json.dumps(membership("membership.started", learner.email, period_end=end)).encode()] + [
        json.dumps(donation(learner.email, donation_id=100 + n)).encode() for n in range(DELIVERIES - 1)
    ]
    barrier = threading.Barrier(len(bodies))
    codes = []

    def deliver(body):
        try:
            client = Client()
            barrier.wait(timeout=10)
            codes.append(
                client.post(URL, data=body, content_type="application/json", headers={"x-signature-sha256": sign(body)}).status_code
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert codes == [200] * len(bodies)
    assert set(WebhookEvent.objects.values_list("status", flat=True)) == {"processed"}
    subscription = Subscription.objects.get(user=learner)
    # Every donation counted, whichever order they ran in relative to the membership.
    earliest = end + timedelta(days=DAYS_PER_COFFEE * (DELIVERIES - 1))
    assert subscription.end_date >= earliest - timedelta(seconds=5)
    assert subscription.status == "active"
