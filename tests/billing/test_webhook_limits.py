"""Every value of a webhook that is stored in a column of its own has a length limit in the parser:
longer is a 400 with a message, never a 503 (PostgreSQL's index entry limit looked like an outage).
A value PostgreSQL refuses is a 400 too, and leaves nothing behind."""

import secrets

import pytest

from billing.models import WebhookEvent
from tests.helpers.billing import deliver, donation, event


def long_text(length: int) -> str:
    return secrets.token_hex(length)[:length]  # incompressible, as an attacker would send


def long_email(length: int) -> str:
    return long_text(length - len("@example.com")) + "@example.com"


@pytest.mark.parametrize(
    "field,make,limit",
    [
        ("event_id", lambda envelope, value: envelope | {"event_id": value}, 255),
        ("type", lambda envelope, value: envelope | {"type": value}, 255),
        ("data.id", lambda envelope, value: envelope | {"data": envelope["data"] | {"id": value}}, 255),
    ],
)
def test_an_over_long_id_or_type_is_refused_with_400(client, learner, field, make, limit):
    response = deliver(client, make(donation(learner.email), long_text(4000)))
    assert response.status_code == 400
    assert response.json() == {"error": f"{field} is longer than {limit} characters."}
    assert not WebhookEvent.objects.exists()
    # At the limit it is accepted.
    assert deliver(client, make(donation(learner.email), long_text(limit))).status_code == 200


def test_an_over_long_supporter_email_is_refused_with_400(client, db):
    response = deliver(client, donation(long_email(4000)))
    assert response.status_code == 400
    assert response.json() == {"error": "data.supporter_email is longer than 254 characters."}
    assert not WebhookEvent.objects.exists()
    assert deliver(client, donation(long_email(254))).json()["status"] == "pending"


def test_an_over_long_numeric_event_id_is_refused_too(client, learner):
    assert deliver(client, donation(learner.email) | {"event_id": 10**300}).status_code == 400


@pytest.mark.parametrize(
    "body",
    [
        b'{"event_id": "e1", "type": "donation.created", "data": {"note": 1e999}}',  # Infinity: not JSON for PostgreSQL
        b'{"event_id": "e2", "type": "donation.created", "data": {"note": "\\ud800"}}',  # a lone surrogate
    ],
)
def test_a_value_postgresql_refuses_is_a_400_not_an_outage(client, learner, body):
    response = deliver(client, body=body)
    assert response.status_code == 400
    assert "cannot be stored" in response.json()["error"]
    assert not WebhookEvent.objects.exists()
    # The connection is still usable: the next event goes through.
    assert deliver(client, donation(learner.email)).json()["status"] == "processed"


def test_long_values_elsewhere_in_the_payload_are_stored_as_they_are(client, learner):
    envelope = event("donation.created", {"id": 5, "supporter_email": learner.email, "message": long_text(20000)})
    assert deliver(client, envelope).json()["status"] == "processed"
