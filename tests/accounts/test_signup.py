import pytest
from django.urls import reverse

from accounts.models import Role, User


def signup_data(**overrides):
    data = {
        "email": "bob@example.com",
        "username": "bob",
        "password1": "a-long-unusual-passphrase",
        "password2": "a-long-unusual-passphrase",
    }
    return data | overrides


@pytest.mark.django_db
def test_signup_creates_a_user_with_role_user_and_logs_them_in(client):
    response = client.post(reverse("account_signup"), signup_data())

    assert response.status_code == 302
    user = User.objects.get(username="bob")
    assert user.role == Role.USER
    assert user.email == "bob@example.com"
    assert user.check_password("a-long-unusual-passphrase")
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_signup_needs_only_an_email_and_a_password_and_derives_the_username(client):
    response = client.post(
        reverse("account_signup"), {"email": "carol.smith@example.com", "password1": "a-long-unusual-passphrase"}
    )

    assert response.status_code == 302
    user = User.objects.get(email="carol.smith@example.com")
    assert user.username.startswith("carol")
    assert user.role == Role.USER


@pytest.mark.django_db
def test_signup_from_a_guest_result_returns_to_that_result(client):
    from quizzes.factories import QuestionFactory
    from quizzes.models import QuizSession
    from quizzes.services import finish_session

    QuestionFactory.create_batch(2)
    client.post(reverse("quiz_start"), {"count": "2", "mode": "practice"})
    session = finish_session(session=QuizSession.objects.get())
    results_url = reverse("quiz_results", args=[session.pk])
    signup_link = f"{reverse('account_signup')}?next={results_url}"
    assert signup_link in client.get(results_url).content.decode()

    response = client.post(
        signup_link, {"email": "dana@example.com", "password1": "a-long-unusual-passphrase", "next": results_url}
    )

    assert response.status_code == 302 and response["Location"] == results_url
    assert client.get(results_url).status_code == 200  # the result is the new account's
    assert QuizSession.objects.get().user.email == "dana@example.com"


@pytest.mark.django_db
def test_signup_stores_the_browser_time_zone(client):
    client.post(reverse("account_signup"), signup_data(time_zone="Europe/Berlin"))

    assert User.objects.get(username="bob").time_zone == "Europe/Berlin"


@pytest.mark.django_db
@pytest.mark.parametrize("sent", ["", "Mars/Olympus_Mons", "<script>"])
def test_signup_falls_back_to_utc_for_a_missing_or_unknown_time_zone(client, sent):
    client.post(reverse("account_signup"), signup_data(time_zone=sent))

    assert User.objects.get(username="bob").time_zone == "UTC"


@pytest.mark.django_db
def test_signup_rejects_usernames_reserved_for_guests(client):
    response = client.post(reverse("account_signup"), signup_data(username="guest-123"))

    assert "username" in response.context["form"].errors
    assert not User.objects.filter(username="guest-123").exists()


@pytest.mark.django_db
def test_signup_page_has_the_hidden_time_zone_field_and_its_script(client):
    response = client.get(reverse("account_signup"))

    html = response.content.decode()
    assert 'type="hidden" name="time_zone"' in html
    assert "js/timezone.js" in html
