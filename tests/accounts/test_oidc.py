"""Single sign-on through allauth's openid_connect provider: the provider's `sub` claim is kept in
users.keycloak_id. The SocialLogin objects are built by the real provider from a userinfo dict,
as after the token exchange, so nothing touches the network."""

import pytest
from allauth.account.internal.flows.login import record_authentication
from allauth.core.context import request_context
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.internal.flows.login import complete_login
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.middleware import SessionMiddleware
from django.test import override_settings
from django.urls import reverse

from accounts.guests import GUEST_SESSION_KEY
from accounts.models import Role, User
from quizzes.models import QuizSession

KEYCLOAK = {
    "openid_connect": {
        "APPS": [
            {
                "provider_id": "keycloak",
                "name": "Keycloak",
                "client_id": "certquiz",
                "secret": "not-a-real-secret",
                "settings": {"server_url": "https://sso.example.com/realms/certquiz"},
            }
        ]
    }
}


@pytest.fixture
def keycloak_configured(settings):
    settings.SOCIALACCOUNT_PROVIDERS = KEYCLOAK


@pytest.fixture
def make_request(rf):
    def make(user=None, session_data=None):
        request = rf.get("/accounts/oidc/keycloak/login/callback/")
        SessionMiddleware(lambda request: None).process_request(request)
        request.session.update(session_data or {})
        request._messages = FallbackStorage(request)
        request.user = user or AnonymousUser()
        return request

    return make


def sociallogin_for(request, sub, **claims):
    provider = get_adapter().get_provider(request, "keycloak")
    userinfo = {"sub": sub, "email": "erin@example.com", "email_verified": True, "preferred_username": "erin"}
    return provider.sociallogin_from_response(request, {"userinfo": userinfo | claims})


def finish_oidc_login(request, sociallogin):
    """What allauth's callback view does once the provider has answered."""
    with request_context(request):
        return complete_login(request, sociallogin)


def test_populate_user_puts_the_subject_on_the_new_user(keycloak_configured, make_request, db):
    sociallogin = sociallogin_for(make_request(), "kc-sub-1")

    assert sociallogin.user.keycloak_id == "kc-sub-1"
    assert sociallogin.user.username == "erin"
    assert not sociallogin.is_existing


def test_first_oidc_login_signs_up_a_user_with_the_subject_as_keycloak_id(keycloak_configured, make_request, db):
    request = make_request()
    sociallogin = sociallogin_for(request, "kc-sub-1")

    response = finish_oidc_login(request, sociallogin)

    assert response.status_code == 302
    user = User.objects.get(keycloak_id="kc-sub-1")
    assert (user.username, user.email, user.role) == ("erin", "erin@example.com", Role.USER)
    assert not user.has_usable_password()
    assert request.user == user


def test_a_guest_signing_up_by_oidc_gets_a_new_account_with_their_quizzes(keycloak_configured, make_request, guest):
    quiz = QuizSession.objects.create(user=guest, question_count=1)
    request = make_request(session_data={GUEST_SESSION_KEY: str(guest.pk)})
    sociallogin = sociallogin_for(request, "kc-sub-1")

    assert sociallogin.user.pk != guest.pk
    finish_oidc_login(request, sociallogin)

    user = User.objects.get(keycloak_id="kc-sub-1")
    quiz.refresh_from_db()
    assert quiz.user_id == user.pk
    assert not User.objects.filter(pk=guest.pk).exists()
    assert GUEST_SESSION_KEY not in request.session


def test_oidc_login_to_a_connected_account_stores_a_missing_keycloak_id(keycloak_configured, make_request, learner):
    SocialAccount.objects.create(user=learner, provider="keycloak", uid="kc-sub-2")
    request = make_request()
    sociallogin = sociallogin_for(request, "kc-sub-2")

    finish_oidc_login(request, sociallogin)

    learner.refresh_from_db()
    assert learner.keycloak_id == "kc-sub-2"
    assert request.user == learner


def test_connecting_oidc_to_an_existing_account_stores_keycloak_id(keycloak_configured, make_request, learner):
    request = make_request(user=learner)
    record_authentication(request, learner, "password")
    sociallogin = sociallogin_for(request, "kc-sub-3")
    sociallogin.state["process"] = "connect"

    finish_oidc_login(request, sociallogin)

    learner.refresh_from_db()
    assert learner.keycloak_id == "kc-sub-3"
    assert SocialAccount.objects.get(uid="kc-sub-3").user == learner


def test_a_subject_already_on_another_user_is_not_copied(keycloak_configured, make_request, learner, other_learner):
    other_learner.keycloak_id = "kc-sub-4"
    other_learner.save()
    request = make_request(user=learner)
    record_authentication(request, learner, "password")
    sociallogin = sociallogin_for(request, "kc-sub-4")
    sociallogin.state["process"] = "connect"

    finish_oidc_login(request, sociallogin)

    learner.refresh_from_db()
    assert learner.keycloak_id is None


def test_login_page_offers_the_provider_only_when_configured(client, settings, db):
    settings.SOCIALACCOUNT_PROVIDERS = {}
    assert "Log in with" not in client.get(reverse("account_login")).content.decode()

    settings.SOCIALACCOUNT_PROVIDERS = KEYCLOAK
    html = client.get(reverse("account_login")).content.decode()
    assert "Log in with Keycloak" in html
    assert 'action="/accounts/oidc/keycloak/login/?process=login"' in html
