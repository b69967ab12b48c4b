"""Issue 19, point 9: /quiz/start/ answers only GET and POST; sign-up does not tell whether an email
address already has an account."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User

PASSWORD = "a-good-passphrase-7"


@pytest.mark.parametrize("method", ["put", "patch", "delete", "options", "head"])
def test_quiz_start_refuses_other_methods_with_405(db, method):
    response = getattr(Client(), method)("/quiz/start/")
    assert response.status_code == 405
    assert response["Allow"] == "GET, POST"


def test_quiz_start_still_answers_get(db):
    assert Client().get("/quiz/start/").status_code == 200


def sign_up(email, username):
    return Client().post(reverse("account_signup"), {
        "email": email, "username": username, "password1": PASSWORD, "password2": PASSWORD}, follow=True)


def test_signing_up_with_a_registered_email_does_not_say_so_and_tells_its_owner(learner):
    response = sign_up("Alice@Example.com", "alice-again")

    page = response.content.decode()
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("account_email_verification_sent")
    assert "already" not in page.lower() and "registered" not in page.lower()
    assert not User.objects.filter(username="alice-again").exists()
    assert [message.to for message in mail.outbox] == [["alice@example.com"]]
    assert "already" in mail.outbox[0].subject.lower() + mail.outbox[0].body.lower()


def test_signing_up_with_a_new_email_still_works_without_verification(db):
    response = sign_up("new@example.com", "newcomer")
    assert response.status_code == 200
    assert User.objects.filter(username="newcomer", email="new@example.com").exists()
    assert "_auth_user_id" in response.client.session


def test_a_password_reset_for_an_unknown_email_looks_like_one_for_a_known_email(learner):
    known = Client().post(reverse("account_reset_password"), {"email": "alice@example.com"})
    unknown = Client().post(reverse("account_reset_password"), {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
