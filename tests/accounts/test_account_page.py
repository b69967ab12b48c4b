from django.urls import reverse

from accounts.models import Role


def test_account_page_requires_login(client):
    response = client.get(reverse("account"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_account_page_sends_a_guest_to_login(guest_client):
    response = guest_client.get(reverse("account"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_account_page_shows_username_email_plan_and_links(learner_client):
    html = learner_client.get(reverse("account")).content.decode()

    assert "alice" in html
    assert "alice@example.com" in html
    assert Role.USER.label in html
    assert reverse("account_change_password") in html
    assert reverse("account_email") in html
    assert '<label for="id_time_zone">' in html


def test_account_page_saves_a_valid_time_zone(learner_client, learner):
    response = learner_client.post(reverse("account"), {"time_zone": "America/New_York"}, follow=True)

    learner.refresh_from_db()
    assert learner.time_zone == "America/New_York"
    assert "Time zone saved" in response.content.decode()


def test_account_page_rejects_an_unknown_time_zone_with_a_field_error(learner_client, learner):
    response = learner_client.post(reverse("account"), {"time_zone": "Nowhere/Atlantis"})

    assert response.status_code == 200
    assert "time_zone" in response.context["form"].errors
    assert 'aria-invalid="true"' in response.content.decode()
    learner.refresh_from_db()
    assert learner.time_zone == "UTC"
