from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from gamification.models import Badge, UserBadge, UserProgress
from quizzes.models import QuizMode
from quizzes.services import finish_session
from tests.gamification.conftest import answer, start


def recompute(*args) -> str:
    out = StringIO()
    call_command("recompute_progress", *args, stdout=out)
    return out.getvalue()


def snapshot():
    return {row["user_id"]: row for row in UserProgress.objects.values()}


@pytest.fixture
def history(learner, other_learner, questions, demo_badges, clock):
    """Three days of practice and a submitted exam for one learner, a little practice for another."""
    for day in range(3):
        session = start(learner, questions[day * 3 : day * 3 + 5])
        for index, question in enumerate(questions[day * 3 : day * 3 + 5]):
            clock.advance(seconds=35)
            answer(session, question, right=index % 3 != 1)
        finish_session(session=session)
        clock.advance(days=1)
    exam = start(learner, questions[:6], mode=QuizMode.EXAM)
    for question in questions[:6]:
        clock.advance(minutes=1)
        answer(exam, question, right=question != questions[2])
    finish_session(session=exam)
    answer(start(other_learner, questions[:2]), questions[1], right=False)
    return learner


def test_on_consistent_data_it_reports_no_drift_and_changes_nothing(history):
    before = snapshot()

    output = recompute("--fix")

    assert output.strip() == "Checked 2 learners: 0 with drift, 0 badges to unlock."
    assert snapshot() == before


def test_it_reports_deliberate_drift_without_changing_anything(history):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE user_progress SET total_questions = total_questions + 3, experience = 7,"
            " category_stats = jsonb_set(category_stats, '{OSPF,correct}', '0') WHERE user_id = %s",
            [history.pk],
        )
    drifted = snapshot()

    output = recompute()

    line = next(line for line in output.splitlines() if line.startswith("alice:"))
    assert "experience 7 → 254" in line
    assert "total_questions 24 → 21" in line
    assert "category_stats OSPF 0/15 right → 10/15 right" in line
    assert output.splitlines()[-1] == "Checked 2 learners: 1 with drift, 0 badges to unlock. Run with --fix to correct."
    assert snapshot() == drifted


def test_fix_restores_what_the_answers_say(history):
    consistent = UserProgress.objects.get(user=history)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE user_progress SET total_questions = 0, correct_answers = 1, accuracy = 1.5, level = 9,"
            " streak = 30, study_time = 0, study_seconds = 0, last_study_date = NULL,"
            " category_stats = '{\"version\": 1}' WHERE user_id = %s",
            [history.pk],
        )

    output = recompute("--fix")

    assert "1 with drift" in output and "Fixed." in output
    fixed = UserProgress.objects.get(user=history)
    for field in ("total_questions", "correct_answers", "accuracy", "level", "experience", "streak",
                  "study_time", "study_seconds", "last_study_date", "last_study_day", "category_stats"):
        assert getattr(fixed, field) == getattr(consistent, field), field
    assert "0 with drift" in recompute()


def test_fix_creates_a_missing_progress_row(history):
    expected = UserProgress.objects.get(user=history)
    UserProgress.objects.filter(user=history).delete()

    assert "alice: progress row missing → created" in recompute("--fix")

    assert UserProgress.objects.get(user=history).total_questions == expected.total_questions


def test_fix_unlocks_a_badge_added_after_the_learner_qualified(history):
    Badge.objects.create(
        name="Twenty", description="Answer 20.", icon="*", category="test", requirement_type="questions_solved",
        requirement_value=20,
    )

    assert "alice: badge Twenty not unlocked yet" in recompute()
    assert "alice: badge Twenty unlocked" in recompute("--fix")
    assert UserBadge.objects.filter(user=history, badge__name="Twenty").exists()


def test_a_learner_with_an_unfinished_exam_only_needs_no_row(learner, questions, clock):
    exam = start(learner, questions[:2], mode=QuizMode.EXAM)
    answer(exam, questions[0])
    clock.advance(minutes=5)

    assert recompute().strip() == "Checked 1 learner: 0 with drift, 0 badges to unlock."
    assert not UserProgress.objects.filter(user=learner).exists()


def test_rules_changed_since_the_answers_are_applied_by_fix(history, monkeypatch):
    from gamification import rules

    before = UserProgress.objects.get(user=history).experience
    monkeypatch.setattr(rules, "XP_SESSION_BONUS", rules.XP_SESSION_BONUS + 5)

    assert "experience" in recompute("--fix")

    assert UserProgress.objects.get(user=history).experience == before + 4 * 5  # four finished quizzes
