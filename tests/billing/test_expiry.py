"""Premium ends at request time when its time is over; `expire_subscriptions` then only records it."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.factories import UserFactory
from accounts.models import Role, User
from billing.factories import PremiumSubscriptionFactory, SubscriptionFactory
from quizzes.factories import QuestionFactory
from quizzes.models import Question
from tests.helpers.billing import GRACE_DAYS, reload

pytestmark = pytest.mark.django_db


def days_ago(days):
    return timezone.now() - timedelta(days=days)


def expire() -> str:
    out = StringIO()
    call_command("expire_subscriptions", stdout=out)
    return out.getvalue()


def test_an_active_membership_keeps_premium_during_the_grace_days():
    subscription = PremiumSubscriptionFactory(end_date=days_ago(GRACE_DAYS - 1))
    assert reload(subscription.user).has_premium


def test_premium_stops_once_paid_until_plus_grace_has_passed_before_the_command_ran():
    subscription = PremiumSubscriptionFactory(end_date=days_ago(GRACE_DAYS + 1))
    user = reload(subscription.user)
    assert user.role == Role.PREMIUM and user.subscription.status == "active"  # not expired yet in the database
    assert not user.has_premium
    assert not Question.objects.visible_to(user).filter(pk=QuestionFactory(is_premium=True).pk).exists()


def test_premium_stops_on_the_request_after_the_end_through_the_site(client):
    subscription = PremiumSubscriptionFactory(end_date=days_ago(GRACE_DAYS + 1))
    client.force_login(subscription.user)
    assert '<span class="badge">Free</span>' in client.get("/billing/premium/").content.decode()


def test_a_cancelled_subscription_has_no_grace():
    subscription = PremiumSubscriptionFactory(status="cancelled", auto_renew=False, end_date=days_ago(0.01))
    assert not reload(subscription.user).has_premium


@pytest.mark.parametrize("plan,status", [("free", "active"), ("premium", "expired")])
def test_a_free_or_expired_subscription_gives_no_premium(plan, status):
    subscription = PremiumSubscriptionFactory(plan=plan, status=status)
    assert not reload(subscription.user).has_premium


def test_no_subscription_means_no_premium_even_with_the_premium_role():
    assert not reload(UserFactory(role=Role.PREMIUM)).has_premium


def test_admins_have_premium_and_guests_never(admin_user, guest):
    SubscriptionFactory(user=guest, plan="premium", end_date=timezone.now() + timedelta(days=9))
    assert reload(admin_user).has_premium and not reload(guest).has_premium


def test_the_command_expires_what_is_over_and_resets_the_roles():
    over = PremiumSubscriptionFactory(end_date=days_ago(GRACE_DAYS + 1))
    cancelled_over = PremiumSubscriptionFactory(status="cancelled", auto_renew=False, end_date=days_ago(1))
    in_grace = PremiumSubscriptionFactory(end_date=days_ago(1))
    running = PremiumSubscriptionFactory()
    role_without_subscription = UserFactory(role=Role.PREMIUM)

    assert expire() == "2 subscription(s) expired, 3 role(s) changed.\n"

    for subscription in (over, cancelled_over):
        subscription.refresh_from_db()
        assert subscription.status == "expired" and subscription.user.role == Role.USER
    for subscription in (in_grace, running):
        subscription.refresh_from_db()
        assert subscription.status == "active" and subscription.user.role == Role.PREMIUM
    assert reload(role_without_subscription).role == Role.USER


def test_the_command_is_idempotent():
    PremiumSubscriptionFactory(end_date=days_ago(30))
    expire()
    updated_at = list(User.objects.values_list("updated_at", flat=True))
    assert expire() == "0 subscription(s) expired, 0 role(s) changed.\n"
    assert list(User.objects.values_list("updated_at", flat=True)) == updated_at


def test_the_command_gives_the_premium_role_to_a_learner_whose_subscription_grants_it():
    subscription = PremiumSubscriptionFactory(user__role=Role.USER)
    expire()
    assert reload(subscription.user).role == Role.PREMIUM


def test_the_command_never_touches_admins_or_guests(admin_user, guest):
    SubscriptionFactory(user=admin_user, plan="premium", end_date=days_ago(30))
    expire()
    assert reload(admin_user).role == Role.ADMIN and reload(guest).role == Role.GUEST
