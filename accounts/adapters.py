import logging
import time

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.internal import ratelimit
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from accounts.guests import get_session_guest, wait_text
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

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        """allauth counts failed logins per address (10/m/ip) and per login ("key": 5/5m); the login
        count is kept per address too, so failing someone's login locks it only where the failures
        came from, and the owner, elsewhere, still logs in."""
        return f"{super()._get_login_attempts_cache_key(request, **credentials)}:{ratelimit.get_ip(request)}"

    def pre_authenticate(self, request, **credentials):
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError as error:
            wait = self.login_failed_wait(request, **credentials)
            raise ValidationError(
                f"Too many failed login attempts from your address. Try again in {wait_text(wait)}.",
                code=error.code,
            ) from None

    def login_failed_wait(self, request, **credentials) -> int:
        """Seconds until a login from this address may be tried again: when, in each limit that is
        full, the oldest failure it still counts leaves its window."""
        key = self._get_login_attempts_cache_key(request, **credentials)
        now, wait = time.time(), 1.0
        for rate in ratelimit.get_rates(app="allauth.account", action="login_failed"):
            cache_key = ratelimit.get_cache_key(request, app="allauth.account", action="login_failed", rate=rate, key=key)
            history = [stamp for stamp in ratelimit.cache.get(cache_key, []) if stamp > now - rate.duration]
            if len(history) >= rate.amount:  # newest first
                wait = max(wait, history[rate.amount - 1] + rate.duration - now)
        return round(wait + 0.5)

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
