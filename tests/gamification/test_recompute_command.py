import random
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from gamification import progress
from gamification.models import Badge, DailyActivity, ExamReadiness, ReviewCard, UserBadge, UserProgress
from quizzes.factories import ExamFactory, QuestionFactory
from quizzes.models import SessionQuestion, QuizMode
from quizzes.services import finish_session
from tests.helpers.gamification import answer, start


def recompute(*args) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("recompute_progress", *args, stdout=out)
    except SystemExit as exit:
        return exit.code, out.getvalue()
    return 0, out.getvalue()


def snapshot(user=None):
    """Every progress table, as plain values."""
    mine = {"user": user} if user else {}
    progress_rows = UserProgress.objects.filter(**({"pk": user.pk} if user else {}))
    return {
        "progress": sorted(progress_rows.values_list("user_id", *UserProgress.PROGRESS_FIELDS), key=str),
        "days": sorted(DailyActivity.objects.filter(**mine).values_list("user_id", "day", *progress.DAY_FIELDS), key=str),
        "cards": sorted(ReviewCard.objects.filter(**mine).values_list("user_id", "question_id", *progress.CARD_FIELDS),
                        key=str),
        "readiness": sorted(ExamReadiness.objects.filter(**mine).values_list("user_id", "exam_id",
                                                                               *progress.READINESS_FIELDS), key=str),
        "badges": sorted(UserBadge.objects.filter(**mine).values_list("user_id", "badge_id", "unlocked_at"), key=str),
    }


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


def test_on_consistent_data_check_reports_no_difference_and_a_rebuild_changes_nothing(history):
    before = snapshot()

    assert recompute("--check") == (0, "Checked 2 learners: 0 with differences.\n")
    assert recompute() == (0, "Checked 2 learners: 0 with differences.\n")

    assert snapshot() == before


def test_check_reports_deliberate_differences_without_changing_anything(history):
    UserProgress.objects.filter(user=history).update(total_questions=24, experience=7)
    DailyActivity.objects.filter(user=history).order_by("day").first().delete()
    card = ReviewCard.objects.filter(user=history).order_by("due").first()
    ReviewCard.objects.filter(pk=card.pk).update(due=card.due + timedelta(days=3))
    changed = snapshot()

    status, output = recompute("--check")

    lines = output.splitlines()
    assert status == 1
    assert "alice: experience 7 → 254" in lines
    assert "alice: total_questions 24 → 21" in lines
    assert any(line.startswith("alice: day 2025-03-03: missing → {'answered': 5") for line in lines)
    assert any(line.startswith(f"alice: review card {card.question_id}: {{'state'") for line in lines)
    assert lines[-1] == "Checked 2 learners: 1 with differences."
    assert snapshot() == changed


def test_a_rebuild_restores_every_table_from_the_answers(history):
    consistent = snapshot()
    UserProgress.objects.filter(user=history).update(total_questions=0, level=9, streak=30, category_stats={"version": 1})
    DailyActivity.objects.filter(user=history).update(xp=1)
    ReviewCard.objects.filter(user=history).delete()
    ExamReadiness.objects.filter(user=history).update(score=99)

    status, output = recompute("--user", "alice")

    assert (status, output.splitlines()[-1]) == (0, "Checked 1 learner: 1 with differences. Rebuilt.")
    assert snapshot() == consistent


def test_a_rebuild_creates_a_missing_progress_row(history):
    expected = UserProgress.objects.get(user=history)
    UserProgress.objects.filter(user=history).delete()

    assert recompute()[0] == 0

    assert UserProgress.objects.get(user=history).total_questions == expected.total_questions


def test_a_rebuild_unlocks_a_badge_added_after_the_learner_qualified(history):
    Badge.objects.create(
        name="Twenty", description="Answer 20.", icon="*", category="test", requirement_type="questions_solved",
        requirement_value=20,
    )

    assert "alice: badge Twenty not unlocked" in recompute("--check")[1]
    recompute()
    assert UserBadge.objects.filter(user=history, badge__name="Twenty").exists()


def test_a_learner_with_an_unfinished_exam_only_needs_no_row(learner, questions, clock):
    exam = start(learner, questions[:2], mode=QuizMode.EXAM)
    answer(exam, questions[0])
    clock.advance(minutes=5)

    assert recompute("--check") == (0, "Checked 1 learner: 0 with differences.\n")
    assert not UserProgress.objects.filter(user=learner).exists()


def test_rules_changed_since_the_answers_are_applied_by_a_rebuild(history, monkeypatch):
    from gamification import rules

    before = UserProgress.objects.get(user=history).experience
    monkeypatch.setattr(rules, "XP_SESSION_BONUS", rules.XP_SESSION_BONUS + 5)

    assert "experience" in recompute()[1]

    assert UserProgress.objects.get(user=history).experience == before + 4 * 5  # four finished quizzes


def test_an_unknown_user_is_refused(history):
    with pytest.raises(Exception, match="No learner with the username 'nobody'"):
        call_command("recompute_progress", "--user", "nobody")


@pytest.mark.slow
def test_replaying_200_random_answers_equals_what_they_wrote_live(learner, ccna, ospf, qos, demo_badges, clock, settings):
    """Practice and exams (some submitted days later), right and wrong, quick and slow answers,
    over weeks in a zone with a DST change: the replay writes exactly the rows the receiver did."""
    settings.FREE_DAILY_QUESTION_LIMIT = 0  # busy days: no quiz is shortened to the free questions left
    learner.time_zone = "Europe/Berlin"
    learner.save(update_fields=["time_zone"])
    other_exam = ExamFactory(code="OTHER")
    bank = (QuestionFactory.create_batch(15, exams=[ccna], categories=[ospf])
            + QuestionFactory.create_batch(10, exams=[ccna, other_exam], categories=[qos])
            + QuestionFactory.create_batch(5, exams=[other_exam], categories=[ospf, qos]))
    rng = random.Random(15)
    clock.set(clock.now.replace(month=3, day=20))  # Berlin moves its clocks on 30 March 2025
    answered, late_exams = 0, []
    while answered < 200:
        mode = QuizMode.EXAM if rng.random() < 0.25 else QuizMode.PRACTICE
        # An open exam's questions are held back from other quizzes (exam integrity).
        held = set(
            SessionQuestion.objects.filter(
                session__user=learner, session__mode=QuizMode.EXAM, session__completed_at__isnull=True
            ).values_list("question_id", flat=True)
        )
        picked = rng.sample([question for question in bank if question.pk not in held], rng.randint(2, 8))
        session = start(learner, picked, mode=mode)
        for question in picked:
            clock.advance(seconds=rng.choice([5, 30, 59, 61, 200, 900]))
            answer(session, question, right=rng.random() < 0.7)
            answered += 1
        if mode == QuizMode.EXAM and rng.random() < 0.4:
            late_exams.append(session)  # submitted later, after other quizzes
        elif rng.random() < 0.8:
            finish_session(session=session)
        clock.advance(hours=rng.choice([1, 6, 20, 30, 50]))
        if late_exams and rng.random() < 0.3:
            finish_session(session=late_exams.pop(0))
    for session in late_exams:
        finish_session(session=session)
    live = snapshot(learner)
    final_answers = SessionQuestion.objects.filter(session__user=learner, answered_at__isnull=False).exclude(
        session__mode=QuizMode.EXAM, session__completed_at__isnull=True
    )
    assert len(live["cards"]) == final_answers.values("question_id").distinct().count()

    assert progress.differences(learner) == []
    progress.rebuild(user=learner)

    assert snapshot(learner) == live
