import logging

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from accounts.guests import get_session_guest
from accounts.models import Role

logger = logging.getLogger(__name__)

GUEST_USERNAME_PREFIX = "guest-"
OIDC_PROVIDER = "openid_connect"


class AccountAdapter(DefaultAccountAdapter):
    def new_user(self, request):
        """A visitor who practised as a guest signs up as that same row, so everything that points at
        it (quiz sessions, progress, bookmarks) stays theirs."""
        if not request.user.is_authenticated:
            guest = get_session_guest(request)
            if guest is not None:
                return guest
        return super().new_user(request)

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        user.role = Role.USER
        if time_zone := form.cleaned_data.get("time_zone"):
            user.time_zone = time_zone
        if commit:
            user.save()
        return user

    def clean_username(self, username, shallow=False):
        if username.lower().startswith(GUEST_USERNAME_PREFIX):
            raise ValidationError("Usernames starting with “guest-” are reserved.")
        return super().clean_username(username, shallow=shallow)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def new_user(self, request, sociallogin):
        # Never the session's guest: allauth treats a user already in the database as an existing
        # account and would log the guest in. The guest's work is merged on login instead.
        return get_user_model()()

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        if is_oidc(sociallogin):
            user.keycloak_id = sociallogin.account.uid
        return user

    def save_user(self, request, sociallogin, form=None):
        if is_oidc(sociallogin):
            user, subject = sociallogin.user, sociallogin.account.uid
            user.keycloak_id = subject if subject_is_free(user, subject) else None
        return super().save_user(request, sociallogin, form)

    def pre_social_login(self, request, sociallogin):
        if not is_oidc(sociallogin):
            return
        if sociallogin.is_existing:
            # A returning user, or one whose subject predates this column.
            store_subject(sociallogin.user, sociallogin.account.uid)
        elif sociallogin.state.get("process") == "connect" and request.user.is_authenticated:
            # Connecting saves request.user; the social_account_added receiver covers a connect
            # resumed after reauthentication, where this instance is gone.
            if subject_is_free(request.user, sociallogin.account.uid):
                request.user.keycloak_id = sociallogin.account.uid


def is_oidc(sociallogin) -> bool:
    provider = sociallogin.provider or sociallogin.account.get_provider()
    return provider.id == OIDC_PROVIDER


def subject_is_free(user, subject: str) -> bool:
    taken = get_user_model().objects.filter(keycloak_id=subject).exclude(pk=user.pk).exists()
    if taken:
        logger.warning("OIDC subject %s is already stored on another user; not copied to %s", subject, user.pk)
    return not taken


def store_subject(user, subject: str) -> None:
    """Record the provider's `sub` claim in users.keycloak_id, unless another user already holds it."""
    if user.keycloak_id != subject and subject_is_free(user, subject):
        user.keycloak_id = subject
        user.save(update_fields=["keycloak_id", "updated_at"])
