"""While an exam is open, none of its questions shows its answer anywhere else."""

from datetime import timedelta

import pytest
from django.db.models import F

from quizzes.models import Bookmark, QuizMode, QuizSession
from quizzes.services import NoQuestionsAvailable, finish_session, start_session
from tests.helpers.quizzes import wrong_option_ids
from quizzes.services import NoQuestionsAvailable, finish_session, start_session
from tests.helpers.quizzes import submit


def exam_question_ids(session):
    return set(session.session_questions.values_list("question_id", flat=True))


def picked(session):
    return set(session.session_questions.values_list("question_id", flat=True))


def test_a_practice_quiz_started_during_an_exam_leaves_its_questions_out(learner, bank):
    exam = start_session(user=learner, mode=QuizMode.EXAM, count=4).session

    practice = start_session(user=learner, mode=QuizMode.PRACTICE, count=7).session

    assert picked(practice) == {question.pk for question in bank} - exam_question_ids(exam)


def test_bookmarked_and_mistakes_quizzes_leave_them_out_too(learner, bank):
    earlier = start_session(user=learner, count=7).session
    for sq in earlier.session_questions.select_related("question"):
        submit(earlier, sq, wrong_option_ids(sq))
    Bookmark.objects.bulk_create(Bookmark(user=learner, question=question) for question in bank)
    exam = start_session(user=learner, mode=QuizMode.EXAM, count=5).session
    rest = {question.pk for question in bank} - exam_question_ids(exam)

    bookmarked = start_session(user=learner, mode=QuizMode.BOOKMARKED, count=7).session
    mistakes = start_session(user=learner, mode=QuizMode.MISTAKES, count=7).session

    assert picked(bookmarked) == rest
    assert picked(mistakes) == rest


def test_a_quiz_of_nothing_but_open_exam_questions_does_not_start(learner, bank):
    start_session(user=learner, mode=QuizMode.EXAM, count=7)

    with pytest.raises(NoQuestionsAvailable):
        start_session(user=learner, count=3)


def test_once_the_exam_is_submitted_or_out_of_time_its_questions_come_back(learner, bank):
    exam = start_session(user=learner, mode=QuizMode.EXAM, count=7).session
    finish_session(session=exam)
    assert len(picked(start_session(user=learner, count=7).session)) == 7

    timed = start_session(user=learner, mode=QuizMode.EXAM, count=7, time_limit_minutes=5).session
    QuizSession.objects.filter(pk=timed.pk).update(started_at=F("started_at") - timedelta(minutes=6))
    assert len(picked(start_session(user=learner, count=7).session)) == 7


def test_another_learners_exam_changes_nothing(learner, other_learner, bank):
    start_session(user=other_learner, mode=QuizMode.EXAM, count=7)

    assert len(picked(start_session(user=learner, count=7).session)) == 7


def test_the_bookmarks_page_hides_the_answer_of_a_question_in_an_open_exam(learner_client, learner, bank):
    Bookmark.objects.bulk_create(Bookmark(user=learner, question=question) for question in bank)
    exam = start_session(user=learner, mode=QuizMode.EXAM, count=3).session

    body = learner_client.get("/bookmarks/").content.decode()

    assert body.count("Answer hidden: this question is in an exam you have not submitted yet.") == 3
    assert body.count("Show answer") == 4
    finish_session(session=exam)
    body = learner_client.get("/bookmarks/").content.decode()
    assert "Answer hidden" not in body and body.count("Show answer") == 7


def test_answers_cannot_change_after_the_exam_ends(learner_client, exam_session):
    sq = exam_session.session_questions.select_related("question").first()
    submit(exam_session, sq, wrong_option_ids(sq))
    finish_session(session=exam_session)
    correct = [str(o.pk) for o in sq.question.options.filter(is_correct=True)]

    learner_client.post(f"/quiz/{exam_session.pk}/q/1/save/", {"option": correct, "go": "next"})
    learner_client.post(f"/quiz/{exam_session.pk}/q/1/answer/", {"option": correct})

    sq.refresh_from_db()
    exam_session.refresh_from_db()
    assert sq.is_correct is False and exam_session.score == 0
