"""A repeated delivery (Buy Me a Coffee retries) is answered 200 and changes nothing."""

from billing.models import WebhookEvent
from tests.helpers.billing import DAYS_PER_COFFEE, deliver, donation, reload


def test_a_repeated_delivery_is_stored_once_and_counted_once(client, learner):
    envelope = donation(learner.email, coffee_count=2)
    first = deliver(client, envelope)
    end = reload(learner).subscription.end_date

    retry = dict(envelope, attempt=2)  # a retry: same event id, another attempt number
    second = deliver(client, retry)
    third = deliver(client, envelope)

    assert [first.status_code, second.status_code, third.status_code] == [200, 200, 200]
    assert second.json()["duplicate"] and third.json()["duplicate"]
    assert WebhookEvent.objects.count() == 1
    assert WebhookEvent.objects.get().payload["attempt"] == 1
    assert reload(learner).subscription.end_date == end  # still 2 coffees, not 4 or 6
    assert DAYS_PER_COFFEE * 2 - 1 <= (end - WebhookEvent.objects.get().processed_at).days <= DAYS_PER_COFFEE * 2


def test_a_duplicate_of_a_pending_event_stays_pending(client, db):
    envelope = donation("nobody-yet@example.com")
    deliver(client, envelope)
    deliver(client, envelope)
    assert list(WebhookEvent.objects.values_list("status", flat=True)) == ["pending"]


def test_a_redelivery_processes_an_event_whose_first_delivery_stopped_after_storing_it(client, learner):
    from billing.services import store_event

    envelope = donation(learner.email)
    store_event(envelope=envelope)  # the first delivery died right after the INSERT
    assert WebhookEvent.objects.get().status == "received"

    assert deliver(client, envelope).status_code == 200
    assert WebhookEvent.objects.get().status == "processed"
    assert reload(learner).has_premium
