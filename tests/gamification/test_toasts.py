"""The answer's htmx response announces a badge or a level with an out-of-band toast. The
announcement is made when the answer's transaction commits, hence real transactions here."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django_htmx.middleware import HtmxDetails

from gamification import announcements
from gamification.middleware import ToastMiddleware
from gamification.models import Badge
from tests.helpers.gamification import start
from tests.helpers.quizzes import correct_option_ids, wrong_option_ids


def post_answer(client, session, number, *, right=True, htmx=True):
    sq = session.session_questions.select_related("question").get(question_order=number - 1)
    options = correct_option_ids(sq) if right else wrong_option_ids(sq)
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(f"/quiz/{session.pk}/q/{number}/answer/", {"option": options}, headers=headers)


@pytest.mark.django_db(transaction=True)
def test_the_answer_that_unlocks_a_badge_shows_a_toast_out_of_band(learner_client, learner, questions, demo_badges):
    session = start(learner, questions[:3])

    first = post_answer(learner_client, session, 1).content.decode()
    second = post_answer(learner_client, session, 2).content.decode()

    assert '<div id="toasts" hx-swap-oob="beforeend">' in first
    assert "Badge unlocked: First Answer" in first
    assert "hx-swap-oob" not in second  # unlocked once, announced once


@pytest.mark.django_db(transaction=True)
def test_reaching_a_level_shows_a_toast(learner_client, learner, questions):
    Badge.objects.all().delete()
    session = start(learner, questions[:10])
    for number in range(1, 10):
        assert "hx-swap-oob" not in post_answer(learner_client, session, number).content.decode()

    html = post_answer(learner_client, session, 10).content.decode()

    assert "Level 2!" in html and "hx-swap-oob" in html


@pytest.mark.django_db(transaction=True)
def test_a_wrong_answer_still_unlocks_a_question_count_badge(learner_client, learner, questions, demo_badges):
    session = start(learner, questions[:1])

    html = post_answer(learner_client, session, 1, right=False).content.decode()

    assert "Badge unlocked: First Answer" in html


def test_without_a_committed_answer_nothing_is_announced(learner_client, learner, questions, demo_badges):
    """In a test transaction that never commits, the on_commit announcement never happens."""
    session = start(learner, questions[:1])

    assert "hx-swap-oob" not in post_answer(learner_client, session, 1).content.decode()


@pytest.fixture
def announced():
    """A request whose work announced a badge (the list request_started opens and request_finished closes)."""
    announcements.open_request()
    announcements.publish([announcements.Announcement(icon="🏅", title="Badge unlocked: Tester", text="Well done.")])
    yield
    announcements.close_request()


def through_toast_middleware(response, *, htmx):
    request = RequestFactory().post("/anything/", headers={"HX-Request": "true"} if htmx else {})
    request.htmx = HtmxDetails(request)
    return ToastMiddleware(lambda request: response)(request)


def test_the_toast_middleware_appends_announcements_to_any_htmx_fragment(announced):
    response = through_toast_middleware(HttpResponse("<p>fragment</p>"), htmx=True)

    html = response.content.decode()
    assert html.startswith("<p>fragment</p>")
    assert '<div id="toasts" hx-swap-oob="beforeend">' in html and "Badge unlocked: Tester" in html
    assert not announcements.pending()


@pytest.mark.parametrize(
    "response, htmx",
    [
        (HttpResponse("<p>page</p>"), False),
        (HttpResponse("", headers={"HX-Redirect": "/quiz/1/results/"}), True),
        (HttpResponse('{"ok": true}', content_type="application/json"), True),
        (HttpResponse("<p>refused</p>", status=422), True),
    ],
    ids=["plain request", "client redirect", "not html", "error"],
)
def test_the_toast_middleware_leaves_other_responses_alone(announced, response, htmx):
    before = response.content

    assert through_toast_middleware(response, htmx=htmx).content == before
    assert announcements.pending()
