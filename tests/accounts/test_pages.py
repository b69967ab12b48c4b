"""allauth's pages render inside the site's layout, with one h1 and a label for every input."""

import pytest
from django.urls import reverse

from tests.helpers.accounts import assert_inputs_labelled

ANONYMOUS_PAGES = ["account_login", "account_signup", "account_reset_password", "account_reset_password_done"]
SIGNED_IN_PAGES = ["account", "account_logout", "account_change_password", "account_email", "socialaccount_connections"]


def assert_site_page(html: str) -> None:
    assert 'class="site-header"' in html
    assert 'id="main"' in html
    assert html.count("<h1") == 1
    assert_inputs_labelled(html)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ANONYMOUS_PAGES)
def test_anonymous_account_pages_use_the_site_layout(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 200
    assert_site_page(response.content.decode())


@pytest.mark.parametrize("name", SIGNED_IN_PAGES)
def test_signed_in_account_pages_use_the_site_layout(learner_client, name):
    response = learner_client.get(reverse(name))

    assert response.status_code == 200
    assert_site_page(response.content.decode())


def test_a_user_without_a_password_is_offered_to_set_one(learner_client, learner):
    learner.set_unusable_password()
    learner.save()
    learner_client.force_login(learner)

    html = learner_client.get(reverse("account")).content.decode()

    assert reverse("account_set_password") in html
    assert reverse("account_change_password") not in html
