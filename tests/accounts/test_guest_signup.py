from django.urls import reverse

from accounts.guests import GUEST_SESSION_KEY
from accounts.models import Role, User
from quizzes.models import QuizSession


def test_a_guest_who_signs_up_becomes_the_account_and_keeps_their_quizzes(guest_client, guest):
    quiz = QuizSession.objects.create(user=guest, question_count=1)

    response = guest_client.post(
        reverse("account_signup"),
        {
            "email": "Carol@Example.com",
            "username": "carol",
            "password1": "a-long-unusual-passphrase",
            "password2": "a-long-unusual-passphrase",
            "time_zone": "Asia/Tokyo",
        },
    )

    assert response.status_code == 302
    account = User.objects.get(username="carol")
    assert account.pk == guest.pk
    assert account.role == Role.USER
    assert account.email == "carol@example.com"
    assert account.time_zone == "Asia/Tokyo"
    assert account.check_password("a-long-unusual-passphrase")
    assert User.objects.count() == 1
    quiz.refresh_from_db()
    assert quiz.user_id == account.pk
    assert GUEST_SESSION_KEY not in guest_client.session
    assert guest_client.session["_auth_user_id"] == str(account.pk)


def test_a_stale_guest_id_in_the_session_signs_up_a_new_user(client, db):
    session = client.session
    session[GUEST_SESSION_KEY] = "00000000-0000-0000-0000-000000000000"
    session.save()

    client.post(
        reverse("account_signup"),
        {"email": "dan@example.com", "username": "dan", "password1": "a-long-unusual-passphrase",
         "password2": "a-long-unusual-passphrase"},
    )

    assert User.objects.get(username="dan").role == Role.USER


def test_a_guest_who_signs_up_is_forgotten_by_the_session_even_before_verifying_email(guest_client, guest, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"

    guest_client.post(
        reverse("account_signup"),
        {"email": "erin@example.com", "username": "erin", "password1": "a-long-unusual-passphrase",
         "password2": "a-long-unusual-passphrase"},
    )

    assert User.objects.get(username="erin").pk == guest.pk
    assert "_auth_user_id" not in guest_client.session
    assert GUEST_SESSION_KEY not in guest_client.session
