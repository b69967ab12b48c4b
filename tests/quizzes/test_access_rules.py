import pytest

from quizzes.factories import QuestionFactory
from quizzes.models import QuestionStatus, QuizSession, SessionQuestion
from quizzes.services import finish_session, start_session
from tests.helpers.quizzes import correct_option_ids
from quizzes.services import finish_session, start_session
from tests.helpers.quizzes import submit

SESSION_URLS = [
    ("get", "/quiz/{id}/"),
    ("get", "/quiz/{id}/q/1/"),
    ("post", "/quiz/{id}/q/1/answer/"),
    ("post", "/quiz/{id}/q/1/flag/"),
    ("post", "/quiz/{id}/finish/"),
    ("post", "/quiz/{id}/pause/"),
    ("post", "/quiz/{id}/resume/"),
    ("get", "/quiz/{id}/results/"),
    ("post", "/quiz/{id}/retry/"),
]


@pytest.mark.parametrize("method, url", SESSION_URLS)
def test_another_learners_session_answers_404_and_is_left_untouched(client, other_learner, exam_session, method, url):
    client.force_login(other_learner)

    response = getattr(client, method)(url.format(id=exam_session.pk), {"option": ["x"]} if method == "post" else None)

    assert response.status_code == 404
    exam_session.refresh_from_db()
    assert exam_session.completed_at is None and not exam_session.is_paused


@pytest.mark.parametrize("method, url", SESSION_URLS)
def test_a_visitor_without_a_session_gets_404_for_any_quiz(client, exam_session, method, url):
    assert getattr(client, method)(url.format(id=exam_session.pk)).status_code == 404


def test_a_question_number_outside_the_session_is_404(learner_client, practice_session):
    assert learner_client.get(f"/quiz/{practice_session.pk}/q/99/").status_code == 404


def test_a_premium_question_is_never_sent_to_a_learner_who_lost_premium(learner_client, learner, bank):
    secret = QuestionFactory(question_text="PREMIUM-SECRET-TEXT", explanation="PREMIUM-SECRET-WHY", is_premium=True)
    session = start_session(user=learner, count=1, question_ids=[bank[0].pk]).session
    SessionQuestion.objects.create(
        session=session, question=secret, question_order=1, option_order=list(secret.options.values_list("pk", flat=True))
    )
    QuizSession.objects.filter(pk=session.pk).update(question_count=2)
    for option in secret.options.all():
        option.text = f"PREMIUM-SECRET-OPTION-{option.display_order}"
        option.save()

    page = learner_client.get(f"/quiz/{session.pk}/q/2/")
    answer = learner_client.post(f"/quiz/{session.pk}/q/2/answer/", {"option": [str(secret.options.first().pk)]})
    learner_client.post(f"/quiz/{session.pk}/finish/")
    results = learner_client.get(f"/quiz/{session.pk}/results/")

    assert page.status_code == 200 and "premium question" in page.content.decode()
    assert answer.status_code == 403
    for response in (page, results):
        body = response.content.decode()
        assert "PREMIUM-SECRET" not in body
    assert not SessionQuestion.objects.filter(question=secret, answered_at__isnull=False).exists()


def test_exam_mode_reveals_no_correct_option_or_explanation_before_submission(learner_client, learner, ccna):
    QuestionFactory.create_batch(3, exams=[ccna], explanation="EXPLANATION-SECRET", detailed_explanation="DETAIL-SECRET")
    session = start_session(user=learner, mode="exam", count=3).session
    sq = session.session_questions.select_related("question").first()
    answered = learner_client.post(
        f"/quiz/{session.pk}/q/1/answer/", {"option": correct_option_ids(sq)}, headers={"HX-Request": "true"}
    )
    responses = [
        answered,
        learner_client.get(f"/quiz/{session.pk}/q/1/"),
        learner_client.get(f"/quiz/{session.pk}/q/2/", headers={"HX-Request": "true"}),
        learner_client.post(f"/quiz/{session.pk}/q/1/flag/", headers={"HX-Request": "true"}),
    ]
    early_results = learner_client.get(f"/quiz/{session.pk}/results/")

    for response in responses:
        body = response.content.decode()
        assert "SECRET" not in body
        assert "option correct" not in body and "option-note" not in body and "✔ Correct" not in body
        assert "Score so far" not in body
    assert early_results.status_code == 409
    assert "Not finished yet" in early_results.content.decode()
    assert "SECRET" not in early_results.content.decode()

    finish_session(session=session)
    results = learner_client.get(f"/quiz/{session.pk}/results/")
    assert results.status_code == 200 and "EXPLANATION-SECRET" in results.content.decode()


def test_an_archived_question_never_enters_a_new_session_but_an_old_session_can_finish(learner_client, learner, bank):
    session = start_session(user=learner, count=len(bank)).session
    sq = session.session_questions.select_related("question").first()
    type(sq.question).objects.filter(pk=sq.question_id).update(status=QuestionStatus.ARCHIVED)

    new_session = start_session(user=learner, count=len(bank)).session
    assert sq.question_id not in set(new_session.session_questions.values_list("question_id", flat=True))

    assert learner_client.get(f"/quiz/{session.pk}/q/1/").status_code == 200
    submit(session, sq, correct_option_ids(sq))
    learner_client.post(f"/quiz/{session.pk}/finish/")
    assert learner_client.get(f"/quiz/{session.pk}/results/").status_code == 200
