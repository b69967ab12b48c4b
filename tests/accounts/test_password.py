import re

from django.core import mail
from django.urls import reverse

from tests.helpers.accounts import PASSWORD, assert_inputs_labelled


def test_password_change_sets_the_new_password(learner_client, learner):
    response = learner_client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": "another-long-passphrase", "password2": "another-long-passphrase"},
    )

    assert response.status_code == 302
    learner.refresh_from_db()
    assert learner.check_password("another-long-passphrase")


def test_password_change_requires_the_current_password(learner_client, learner):
    response = learner_client.post(
        reverse("account_change_password"),
        {"oldpassword": "not-it", "password1": "another-long-passphrase", "password2": "another-long-passphrase"},
    )

    assert "oldpassword" in response.context["form"].errors
    learner.refresh_from_db()
    assert learner.check_password(PASSWORD)


def test_password_reset_mails_a_link_that_sets_a_new_password(client, learner):
    response = client.post(reverse("account_reset_password"), {"email": "alice@example.com"})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", mail.outbox[0].body).group(1)
    # allauth moves the key from the URL into the session and redirects to the form.
    form_page = client.get(link, follow=True)
    (form_url, _status), = form_page.redirect_chain
    assert_inputs_labelled(form_page.content.decode())
    client.post(form_url, {"password1": "another-long-passphrase", "password2": "another-long-passphrase"})
    learner.refresh_from_db()
    assert learner.check_password("another-long-passphrase")
