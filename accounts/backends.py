"""Authentication backends that load the signed-in user together with their subscription, so
`user.has_premium` (read on most pages) costs no query of its own.

Both of the project's backends are wrapped: a session remembers the backend that logged it in, and
allauth logs in through its own backend (email logins, signups), Django's through ModelBackend."""

from allauth.account import auth_backends as allauth_backends
from django.contrib.auth import backends as django_backends
from django.contrib.auth import get_user_model


class SubscriptionUserMixin:
    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("subscription").get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


class ModelBackend(SubscriptionUserMixin, django_backends.ModelBackend):
    pass


class AuthenticationBackend(SubscriptionUserMixin, allauth_backends.AuthenticationBackend):
    pass
