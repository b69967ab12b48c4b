"""The admin: subscriptions with filters; webhook events read-only, re-processed by an action that
uses the webhook's own service function."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.factories import UserFactory
from accounts.models import Role
from billing.factories import PremiumSubscriptionFactory, SubscriptionFactory
from billing.models import WebhookEvent
from billing.services import store_event
from tests.helpers.billing import confirmed, deliver, donation, membership, reload

SUBSCRIPTIONS = "/admin/billing/subscription/"
EVENTS = "/admin/billing/webhookevent/"


def listed(response):
    return {str(row.pk) for row in response.context["cl"].result_list}


@pytest.mark.parametrize(
    "query,expected",
    [("premium_now=yes", {"running", "grace"}), ("premium_now=no", {"free", "over"}), ("status__exact=active", {"running", "grace", "free", "over"})],
)
def test_subscriptions_can_be_filtered_by_premium_now_and_status(admin_client, query, expected):
    rows = {
        "running": PremiumSubscriptionFactory(),
        "grace": PremiumSubscriptionFactory(end_date=timezone.now() - timedelta(days=1)),
        "free": SubscriptionFactory(),
        "over": PremiumSubscriptionFactory(end_date=timezone.now() - timedelta(days=30)),
    }
    response = admin_client.get(f"{SUBSCRIPTIONS}?{query}")
    assert response.status_code == 200
    assert listed(response) == {str(rows[name].pk) for name in expected}


def test_saving_a_subscription_in_the_admin_brings_the_role_in_line(admin_client):
    subscription = PremiumSubscriptionFactory()
    url = f"{SUBSCRIPTIONS}{subscription.pk}/change/"
    form = admin_client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data |= {"status": "expired", "end_date_0": "2020-01-01", "end_date_1": "00:00:00", "start_date_0": "2019-12-01", "start_date_1": "00:00:00"}
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert reload(subscription.user).role == Role.USER


def test_webhook_events_show_status_payload_and_can_be_filtered(admin_client, client, learner):
    deliver(client, membership("membership.started", learner.email))
    deliver(client, donation("stranger@example.com"))
    response = admin_client.get(f"{EVENTS}?status__exact=pending")
    assert [row.supporter_email for row in response.context["cl"].result_list] == ["stranger@example.com"]
    event = WebhookEvent.objects.get(status="processed")
    page = admin_client.get(f"{EVENTS}{event.pk}/change/").content.decode()
    assert "membership.started" in page and "current_period_end" in page and "Processed" in page


def test_the_reprocess_action_applies_failed_and_pending_events_and_skips_processed_ones(admin_client, client, learner):
    failed, _ = store_event(envelope=membership("membership.started", "late@example.com"))
    WebhookEvent.objects.filter(pk=failed.pk).update(status="failed", error="OperationalError: server closed the connection")
    deliver(client, donation("late@example.com"))
    done, _ = store_event(envelope=donation(learner.email, donation_id=8))
    WebhookEvent.objects.filter(pk=done.pk).update(status="processed", processed_at=timezone.now())
    late = confirmed(UserFactory(username="late", email="late@example.com"))

    response = admin_client.post(
        EVENTS, {"action": "reprocess", "_selected_action": [str(pk) for pk in WebhookEvent.objects.values_list("pk", flat=True)]}
    )

    assert response.status_code == 302
    assert set(WebhookEvent.objects.values_list("status", flat=True)) == {"processed"}
    assert WebhookEvent.objects.get(pk=failed.pk).error == ""
    assert reload(learner).has_premium is False  # the already-processed donation was not applied again
    assert reload(late).has_premium


def test_webhook_events_cannot_be_added_changed_or_deleted(admin_client, client, learner):
    deliver(client, membership("membership.started", learner.email))
    event = WebhookEvent.objects.get()
    assert admin_client.get(f"{EVENTS}add/").status_code == 403
    assert admin_client.post(f"{EVENTS}{event.pk}/delete/").status_code == 403
    actions = admin_client.get(EVENTS).context["action_form"].fields["action"].choices
    assert [name for name, _ in actions] == ["", "reprocess"]
