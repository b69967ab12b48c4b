"""Readiness and review read the last weeks' answers and a cached summary of the older ones: the
figures must be the rule's over every final answer, whatever was cached when."""

from datetime import timedelta

from gamification import history, rules, selectors
from quizzes.models import Question, QuizMode, SessionQuestion
from quizzes.services import finish_session
from tests.gamification.conftest import answer, make_history, start
from tests.gamification.test_exam_readiness import reference_readiness


def reference_review(user, until):
    """The smart-review rule computed in Python from every final answer."""
    answers = sorted(
        SessionQuestion.objects.filter(session__user=user, answered_at__isnull=False)
        .exclude(session__mode="exam", session__completed_at__isnull=True)
        .values_list("question_id", "answered_at", "is_correct"),
        key=lambda row: row[1],
    )
    reviewable = set(Question.objects.filter(status="active", is_premium=False).values_list("pk", flat=True))
    due, later, retired = 0, [], 0
    for question_id in {row[0] for row in answers}:
        mine = [row for row in answers if row[0] == question_id]
        wrongs = [at for _, at, right in mine if not right]
        if not wrongs:
            continue
        rights = sum(1 for _, at, _ in mine if at > max(wrongs))
        if rights >= rules.REVIEW_RETIRE_AFTER:
            retired += 1
            continue
        if question_id not in reviewable:
            continue
        due_at = max(at for _, at, _ in mine) + timedelta(days=rules.REVIEW_INTERVALS_DAYS[rights])
        if due_at < until:
            due += 1
        else:
            later.append(due_at)
    return history.ReviewSummary(due, len(later), retired, min(later, default=None))


def end_of_today(learner, clock):
    today = clock.now.astimezone(learner.tzinfo).date()
    return selectors.day_start(today + timedelta(days=1), learner.tzinfo)


def test_the_boundary_moves_once_a_week_and_stays_behind_the_oldest_cutoff(clock):
    weeks = rules.READINESS_TREND_WEEKS
    boundaries = set()
    for hours in range(0, 24 * 21, 5):
        now = clock.now + timedelta(hours=hours)
        boundary = history.boundary_for(now)
        assert now - timedelta(weeks=weeks + 1) < boundary <= now - timedelta(weeks=weeks)
        boundaries.add(boundary)
    assert len(boundaries) in (3, 4)  # three weeks of hours cross three or four grid weeks


def test_the_older_answers_summary_is_kept_across_new_answers_and_agrees_with_the_rules(
    learner, questions, clock, django_assert_num_queries
):
    make_history(learner, questions, 300, end=clock.now - timedelta(hours=1), days=90)
    selectors.exam_readiness(learner, clock.now)  # summarises the answers before the boundary

    session = start(learner, questions[:4])
    for number, question in enumerate(questions[:4]):
        clock.advance(minutes=1)
        answer(session, question, right=number % 2 == 0)

    # the learner's total, the recent answers; the summary and the exam -> categories map are cached
    with django_assert_num_queries(2):
        got = selectors.exam_readiness(learner, clock.now)
    assert {exam.code: exam.trend for exam in got} == reference_readiness(learner, clock.now)
    until = end_of_today(learner, clock)
    assert selectors.review_summary(learner, until) == reference_review(learner, until)

    clock.advance(days=9)  # the boundary moves on: answers leave the recent part for a new summary
    assert {exam.code: exam.trend for exam in selectors.exam_readiness(learner, clock.now)} == \
        reference_readiness(learner, clock.now)
    until = end_of_today(learner, clock)
    assert selectors.review_summary(learner, until) == reference_review(learner, until)


def test_an_exam_completed_long_after_its_answers_is_counted_at_once(learner, questions, clock):
    """Its answers are older than the boundary, but were not final when the summary was made."""
    now = clock.now
    clock.set(now - timedelta(days=60))
    exam = start(learner, questions[:2], mode=QuizMode.EXAM, time_limit_minutes=30)
    answer(exam, questions[0], right=False)
    answer(exam, questions[1], right=True)
    clock.set(now)
    practice = start(learner, questions[2:3])
    answer(practice, questions[2], right=False)
    until = end_of_today(learner, clock)
    assert selectors.review_summary(learner, until).due == 0  # cached: the exam is not final
    before = {exam.code: exam.trend for exam in selectors.exam_readiness(learner, clock.now)}

    finish_session(session=exam)  # completed at its deadline, 60 days ago

    summary = selectors.review_summary(learner, until)
    assert summary == reference_review(learner, until)
    assert summary.due == 1  # the exam's wrong answer, long overdue
    after = {exam.code: exam.trend for exam in selectors.exam_readiness(learner, clock.now)}
    assert after == reference_readiness(learner, clock.now)
    assert after != before
    assert selectors.due_for_review(learner, until) == [questions[0].pk]


def test_an_answer_recorded_after_a_newer_one_was_read_is_not_missed(learner, questions, clock):
    """Two tabs: an answer made before the newest one read can commit after it was read."""
    make_history(learner, questions, 40, end=clock.now - timedelta(days=2), days=60)
    first_tab = start(learner, questions[:2])
    second_tab = start(learner, questions[2:4])
    answer(first_tab, questions[0], right=True)
    earlier = clock.now
    clock.advance(minutes=5)
    answer(first_tab, questions[1], right=True)
    until = end_of_today(learner, clock)
    selectors.review_summary(learner, until)  # reads the recent answers up to the newest

    clock.set(earlier)  # the second tab's answer carries an earlier time than the newest one read
    answer(second_tab, questions[2], right=False)
    clock.advance(minutes=10)

    summary = selectors.review_summary(learner, end_of_today(learner, clock))
    assert summary == reference_review(learner, end_of_today(learner, clock))
    assert {exam.code: exam.trend for exam in selectors.exam_readiness(learner, clock.now)} == \
        reference_readiness(learner, clock.now)
