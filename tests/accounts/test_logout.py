from django.urls import reverse


def test_logout_by_get_only_asks_for_confirmation(learner_client):
    response = learner_client.get(reverse("account_logout"))

    assert response.status_code == 200
    assert "_auth_user_id" in learner_client.session
    assert b'method="post"' in response.content


def test_logout_by_post_logs_out(learner_client):
    response = learner_client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in learner_client.session
