import pytest
from django.urls import reverse

from tests.helpers.accounts import PASSWORD, assert_inputs_labelled


@pytest.mark.parametrize("login", ["alice", "alice@example.com", "ALICE@example.com"])
def test_login_works_by_username_or_email(client, learner, login):
    response = client.post(reverse("account_login"), {"login": login, "password": PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(learner.pk)


def test_login_with_a_wrong_password_fails(client, learner):
    response = client.post(reverse("account_login"), {"login": "alice", "password": "not-the-password"})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_login_page_has_a_label_for_every_visible_input(client):
    html = client.get(reverse("account_login")).content.decode()

    assert set(assert_inputs_labelled(html)) == {"id_login", "id_password", "id_remember"}
    assert '<label for="id_login">Username or email:</label>' in html
    assert html.count("<h1") == 1


@pytest.mark.django_db
def test_login_page_extends_the_site_layout(client):
    html = client.get(reverse("account_login")).content.decode()

    assert "<title>Log in · CertQuiz</title>" in html
    assert 'class="site-header"' in html
    assert "css/certquiz.css" in html
