"""Review cards scheduled by FSRS (the `fsrs` package) from each final answer."""

from datetime import UTC, timedelta

import fsrs
import pytest

from gamification import rules, selectors
from gamification.templatetags import progress_tags
from gamification.models import ReviewCard
from quizzes.models import QuestionStatus, QuizMode
from quizzes.services import finish_session
from tests.helpers.gamification import answer, start


def card_of(learner, question) -> ReviewCard:
    return ReviewCard.objects.get(user=learner, question=question)


def answer_after(learner, question, clock, *, right, think_seconds):
    session = start(learner, [question])  # the quiz starts now: the answer's think time follows
    clock.advance(seconds=think_seconds)
    answer(session, question, right=right)
    return card_of(learner, question)


def test_the_mapping_from_an_answer_to_a_rating():
    assert rules.review_rating(False, 5) == fsrs.Rating.Again
    assert rules.review_rating(False, 500) == fsrs.Rating.Again
    assert rules.review_rating(True, rules.REVIEW_LONG_THINK_SECONDS) == fsrs.Rating.Good
    assert rules.review_rating(True, rules.REVIEW_LONG_THINK_SECONDS + 1) == fsrs.Rating.Hard


def test_due_dates_follow_the_fsrs_schedulers_own_for_a_known_sequence(learner, questions, clock):
    """Wrong, right, right after a long think, right, wrong, right: each answered when due."""
    scheduler = fsrs.Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False,
                               desired_retention=rules.REVIEW_DESIRED_RETENTION)
    expected = fsrs.Card(card_id=1)
    sequence = [(False, 10), (True, 20), (True, 90), (True, 15), (False, 30), (True, 40)]
    ratings = [fsrs.Rating.Again, fsrs.Rating.Good, fsrs.Rating.Hard, fsrs.Rating.Good, fsrs.Rating.Again,
               fsrs.Rating.Good]
    dues = []
    for (right, think), rating in zip(sequence, ratings):
        card = answer_after(learner, questions[0], clock, right=right, think_seconds=think)
        expected, _ = scheduler.review_card(expected, rating, review_datetime=clock.now.astimezone(UTC))
        assert (card.due, card.last_review, card.state) == (expected.due, expected.last_review, int(expected.state))
        assert (card.stability, card.difficulty) == pytest.approx((expected.stability, expected.difficulty))
        dues.append((card.due - clock.now).days)
        clock.set(card.due)
    assert dues[0] == 1  # a wrong answer comes back the next day
    assert dues[1] < dues[3]  # each right answer pushes the next review further
    assert dues[4] < dues[3]
    assert card_of(learner, questions[0]).lapses == 2


def test_a_right_answer_makes_a_card_too(learner, questions, clock):
    card = answer_after(learner, questions[0], clock, right=True, think_seconds=10)

    assert card.due > clock.now + timedelta(days=1)
    assert selectors.due_question_ids(learner, clock.now) == []
    assert selectors.due_question_ids(learner, card.due) == [questions[0].pk]


def test_due_today_is_oldest_due_first_and_respects_status_and_premium(learner, questions, clock):
    for question in questions[:4]:
        answer_after(learner, question, clock, right=False, think_seconds=10)
    questions[1].status = QuestionStatus.ARCHIVED
    questions[1].save(update_fields=["status"])
    questions[2].is_premium = True
    questions[2].save(update_fields=["is_premium"])
    clock.advance(days=2)

    assert selectors.due_question_ids(learner, clock.now) == [questions[0].pk, questions[3].pk]
    assert selectors.review_summary(learner, clock.now).due == 2


def test_the_summary_counts_due_cards_and_gives_the_next_due_time(learner, questions, clock):
    answer_after(learner, questions[0], clock, right=False, think_seconds=10)
    clock.advance(days=1)
    answer_after(learner, questions[1], clock, right=False, think_seconds=10)

    summary = selectors.review_summary(learner, clock.now)

    assert summary == selectors.ReviewSummary(due=1, next_due_at=card_of(learner, questions[1]).due)


def test_due_counts_stop_past_the_cap_and_show_as_99_plus(learner, questions, clock, monkeypatch):
    monkeypatch.setattr(selectors, "DUE_COUNT_CAP", 2)
    for question in questions[:4]:
        answer_after(learner, question, clock, right=False, think_seconds=10)
    clock.advance(days=2)

    assert selectors.due_count(learner, clock.now) == 3
    assert progress_tags.capped(3) == "2+"
    assert progress_tags.capped(2) == 2


def test_answers_of_an_exam_not_yet_submitted_make_no_card(learner, questions, clock):
    exam = start(learner, questions[:1], mode=QuizMode.EXAM)
    answer(exam, questions[0], right=False)
    assert not ReviewCard.objects.filter(user=learner).exists()

    finish_session(session=exam)

    assert card_of(learner, questions[0]).lapses == 1


def test_a_due_review_quiz_narrowed_to_a_category_takes_its_due_questions_only(learner, questions, qos, clock):
    from quizzes.services import start_session

    for question in (questions[0], questions[6], questions[7]):  # OSPF, QoS, QoS
        answer_after(learner, question, clock, right=False, think_seconds=10)
    clock.advance(days=2)

    session = start_session(user=learner, mode=QuizMode.DUE_REVIEW, count=20, category=qos).session

    assert list(session.session_questions.values_list("question_id", flat=True)) == [questions[6].pk, questions[7].pk]
