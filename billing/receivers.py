"""Payments that arrived before the learner had an account wait as pending events; they are
applied when a learner with that email signs up (a guest converting included)."""

from allauth.account.signals import user_signed_up
from django.dispatch import receiver

from billing import services


@receiver(user_signed_up, dispatch_uid="billing.apply_pending_payments_on_signup")
def apply_pending_payments_on_signup(sender, request, user, **kwargs):
    services.process_pending_events(email=user.email)
