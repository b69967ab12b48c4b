"""Every question in the player and in the review has a "Report a problem" button that opens the
dialog with htmx and is a plain link without JavaScript."""

from django.urls import reverse

from quizzes.factories import QuestionFactory
from quizzes.models import QuizMode
from quizzes.services import finish_session, start_session


def test_the_player_has_a_report_button_for_its_question(learner_client, learner, question):
    session = start_session(user=learner, mode=QuizMode.PRACTICE, count=1).session
    response = learner_client.get(reverse("quiz_question", args=[session.pk, 1]))
    report = reverse("report_problem", args=[question.pk])
    back = reverse("quiz_question", args=[session.pk, 1])
    assert f'href="{report}?next={back}"' in response.text
    assert f'hx-get="{report}?next={back}"' in response.text
    assert 'hx-target="#report-dialog-slot"' in response.text
    assert '<div id="report-dialog-slot"></div>' in response.text
    assert "js/moderation.js" in response.text


def test_the_player_swapped_by_htmx_keeps_the_button(learner_client, learner, question):
    session = start_session(user=learner, mode=QuizMode.PRACTICE, count=1).session
    response = learner_client.get(reverse("quiz_question", args=[session.pk, 1]), headers={"HX-Request": "true"})
    assert "Report a problem" in response.text


def test_the_exam_player_has_the_button_too(learner_client, learner, question):
    session = start_session(user=learner, mode=QuizMode.EXAM, count=1).session
    response = learner_client.get(reverse("quiz_question", args=[session.pk, 1]))
    assert reverse("report_problem", args=[question.pk]) in response.text


def test_a_locked_premium_question_has_no_button(learner_client, learner, question, ccna):
    locked = QuestionFactory(is_premium=True, exams=[ccna])
    session = start_session(user=learner, mode=QuizMode.PRACTICE, count=1).session
    session.session_questions.update(question=locked)
    response = learner_client.get(reverse("quiz_question", args=[session.pk, 1]))
    assert "Report a problem" not in response.text


def test_every_reviewed_question_has_a_button_that_comes_back_to_it(learner_client, learner, ccna):
    QuestionFactory.create_batch(3, exams=[ccna])
    session = finish_session(session=start_session(user=learner, mode=QuizMode.PRACTICE, count=3).session)
    response = learner_client.get(reverse("quiz_results", args=[session.pk]))
    results = reverse("quiz_results", args=[session.pk])
    for sq in session.session_questions.all():
        number = sq.question_order + 1
        assert f'{reverse("report_problem", args=[sq.question_id])}?next={results}%23review-{number}' in response.text
        assert f"Report a problem<span class=\"visually-hidden\"> with question {number}</span>" in response.text


def test_the_review_shows_exhibit_images_enlargeable(learner_client, learner, ccna):
    QuestionFactory(exams=[ccna], images=["questions/abc/topology.png"])
    session = finish_session(session=start_session(user=learner, mode=QuizMode.PRACTICE, count=1).session)
    response = learner_client.get(reverse("quiz_results", args=[session.pk]))
    assert '<a href="/media/questions/abc/topology.png"><img src="/media/questions/abc/topology.png"' in response.text
