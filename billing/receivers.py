"""Payments wait as pending events until an account has their email verified: they are applied
when an address is confirmed (allauth's email_confirmed: the sign-up email, or one added on the
premium page), and at sign-up for the addresses that arrive verified (single sign-on)."""

from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed, user_signed_up
from django.dispatch import receiver

from billing import services


@receiver(email_confirmed, dispatch_uid="billing.apply_pending_payments_on_confirmation")
def apply_pending_payments_on_confirmation(sender, request, email_address, **kwargs):
    services.process_pending_events(email=email_address.email)


@receiver(user_signed_up, dispatch_uid="billing.apply_pending_payments_on_signup")
def apply_pending_payments_on_signup(sender, request, user, **kwargs):
    for email in EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True):
        services.process_pending_events(email=email)
