"""Every view whose answer differs for htmx says so (Vary: HX-Request), so no cache hands a
partial to a plain request or a full page to htmx."""

import pytest


@pytest.mark.parametrize("method, path", [
    ("get", "/quiz/{id}/q/1/"),
    ("post", "/quiz/{id}/q/1/flag/"),
    ("post", "/quiz/{id}/q/1/answer/"),
    ("post", "/quiz/{id}/pause/"),
    ("post", "/quiz/{id}/finish/"),
])
@pytest.mark.parametrize("htmx", [False, True])
def test_the_quiz_views_that_answer_htmx_differently_vary_on_hx_request(learner_client, practice_session, method, path, htmx):
    headers = {"HX-Request": "true"} if htmx else {}

    response = getattr(learner_client, method)(path.format(id=practice_session.pk), headers=headers)

    assert response.status_code < 500
    assert "HX-Request" in response["Vary"]


def test_an_htmx_bookmark_toggle_varies_on_hx_request(learner_client, bank):
    response = learner_client.post(f"/questions/{bank[0].pk}/bookmark/", headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]
