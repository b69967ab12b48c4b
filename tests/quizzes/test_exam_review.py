"""Submit exam opens a review screen; only Submit and finish ends the exam; the clock ends it too."""

from datetime import timedelta

import pytest
from django.db.models import F

from accounts.factories import UserFactory
from quizzes.models import QuizSession, SessionQuestion, SessionSelectedOption
from quizzes.services import start_session, toggle_flag
from tests.helpers.quizzes import correct_option_ids, wrong_option_ids, submit
from quizzes.services import start_session, toggle_flag
from tests.quizzes.test_query_budgets import make_bank


def question(session, number):
    return session.session_questions.select_related("question").get(question_order=number - 1)


def answer(session, number, option_ids=None):
    sq = question(session, number)
    submit(session, sq, option_ids or correct_option_ids(sq))


def flag(session, number):
    toggle_flag(session=session, session_question=question(session, number))


def test_submit_exam_opens_the_review_screen_and_leaves_the_exam_open(learner_client, exam_session):
    answer(exam_session, 1)
    answer(exam_session, 2)
    flag(exam_session, 2)
    flag(exam_session, 4)

    response = learner_client.post(f"/quiz/{exam_session.pk}/q/3/save/", {"go": "review"}, follow=True)

    assert response.redirect_chain[-1][0] == f"/quiz/{exam_session.pk}/review/"
    body = response.content.decode()
    assert "2 answered" in body and "3 not answered" in body and "2 flagged" in body
    assert 'aria-label="Question 2, flagged, answered"' in body
    assert 'aria-label="Question 4, flagged, not answered"' in body
    assert 'aria-label="Question 3, not answered"' in body
    assert body.count("✔</span> Answered") == 2 and body.count("○</span> Not answered") == 3
    assert f'href="/quiz/{exam_session.pk}/q/2/?walk=flagged"' in body  # Review flagged starts at the first
    assert f'href="/quiz/{exam_session.pk}/q/3/?walk=unanswered"' in body  # Review unanswered likewise
    assert ">Submit and finish (3 unanswered)</button>" in body
    exam_session.refresh_from_db()
    assert exam_session.completed_at is None


def test_with_every_question_answered_the_button_is_just_submit_and_finish(learner_client, exam_session):
    for number in range(1, 6):
        answer(exam_session, number)

    body = learner_client.get(f"/quiz/{exam_session.pk}/review/").content.decode()

    assert ">Submit and finish</button>" in body
    assert "Every question is answered." in body


def test_only_submit_and_finish_ends_the_exam(learner_client, exam_session):
    answer(exam_session, 1)
    for go in ("review", "next", "5", "flag"):
        learner_client.post(f"/quiz/{exam_session.pk}/q/1/save/", {"go": go})
    learner_client.get(f"/quiz/{exam_session.pk}/review/")
    exam_session.refresh_from_db()
    assert exam_session.completed_at is None

    response = learner_client.post(f"/quiz/{exam_session.pk}/finish/")

    assert response["Location"] == f"/quiz/{exam_session.pk}/results/"
    exam_session.refresh_from_db()
    assert exam_session.completed_at is not None and exam_session.score == 1


@pytest.mark.parametrize("walk, flagged, unanswered, expected", [
    ("flagged", {2, 4}, set(), ["/q/4/?walk=flagged", "/review/"]),
    ("unanswered", set(), {3, 5}, ["/q/3/?walk=unanswered", "/q/5/?walk=unanswered", "/review/"]),
])
def test_the_review_walks_go_through_the_flagged_or_unanswered_questions(
    learner_client, exam_session, walk, flagged, unanswered, expected
):
    for number in range(1, 6):
        if number not in unanswered:
            answer(exam_session, number)
        if number in flagged:
            flag(exam_session, number)
    start = 2 if walk == "flagged" else 1
    visited, number = [], start
    for _ in expected:
        response = learner_client.post(f"/quiz/{exam_session.pk}/q/{number}/save/", {"go": "next", "walk": walk})
        location = response["Location"]
        visited.append(location.removeprefix(f"/quiz/{exam_session.pk}"))
        if "/q/" in location:
            number = int(location.split("/q/")[1].split("/")[0])

    assert visited == expected


def test_the_walk_shows_next_flagged_question_on_the_page(learner_client, exam_session):
    flag(exam_session, 2)
    body = learner_client.get(f"/quiz/{exam_session.pk}/q/2/?walk=flagged").content.decode()

    assert '<input type="hidden" name="walk" value="flagged">' in body
    assert "Next flagged question" in body


def test_time_up_ends_the_exam_on_the_server_with_the_answers_given_before(learner_client, exam_session):
    answer(exam_session, 1)
    QuizSession.objects.filter(pk=exam_session.pk).update(started_at=F("started_at") - timedelta(minutes=31))
    late = correct_option_ids(question(exam_session, 2))

    response = learner_client.post(f"/quiz/{exam_session.pk}/q/2/save/", {"option": late, "go": "next"}, follow=True)

    assert response.redirect_chain[-1][0] == f"/quiz/{exam_session.pk}/results/"
    body = response.content.decode()
    assert body.index("Time is up") < body.index("<h1>Results</h1>")
    exam_session.refresh_from_db()
    assert exam_session.completed_at == exam_session.deadline and exam_session.score == 1
    assert question(exam_session, 2).answered_at is None
    assert not SessionSelectedOption.objects.filter(session=exam_session, question=question(exam_session, 2).question).exists()


def test_a_page_loaded_after_the_deadline_shows_time_is_up_then_the_results(learner_client, exam_session):
    QuizSession.objects.filter(pk=exam_session.pk).update(started_at=F("started_at") - timedelta(minutes=31))

    response = learner_client.get(f"/quiz/{exam_session.pk}/q/1/", follow=True)

    assert response.redirect_chain[-1][0] == f"/quiz/{exam_session.pk}/results/"
    assert "Time is up" in response.content.decode()


def test_a_submitted_exam_does_not_say_time_is_up(learner_client, exam_session):
    learner_client.post(f"/quiz/{exam_session.pk}/finish/")

    assert "Time is up" not in learner_client.get(f"/quiz/{exam_session.pk}/results/").content.decode()


@pytest.mark.parametrize("data", [{"go": "next"}, {"option": ["x"], "go": "3"}, {"go": "review"}])
@pytest.mark.parametrize("htmx", [False, True])
def test_saving_or_moving_on_a_finished_exam_goes_to_the_results_with_a_message(learner_client, exam_session, data, htmx):
    answer(exam_session, 1, wrong_option_ids(question(exam_session, 1)))
    learner_client.post(f"/quiz/{exam_session.pk}/finish/")
    before = set(SessionSelectedOption.objects.filter(session=exam_session).values_list("option_id", flat=True))
    data = {**data, "option": correct_option_ids(question(exam_session, 1))} if "option" in data else data

    response = learner_client.post(
        f"/quiz/{exam_session.pk}/q/1/save/", data, headers={"HX-Request": "true"} if htmx else {}
    )

    results = f"/quiz/{exam_session.pk}/results/"
    if htmx:
        assert response.status_code == 204 and response["HX-Redirect"] == results
    else:
        assert response.status_code == 302 and response["Location"] == results
    page = learner_client.get(results).content.decode()
    assert "already submitted: its answers can no longer change" in page
    assert set(SessionSelectedOption.objects.filter(session=exam_session).values_list("option_id", flat=True)) == before
    assert question(exam_session, 1).is_correct is False


def test_the_review_of_a_finished_exam_is_its_results(learner_client, exam_session):
    learner_client.post(f"/quiz/{exam_session.pk}/finish/")

    assert learner_client.get(f"/quiz/{exam_session.pk}/review/")["Location"] == f"/quiz/{exam_session.pk}/results/"


def test_another_learners_review_is_not_found(client, other_learner, exam_session):
    client.force_login(other_learner)

    assert client.get(f"/quiz/{exam_session.pk}/review/").status_code == 404


@pytest.mark.parametrize("size", [5, 100])
def test_the_review_screen_costs_the_same_queries_for_5_and_100_questions(
    client, ccna, ospf, django_assert_num_queries, size, settings
):
    settings.FREE_DAILY_QUESTION_LIMIT = 0  # a 100-question exam, whatever the free daily limit
    make_bank(100, ccna, ospf, UserFactory(username="author"))
    learner = UserFactory(username="examinee")
    session = start_session(user=learner, mode="exam", count=size, exam=ccna, time_limit_minutes=60).session
    SessionQuestion.objects.filter(session=session, question_order__lt=3).update(is_flagged=True)
    client.force_login(learner)

    # 1 the session of the login (django_session), 2 the user with their subscription,
    # 3 the quiz session with its exam and category, 4 every question's state (exam_summary_rows),
    # 5 the navigation's count of review cards due.
    with django_assert_num_queries(5):
        response = client.get(f"/quiz/{session.pk}/review/")

    assert response.status_code == 200
    assert response.content.decode().count('<th scope="row"><a href=') == size


def test_opening_a_question_of_a_submitted_exam_goes_to_the_results_with_a_message(learner_client, exam_session):
    learner_client.post(f"/quiz/{exam_session.pk}/finish/")

    response = learner_client.get(f"/quiz/{exam_session.pk}/q/2/", follow=True)

    assert response.redirect_chain[-1][0] == f"/quiz/{exam_session.pk}/results/"
    assert "This exam is already submitted: its answers can no longer change." in response.content.decode()
