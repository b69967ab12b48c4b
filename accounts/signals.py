from allauth.account.signals import user_signed_up
from allauth.socialaccount.signals import social_account_added
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from accounts.adapters import is_oidc, store_subject
from accounts.guests import GUEST_SESSION_KEY, forget_session_guest, merge_session_guest


@receiver(user_logged_in, dispatch_uid="accounts.merge_session_guest")
def merge_guest_on_login(sender, request, user, **kwargs):
    # django.contrib.auth.login() keeps the session's data when it had no user before (a guest is
    # never logged in), so the guest id is still readable here, after the session key was cycled.
    if request is not None and hasattr(request, "session"):
        merge_session_guest(request, user)


@receiver(user_signed_up, dispatch_uid="accounts.forget_guest_on_signup")
def forget_guest_on_signup(sender, request, user, **kwargs):
    # When the guest row became this account (AccountAdapter.new_user), the session must not offer
    # it as a guest again, also when email verification delays the login. Any other guest (a
    # signup through the OIDC provider) stays in the session until the login merges it.
    if request.session.get(GUEST_SESSION_KEY) == str(user.pk):
        forget_session_guest(request)


@receiver(social_account_added, dispatch_uid="accounts.store_subject_on_connect")
def store_subject_on_connect(sender, request, sociallogin, **kwargs):
    if is_oidc(sociallogin):
        store_subject(sociallogin.user, sociallogin.account.uid)
