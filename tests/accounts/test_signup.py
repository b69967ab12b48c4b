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
def test_signup_requires_the_password_twice_alike(client):
    response = client.post(reverse("account_signup"), signup_data(password2="something-else-entirely"))

    assert response.status_code == 200
    assert "password2" in response.context["form"].errors
    assert not User.objects.filter(username="bob").exists()


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
