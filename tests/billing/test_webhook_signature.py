"""Only requests signed with a configured secret reach the database."""

import json

import pytest
from django.test import Client, override_settings

from billing.models import Subscription, WebhookEvent
from tests.helpers.billing import OLD_SECRET, SECRET, URL, deliver, donation, membership, sign


def nothing_stored():
    return WebhookEvent.objects.count() == 0 and Subscription.objects.count() == 0


def test_a_missing_signature_is_refused_with_401_and_nothing_is_stored(client, learner):
    response = deliver(client, donation(learner.email), secret=None)
    assert response.status_code == 401
    assert nothing_stored()


def test_a_wrong_signature_is_refused_with_401_and_nothing_is_stored(client, learner):
    response = deliver(client, donation(learner.email), signature="0" * 64)
    assert response.status_code == 401
    assert nothing_stored()


def test_a_body_signed_with_an_unknown_secret_is_refused(client, learner):
    response = deliver(client, donation(learner.email), secret="whsec_attacker")
    assert response.status_code == 401
    assert nothing_stored()


def test_the_signature_covers_the_raw_bytes_not_the_parsed_json(client, learner):
    envelope = donation(learner.email)
    signed_body = json.dumps(envelope).encode()
    same_json_other_bytes = json.dumps(envelope, indent=2).encode()
    response = deliver(client, body=same_json_other_bytes, signature=sign(signed_body))
    assert response.status_code == 401
    assert nothing_stored()


def test_a_tampered_body_is_refused(client, learner):
    body = json.dumps(donation(learner.email, coffee_count=1)).encode()
    signature = sign(body)
    tampered = body.replace(b'"coffee_count": 1', b'"coffee_count": 99')
    assert deliver(client, body=tampered, signature=signature).status_code == 401
    assert nothing_stored()


def test_a_bad_signature_is_checked_before_the_body_is_parsed(client):
    assert deliver(client, body=b"not json", signature="abc").status_code == 401


@override_settings(BMAC_WEBHOOK_SECRETS=[])
def test_without_a_configured_secret_every_request_is_refused(client, learner):
    assert deliver(client, donation(learner.email), secret="").status_code == 401
    assert nothing_stored()


@pytest.mark.parametrize("secret", [SECRET, OLD_SECRET])
def test_during_a_rotation_events_signed_with_either_secret_are_accepted(client, learner, secret):
    with override_settings(BMAC_WEBHOOK_SECRETS=[SECRET, OLD_SECRET]):
        response = deliver(client, membership("membership.started", learner.email), secret=secret)
    assert response.status_code == 200
    assert WebhookEvent.objects.get().status == "processed"


def test_after_the_rotation_the_old_secret_is_refused(client, learner):
    assert deliver(client, membership("membership.started", learner.email), secret=OLD_SECRET).status_code == 401
    assert nothing_stored()


def test_the_signature_header_is_read_case_insensitively_and_with_a_sha256_prefix(client, learner):
    body = json.dumps(membership("membership.started", learner.email)).encode()
    response = client.post(
        URL, data=body, content_type="application/json", headers={"X-Signature-SHA256": "sha256=" + sign(body).upper()}
    )
    assert response.status_code == 200


def test_the_endpoint_needs_no_csrf_token(learner):
    client = Client(enforce_csrf_checks=True)
    assert deliver(client, membership("membership.started", learner.email)).status_code == 200


def test_the_endpoint_answers_only_post(client):
    assert client.get(URL).status_code == 405
