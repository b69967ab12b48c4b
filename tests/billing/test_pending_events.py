"""A payment goes only to the account that has its email CONFIRMED (allauth's EmailAddress,
verified). One from an email no account has confirmed waits as pending, and is applied when an
account confirms that address: the sign-up email, or one added on the premium page, once the link
in allauth's confirmation email is followed."""

import re

import pytest
from django.core import mail
from django.core.cache import cache, caches
from django.urls import reverse

from accounts.factories import UserFactory
from accounts.models import Role, User
from billing.models import WebhookEvent
from billing.services import process_pending_events
from tests.helpers.accounts import log_in_guest
from tests.helpers.billing import confirmed, deliver, donation, membership, reload

PASSWORD = "a-long-unusual-passphrase"
PREMIUM = "/billing/premium/"


@pytest.fixture(autouse=True)
def fresh_rate_limits(db):
    cache.clear()
    caches["ratelimit"].clear()  # allauth's cooldown counters live in the shared rate-limit store
    yield
    cache.clear()


def sign_up(client, email, username="newbie"):
    data = {"email": email, "username": username, "password1": PASSWORD, "password2": PASSWORD}
    response = client.post(reverse("account_signup"), data)
    assert response.status_code == 302, response.content
    return User.objects.get(username=username)


def confirmation_link(to: str) -> str:
    """The link in the last confirmation email allauth sent to `to`."""
    sent = [message for message in mail.outbox if message.to == [to]]
    assert sent, [message.to for message in mail.outbox]
    return re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+?/)(?:\s|$)", sent[-1].body).group(1)


def follow(client, link: str):
    """Open the confirmation page, then press its button, as the owner of the mailbox does."""
    assert client.get(link).status_code == 200
    return client.post(link)


def test_an_event_for_an_unknown_email_is_kept_pending(client, db):
    assert deliver(client, membership("membership.started", "Future@Example.com")).status_code == 200
    stored = WebhookEvent.objects.get()
    assert (stored.status, stored.processed_at, stored.supporter_email) == ("pending", None, "future@example.com")


def test_a_learner_whose_login_email_is_not_confirmed_gets_nothing(client, db):
    user = UserFactory(username="unconfirmed", email="unconfirmed@example.com")
    deliver(client, donation("unconfirmed@example.com"))
    assert WebhookEvent.objects.get().status == "pending"
    assert not reload(user).has_premium


def test_signing_up_with_a_payers_email_grants_nothing_until_it_is_confirmed(client, db):
    deliver(client, membership("membership.started", "future@example.com"))
    deliver(client, donation("future@example.com"))

    user = sign_up(client, "Future@Example.com")

    assert set(WebhookEvent.objects.values_list("status", flat=True)) == {"pending"}
    assert not reload(user).has_premium and reload(user).role == Role.USER

    follow(client, confirmation_link("future@example.com"))

    assert set(WebhookEvent.objects.values_list("status", flat=True)) == {"processed"}
    user = reload(user)
    assert user.has_premium and user.role == Role.PREMIUM
    assert user.subscription.buy_me_a_coffee_email == "future@example.com"


def test_a_guest_who_signs_up_gets_the_payments_made_with_their_email_once_confirmed(client, guest):
    log_in_guest(client, guest)
    deliver(client, membership("membership.started", "carol@example.com"))

    account = sign_up(client, "carol@example.com", username="carol")
    assert account.pk == guest.pk and not reload(account).has_premium

    follow(client, confirmation_link("carol@example.com"))
    assert reload(account).has_premium


def test_signing_up_with_another_email_leaves_the_events_pending(client, db):
    deliver(client, membership("membership.started", "future@example.com"))
    user = sign_up(client, "someone-else@example.com")
    follow(client, confirmation_link("someone-else@example.com"))
    assert WebhookEvent.objects.get().status == "pending"
    assert not reload(user).has_premium


def test_an_email_added_on_the_premium_page_counts_only_once_confirmed(learner_client, learner):
    deliver(learner_client, membership("membership.started", "alice.pays@example.com"))

    response = learner_client.post(PREMIUM, {"email": "Alice.Pays@Example.com"})

    assert response.status_code == 302
    assert WebhookEvent.objects.get().status == "pending"  # nothing applied before the link is followed
    assert not reload(learner).has_premium
    page = learner_client.get(PREMIUM).content.decode()
    assert "We sent a confirmation link to alice.pays@example.com" in page
    assert "alice.pays@example.com — waiting for confirmation" in page

    follow(learner_client, confirmation_link("alice.pays@example.com"))

    assert WebhookEvent.objects.get().status == "processed"
    learner = reload(learner)
    assert learner.has_premium and learner.role == Role.PREMIUM
    assert learner.email == "alice@example.com"  # the login email stays as it was
    page = learner_client.get(PREMIUM).content.decode()
    assert "alice.pays@example.com — ✓ confirmed" in page


def test_an_unconfirmed_email_captures_no_later_payment(learner_client, learner):
    learner_client.post(PREMIUM, {"email": "alice.pays@example.com"})
    deliver(learner_client, donation("alice.pays@example.com"))
    assert WebhookEvent.objects.get().status == "pending" and not reload(learner).has_premium

    follow(learner_client, confirmation_link("alice.pays@example.com"))
    deliver(learner_client, donation("alice.pays@example.com", donation_id=778))

    assert set(WebhookEvent.objects.values_list("status", flat=True)) == {"processed"}
    assert reload(learner).has_premium


def test_an_account_created_outside_sign_up_keeps_its_login_email_when_it_confirms_another(client, db):
    user = UserFactory(username="old", email="old@example.com")  # no allauth address at all
    client.force_login(user)
    client.post(PREMIUM, {"email": "old.pays@example.com"})
    follow(client, confirmation_link("old.pays@example.com"))
    assert reload(user).email == "old@example.com"


def test_only_the_owner_who_confirms_a_payers_email_gets_the_payment(client, db):
    """The attack of the security review: the donor has signed up but not confirmed yet; Mallory types
    the donor's email on the premium page, before and after the payment. The donor confirms."""
    donor_client = type(client)()
    donor = sign_up(donor_client, "donor@example.com", username="donor")
    mallory = confirmed(UserFactory(username="mallory", email="mallory@example.com"))
    client.force_login(mallory)
    client.post(PREMIUM, {"email": "donor@example.com"})
    deliver(client, donation("donor@example.com"))
    client.post(PREMIUM, {"email": "donor@example.com"})
    assert WebhookEvent.objects.get().status == "pending"
    assert not reload(mallory).has_premium and not reload(donor).has_premium

    signup_mail = next(message for message in mail.outbox if message.to == ["donor@example.com"])
    link = re.search(r"(/accounts/confirm-email/\S+?/)(?:\s|$)", signup_mail.body).group(1)
    follow(donor_client, link)

    assert reload(donor).has_premium and not reload(mallory).has_premium
    # After allauth's cooldown Mallory has a link mailed to the donor: following it gives her nothing.
    cache.clear()
    caches["ratelimit"].clear()  # the cooldown counters live in the shared rate-limit store
    sent = len(mail.outbox)
    client.post(PREMIUM, {"email": "donor@example.com"})
    assert len(mail.outbox) == sent + 1
    follow(client, confirmation_link("donor@example.com"))
    assert not reload(mallory).has_premium
    assert WebhookEvent.objects.get().status == "processed"


def test_pending_events_are_applied_in_the_order_they_arrived(client, db):
    deliver(client, donation("future@example.com", donation_id=5))
    deliver(client, donation("future@example.com", donation_id=5, refunded=True))
    user = sign_up(client, "future@example.com")
    follow(client, confirmation_link("future@example.com"))
    assert not reload(user).has_premium
    # The refund needs no learner: recorded at once, it keeps the donation from ever being credited.
    assert list(WebhookEvent.objects.order_by("created_at").values_list("status", flat=True)) == ["ignored", "processed"]


def test_processing_pending_events_twice_applies_them_once(client, learner):
    deliver(client, donation("late@example.com"))
    confirmed(learner, "late@example.com")
    first = process_pending_events(email="late@example.com")
    end = reload(learner).subscription.end_date
    second = process_pending_events(email="late@example.com")
    assert [event.status for event in first] == ["processed"] and second == []
    assert reload(learner).subscription.end_date == end


def test_guests_are_never_matched(client, guest):
    confirmed(guest)
    deliver(client, membership("membership.started", guest.email))
    assert WebhookEvent.objects.get().status == "pending"
    assert not reload(guest).has_premium
