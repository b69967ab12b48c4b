from datetime import timedelta

import factory
from django.utils import timezone

from accounts.factories import UserFactory
from accounts.models import Role
from billing.models import Plan, Subscription, SubscriptionStatus


class SubscriptionFactory(factory.django.DjangoModelFactory):
    """A free subscription; PremiumSubscriptionFactory for a paid one."""

    class Meta:
        model = Subscription

    user = factory.SubFactory(UserFactory)
    plan = Plan.FREE
    status = SubscriptionStatus.ACTIVE


class PremiumSubscriptionFactory(SubscriptionFactory):
    """An active membership paid for 30 more days, its learner in the `premium` role:
    PremiumSubscriptionFactory(user__username="pat")."""

    user = factory.SubFactory(UserFactory, role=Role.PREMIUM)
    plan = Plan.PREMIUM
    start_date = factory.LazyFunction(timezone.now)
    end_date = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    last_started_at = factory.SelfAttribute("start_date")
    membership_until = factory.SelfAttribute("end_date")
    buy_me_a_coffee_email = factory.LazyAttribute(lambda subscription: subscription.user.email)
