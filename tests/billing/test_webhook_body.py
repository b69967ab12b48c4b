"""A verified body must be a JSON object with an event id and a type; it is stored before anything else."""

import pytest

from billing.models import WebhookEvent
from tests.helpers.billing import deliver, event, membership


@pytest.mark.parametrize("body", [b"not json", b"{", b"\xff\xfe", b""])
def test_a_signed_body_that_is_not_json_is_refused_with_400(client, db, body):
    assert deliver(client, body=body).status_code == 400
    assert not WebhookEvent.objects.exists()


@pytest.mark.parametrize("body", [b"[]", b'"text"', b"42", b"null", b"true"])
def test_a_signed_body_that_is_not_a_json_object_is_refused_with_400(client, db, body):
    assert deliver(client, body=body).status_code == 400
    assert not WebhookEvent.objects.exists()


@pytest.mark.parametrize("missing", ["event_id", "type"])
def test_an_envelope_without_event_id_or_type_is_refused_with_400(client, learner, missing):
    envelope = membership("membership.started", learner.email)
    del envelope[missing]
    assert deliver(client, envelope).status_code == 400
    assert not WebhookEvent.objects.exists()


def test_a_verified_event_is_stored_with_its_raw_payload_and_answered_200(client, learner):
    envelope = membership("membership.started", "Alice@Example.com")
    response = deliver(client, envelope)
    assert response.status_code == 200
    stored = WebhookEvent.objects.get()
    assert stored.external_event_id == envelope["event_id"]
    assert stored.event_type == "membership.started"
    assert stored.payload == envelope
    assert stored.supporter_email == "alice@example.com"
    assert stored.status == "processed" and stored.processed_at is not None


def test_extra_and_missing_optional_fields_are_tolerated(client, learner):
    envelope = event(
        "membership.started",
        {"supporter_email": learner.email, "something_new": {"nested": [1, 2]}},
    )
    envelope["future_field"] = "ignored"
    assert deliver(client, envelope).status_code == 200
    assert WebhookEvent.objects.get().status == "processed"
    assert learner.subscription.plan == "premium"


def test_an_integer_event_id_is_stored_as_text(client, learner):
    envelope = membership("membership.started", learner.email, event_id=991)
    assert deliver(client, envelope).status_code == 200
    assert WebhookEvent.objects.get().external_event_id == "991"
