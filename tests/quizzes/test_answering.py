from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from quizzes.models import QuizSession, SessionQuestion, SessionSelectedOption
from quizzes.services import QuizError, finish_session, start_session
from quizzes.signals import answer_recorded
from tests.helpers.quizzes import correct_option_ids, wrong_option_ids
from tests.helpers.quizzes import submit
from tests.helpers.threads import run_at_once


def first_multiple(session):
    return session.session_questions.select_related("question").filter(question__type="multiple").first()


def test_a_single_answer_question_is_correct_only_with_its_correct_option(practice_session):
    right, wrong = practice_session.session_questions.select_related("question").filter(question__type="single")[:2]
    assert submit(practice_session, right, correct_option_ids(right)).is_correct
    assert not submit(practice_session, wrong, wrong_option_ids(wrong)).is_correct


@pytest.mark.parametrize(
    "pick, expected",
    [("all_correct", True), ("one_correct", False), ("correct_plus_wrong", False), ("one_wrong", False)],
)
def test_a_multiple_answer_question_is_correct_only_when_the_selected_set_equals_the_correct_set(
    learner, bank, pick, expected
):
    session = start_session(user=learner, count=len(bank)).session
    sq = first_multiple(session)
    correct = correct_option_ids(sq)
    wrong = wrong_option_ids(sq)
    chosen = {
        "all_correct": correct,
        "one_correct": correct[:1],
        "correct_plus_wrong": correct + wrong,
        "one_wrong": wrong,
    }[pick]

    assert submit(session, sq, chosen).is_correct is expected
    assert SessionSelectedOption.objects.filter(session=session, question=sq.question).count() == len(chosen)


def test_submitting_the_same_answer_twice_records_it_once(practice_session):
    sq = practice_session.session_questions.select_related("question").first()
    first = submit(practice_session, sq, wrong_option_ids(sq))
    second = submit(practice_session, sq, correct_option_ids(sq))

    assert first.answered_at == second.answered_at
    assert second.is_correct is False  # in practice the first answer stands
    assert SessionSelectedOption.objects.filter(session=practice_session).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_answer_posted_from_many_threads_at_once_is_recorded_once(learner, bank):
    session = start_session(user=learner, count=3).session
    sq = session.session_questions.select_related("question").first()
    recorded = []
    answer_recorded.connect(lambda **kwargs: recorded.append(kwargs["session_question"].pk), weak=False, dispatch_uid="t")
    run_at_once(lambda: submit(session, sq, correct_option_ids(sq)), [()] * 6)
    answer_recorded.disconnect(dispatch_uid="t")

    assert SessionSelectedOption.objects.filter(session=session).count() == len(correct_option_ids(sq))
    assert recorded == [sq.pk]


@pytest.mark.parametrize("option_ids, message", [([], "Choose an answer first"), (["not-an-option"], "not one of this question")])
def test_an_empty_or_foreign_answer_is_refused_and_records_nothing(practice_session, option_ids, message):
    sq = practice_session.session_questions.select_related("question").filter(question__type="single").first()
    with pytest.raises(QuizError, match=message):
        submit(practice_session, sq, option_ids)
    sq.refresh_from_db()
    assert sq.answered_at is None


def test_an_option_of_another_question_is_refused(practice_session):
    first, second = practice_session.session_questions.select_related("question")[:2]
    with pytest.raises(QuizError, match="not one of this question"):
        submit(practice_session, first, correct_option_ids(second))


def test_two_options_on_a_single_answer_question_are_refused(practice_session):
    sq = practice_session.session_questions.select_related("question").filter(question__type="single").first()
    options = [str(pk) for pk in sq.question.options.values_list("pk", flat=True)[:2]]
    with pytest.raises(QuizError, match="exactly one"):
        submit(practice_session, sq, options)


def test_in_exam_mode_an_answer_can_change_until_the_exam_is_submitted(exam_session):
    sq = exam_session.session_questions.select_related("question").first()
    submit(exam_session, sq, wrong_option_ids(sq))
    changed = submit(exam_session, sq, correct_option_ids(sq))

    assert changed.is_correct
    assert set(
        str(pk) for pk in SessionSelectedOption.objects.filter(session=exam_session).values_list("option_id", flat=True)
    ) == set(correct_option_ids(sq))
    finish_session(session=exam_session)
    with pytest.raises(QuizError, match="already finished"):
        submit(exam_session, sq, wrong_option_ids(sq))


def test_a_timed_exam_ends_on_the_server_when_time_is_up(exam_session):
    QuizSession.objects.filter(pk=exam_session.pk).update(started_at=F("started_at") - timedelta(minutes=31))
    exam_session.refresh_from_db()
    sq = exam_session.session_questions.select_related("question").first()

    with pytest.raises(QuizError, match="Time is up"):
        submit(exam_session, sq, correct_option_ids(sq))

    exam_session.refresh_from_db()
    assert exam_session.completed_at == exam_session.deadline
    assert exam_session.score == 0
    assert not SessionQuestion.objects.filter(session=exam_session, answered_at__isnull=False).exists()


def test_answer_post_without_htmx_redirects_to_the_question_pages_feedback(learner_client, practice_session):
    sq = practice_session.session_questions.select_related("question").first()
    url = f"/quiz/{practice_session.pk}/q/1/"

    response = learner_client.post(url + "answer/", {"option": correct_option_ids(sq)})

    assert response.status_code == 302
    assert response["Location"] == url + "#feedback"  # the verdict, not the top of the page
    assert 'id="feedback"' in learner_client.get(url).content.decode()


def test_answer_post_with_htmx_returns_the_player_partial_with_feedback(learner_client, practice_session):
    sq = practice_session.session_questions.select_related("question").first()
    url = f"/quiz/{practice_session.pk}/q/1/"

    response = learner_client.post(url + "answer/", {"option": correct_option_ids(sq)}, headers={"HX-Request": "true"})

    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="player"')
    assert "<html" not in body
    assert "✔ Correct" in body
    assert response["HX-Push-Url"] == url
    assert "HX-Request" in response["Vary"]


def test_an_empty_answer_post_shows_an_error_without_losing_the_question(learner_client, practice_session):
    response = learner_client.post(f"/quiz/{practice_session.pk}/q/1/answer/", {}, headers={"HX-Request": "true"})

    assert response.status_code == 422
    assert "Choose an answer first" in response.content.decode()
    assert 'id="answer-form"' in response.content.decode()


def test_answer_post_requires_a_csrf_token(learner, practice_session):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    sq = practice_session.session_questions.select_related("question").first()

    response = client.post(f"/quiz/{practice_session.pk}/q/1/answer/", {"option": correct_option_ids(sq)})

    assert response.status_code == 403
    sq.refresh_from_db()
    assert sq.answered_at is None


def test_flag_toggles_in_exam_mode(learner_client, exam_session):
    url = f"/quiz/{exam_session.pk}/q/2/flag/"
    learner_client.post(url, headers={"HX-Request": "true"})
    assert exam_session.session_questions.get(question_order=1).is_flagged
    response = learner_client.post(url)
    assert response.status_code == 302
    assert not exam_session.session_questions.get(question_order=1).is_flagged


def test_pause_lists_the_quiz_on_home_and_resume_returns_to_the_same_question(learner_client, practice_session):
    sq = practice_session.session_questions.select_related("question").first()
    learner_client.post(f"/quiz/{practice_session.pk}/q/1/answer/", {"option": correct_option_ids(sq)})
    learner_client.get(f"/quiz/{practice_session.pk}/q/2/")

    response = learner_client.post(f"/quiz/{practice_session.pk}/pause/", follow=True)

    assert "Quiz paused" in response.content.decode()
    assert [s.pk for s in response.context["unfinished"]] == [practice_session.pk]
    assert learner_client.get(f"/quiz/{practice_session.pk}/q/2/").templates[0].name == "quizzes/paused.html"
    response = learner_client.post(f"/quiz/{practice_session.pk}/resume/")
    assert response["Location"] == f"/quiz/{practice_session.pk}/q/2/"
    practice_session.refresh_from_db()
    assert not practice_session.is_paused


def test_finishing_scores_the_session(learner_client, practice_session):
    for sq in practice_session.session_questions.select_related("question")[:3]:
        submit(practice_session, sq, correct_option_ids(sq))

    response = learner_client.post(f"/quiz/{practice_session.pk}/finish/")

    assert response["Location"] == f"/quiz/{practice_session.pk}/results/"
    practice_session.refresh_from_db()
    assert practice_session.score == 3
    assert practice_session.completed_at <= timezone.now()


def test_a_free_learner_is_stopped_at_the_daily_limit_with_an_upgrade_prompt(settings, learner_client, practice_session):
    settings.FREE_DAILY_QUESTION_LIMIT = 2
    session_questions = list(practice_session.session_questions.select_related("question"))
    for sq in session_questions[:2]:
        submit(practice_session, sq, correct_option_ids(sq))

    response = learner_client.post(
        f"/quiz/{practice_session.pk}/q/3/answer/", {"option": correct_option_ids(session_questions[2])}
    )

    assert response.status_code == 422
    assert "2 free questions. Come back tomorrow" in response.content.decode()
    assert 'href="/billing/premium/"' in response.content.decode()
    session_questions[2].refresh_from_db()
    assert session_questions[2].answered_at is None


def test_a_premium_learner_has_no_daily_limit(settings, premium_learner, bank):
    settings.FREE_DAILY_QUESTION_LIMIT = 1
    session = start_session(user=premium_learner, count=3).session
    for sq in session.session_questions.select_related("question"):
        assert submit(session, sq, correct_option_ids(sq)).is_answered


def test_an_answer_posted_after_the_time_is_up_submits_the_exam_and_goes_to_the_results(learner_client, exam_session):
    QuizSession.objects.filter(pk=exam_session.pk).update(started_at=F("started_at") - timedelta(minutes=31))
    sq = exam_session.session_questions.select_related("question").first()

    response = learner_client.post(
        f"/quiz/{exam_session.pk}/q/1/answer/", {"option": correct_option_ids(sq)}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 204
    assert response["HX-Redirect"] == f"/quiz/{exam_session.pk}/results/"
    exam_session.refresh_from_db()
    assert exam_session.completed_at == exam_session.deadline
    assert not SessionQuestion.objects.filter(session=exam_session, answered_at__isnull=False).exists()
    page = learner_client.get(response["HX-Redirect"])
    assert "Time is up" in page.content.decode()


def test_an_answer_to_a_question_number_outside_the_quiz_is_not_found(learner_client, practice_session):
    response = learner_client.post(f"/quiz/{practice_session.pk}/q/99/answer/", {"option": "x"})

    assert response.status_code == 404
