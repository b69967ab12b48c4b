"""A payment from an email no learner has yet waits, and is applied when the learner appears:
at signup, or when they link that email on the premium page."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from accounts.factories import UserFactory
from accounts.guests import GUEST_SESSION_KEY
from accounts.models import Role, User
from billing.models import WebhookEvent
from billing.services import process_pending_events
from tests.billing.conftest import deliver, donation, membership, reload

PASSWORD = "a-long-unusual-passphrase"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def sign_up(client, email, username="newbie"):
    data = {"email": email, "username": username, "password1": PASSWORD, "password2": PASSWORD}
    response = client.post(reverse("account_signup"), data)
    assert response.status_code == 302, response.content
    return User.objects.get(username=username)


def test_an_event_for_an_unknown_email_is_kept_pending(client, db):
    assert deliver(client, membership("membership.started", "Future@Example.com")).status_code == 200
    stored = WebhookEvent.objects.get()
    assert (stored.status, stored.processed_at, stored.supporter_email) == ("pending", None, "future@example.com")


def test_pending_events_are_applied_when_a_learner_with_that_email_signs_up(client, db):
    deliver(client, membership("membership.started", "future@example.com"))
    deliver(client, donation("future@example.com"))

    user = sign_up(client, "Future@Example.com")

    assert set(WebhookEvent.objects.values_list("status", flat=True)) == {"processed"}
    user = reload(user)
    assert user.has_premium and user.role == Role.PREMIUM
    assert user.subscription.buy_me_a_coffee_email == "future@example.com"


def test_a_guest_who_signs_up_gets_the_payments_made_with_their_email(client, guest):
    session = client.session
    session[GUEST_SESSION_KEY] = str(guest.pk)
    session.save()
    deliver(client, membership("membership.started", "carol@example.com"))

    account = sign_up(client, "carol@example.com", username="carol")

    assert account.pk == guest.pk
    assert reload(account).has_premium


def test_signing_up_with_another_email_leaves_the_events_pending(client, db):
    deliver(client, membership("membership.started", "future@example.com"))
    user = sign_up(client, "someone-else@example.com")
    assert WebhookEvent.objects.get().status == "pending"
    assert not reload(user).has_premium


def test_pending_events_are_applied_when_the_learner_links_that_email(learner_client, learner):
    deliver(learner_client, membership("membership.started", "alice.pays@example.com"))
    assert not reload(learner).has_premium

    response = learner_client.post("/billing/premium/", {"email": "Alice.Pays@Example.com"})

    assert response.status_code == 302
    assert WebhookEvent.objects.get().status == "processed"
    learner = reload(learner)
    assert learner.subscription.buy_me_a_coffee_email == "alice.pays@example.com"
    assert learner.has_premium and learner.role == Role.PREMIUM
    page = learner_client.get("/billing/premium/").content.decode()
    assert "1 earlier payment applied" in page


def test_after_linking_later_payments_with_that_email_are_matched_at_once(learner_client, learner):
    learner_client.post("/billing/premium/", {"email": "alice.pays@example.com"})
    deliver(learner_client, donation("alice.pays@example.com"))
    assert reload(learner).has_premium


def test_a_linked_email_wins_over_the_same_login_email_of_a_later_account(learner_client, learner):
    learner_client.post("/billing/premium/", {"email": "shared@example.com"})
    latecomer = UserFactory(username="late", email="shared@example.com")
    deliver(learner_client, donation("shared@example.com"))
    assert reload(learner).has_premium and not reload(latecomer).has_premium


def test_pending_events_are_applied_in_the_order_they_arrived(client, db):
    deliver(client, donation("future@example.com", donation_id=5))
    deliver(client, donation("future@example.com", donation_id=5, refunded=True))
    user = sign_up(client, "future@example.com")
    assert not reload(user).has_premium
    # The donation is applied first and sees its refund waiting: it grants nothing.
    assert list(WebhookEvent.objects.order_by("created_at").values_list("status", flat=True)) == ["ignored", "processed"]


def test_processing_pending_events_twice_applies_them_once(client, learner):
    deliver(client, donation("late@example.com"))
    learner.email = "late@example.com"
    learner.save(update_fields=["email"])
    first = process_pending_events(email="late@example.com")
    end = reload(learner).subscription.end_date
    second = process_pending_events(email="late@example.com")
    assert [event.status for event in first] == ["processed"] and second == []
    assert reload(learner).subscription.end_date == end


def test_guests_are_never_matched(client, guest):
    deliver(client, membership("membership.started", guest.email))
    assert WebhookEvent.objects.get().status == "pending"
    assert not reload(guest).has_premium
