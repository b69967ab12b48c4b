"""Spaced repetition derived from the recorded answers: 1, 3, 7, 14 and 30 days."""

from datetime import timedelta

from gamification import rules, selectors
from quizzes.models import QuizMode
from quizzes.services import finish_session
from tests.gamification.conftest import answer, start


def answer_again(learner, question, clock, *, right, after_days=0):
    clock.advance(days=after_days)
    answer(start(learner, [question]), question, right=right)


def due_today(learner, clock):
    today = clock.now.astimezone(learner.tzinfo).date()
    return selectors.due_for_review(learner, selectors.day_start(today + timedelta(days=1), learner.tzinfo))


def days_until_due(learner, question, clock, limit=40):
    """How many days from now the question first shows up as due."""
    start_now = clock.now
    for days in range(limit):
        clock.set(start_now + timedelta(days=days))
        if question.pk in due_today(learner, clock):
            clock.set(start_now)
            return days
    clock.set(start_now)
    return None


def test_a_question_answered_wrong_is_due_the_next_day(learner, questions, clock):
    answer_again(learner, questions[0], clock, right=False)

    assert due_today(learner, clock) == []
    assert days_until_due(learner, questions[0], clock) == 1


def test_questions_never_answered_wrong_are_not_reviewed(learner, questions, clock):
    answer_again(learner, questions[0], clock, right=True)

    assert days_until_due(learner, questions[0], clock) is None


def test_each_right_answer_pushes_the_next_review_further(learner, questions, clock):
    answer_again(learner, questions[0], clock, right=False)
    waits = [days_until_due(learner, questions[0], clock)]
    for _ in range(len(rules.REVIEW_INTERVALS_DAYS) - 1):
        answer_again(learner, questions[0], clock, right=True, after_days=waits[-1])
        waits.append(days_until_due(learner, questions[0], clock))

    assert waits == list(rules.REVIEW_INTERVALS_DAYS)


def test_a_wrong_answer_starts_the_schedule_again(learner, questions, clock):
    answer_again(learner, questions[0], clock, right=False)
    answer_again(learner, questions[0], clock, right=True, after_days=1)
    answer_again(learner, questions[0], clock, right=True, after_days=3)
    assert days_until_due(learner, questions[0], clock) == 7

    answer_again(learner, questions[0], clock, right=False)

    assert days_until_due(learner, questions[0], clock) == 1


def test_a_question_retires_after_enough_right_answers_in_a_row(learner, questions, clock):
    answer_again(learner, questions[0], clock, right=False)
    for days in rules.REVIEW_INTERVALS_DAYS:
        answer_again(learner, questions[0], clock, right=True, after_days=days)

    assert days_until_due(learner, questions[0], clock, limit=90) is None
    today = clock.now.date()
    summary = selectors.review_summary(learner, selectors.day_start(today + timedelta(days=1), learner.tzinfo))
    assert (summary.due, summary.scheduled, summary.retired) == (0, 0, 1)


def test_the_summary_counts_due_today_and_scheduled_later(learner, questions, clock):
    answer_again(learner, questions[0], clock, right=False)
    answer_again(learner, questions[1], clock, right=False, after_days=1)

    today = clock.now.date()
    summary = selectors.review_summary(learner, selectors.day_start(today + timedelta(days=1), learner.tzinfo))

    assert (summary.due, summary.scheduled, summary.retired) == (1, 1, 0)
    assert summary.next_due_at == clock.now + timedelta(days=1)


def test_answers_of_an_exam_not_yet_submitted_do_not_count(learner, questions, clock):
    exam = start(learner, questions[:1], mode=QuizMode.EXAM)
    answer(exam, questions[0], right=False)
    assert days_until_due(learner, questions[0], clock) is None

    finish_session(session=exam)

    assert days_until_due(learner, questions[0], clock) == 1
