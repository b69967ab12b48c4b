"""daily_activity rows: what each day of the learner's calendar holds, written by each answer."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from gamification import rules
from gamification.models import DailyActivity, ReviewCard
from gamification.progress import differences
from quizzes.models import QuizMode
from quizzes.services import finish_session
from tests.helpers.gamification import answer, progress_of, start


def days(learner):
    return {row.day: (row.answered, row.correct, row.study_seconds, row.xp)
            for row in DailyActivity.objects.filter(user=learner)}


def test_a_day_row_adds_answers_rights_study_seconds_and_xp_and_the_bonus_on_the_day_finished(learner, questions, clock):
    learner.time_zone = "America/New_York"
    learner.save(update_fields=["time_zone"])
    clock.set(datetime(2025, 3, 4, 4, 50, tzinfo=UTC))  # 23:50 on the 3rd in New York
    count = rules.SESSION_BONUS_MIN_ANSWERS
    session = start(learner, questions[:count])
    for index, question in enumerate(questions[:count]):
        clock.advance(seconds=4 * 60)  # the last two answers on the 4th, New York time
        answer(session, question, right=index != 1)
    finish_session(session=session)

    right, wrong = rules.XP_PER_CORRECT_ANSWER, rules.XP_PER_WRONG_ANSWER
    assert days(learner) == {
        date(2025, 3, 3): (2, 1, 480, right + wrong),
        date(2025, 3, 4): (3, 3, 720, 3 * right + rules.XP_SESSION_BONUS),
    }
    assert sum(xp for *_, xp in days(learner).values()) == progress_of(learner).experience


def test_an_exam_submitted_late_adds_its_answers_on_their_days_in_the_order_given(learner, questions, clock):
    berlin = ZoneInfo("Europe/Berlin")
    learner.time_zone = "Europe/Berlin"
    learner.save(update_fields=["time_zone"])
    clock.set(datetime(2025, 3, 3, 10, tzinfo=berlin).astimezone(UTC))
    exam = start(learner, questions[:2], mode=QuizMode.EXAM)
    answer(exam, questions[0], right=False)
    clock.advance(minutes=1)
    answer(exam, questions[1], right=True)
    clock.advance(days=1)
    # Practice on the 4th, on a question outside the open exam (its own questions are held back).
    answer(start(learner, questions[2:3]), questions[2], right=True)
    clock.advance(days=1)
    assert days(learner) == {date(2025, 3, 4): (1, 1, 0, rules.XP_PER_CORRECT_ANSWER)}

    finish_session(session=exam)  # on the 5th

    assert set(days(learner)) == {date(2025, 3, 3), date(2025, 3, 4)}
    assert days(learner)[date(2025, 3, 3)][:2] == (2, 1)
    card = ReviewCard.objects.get(user=learner, question=questions[0])
    assert (card.reviews, card.lapses) == (1, 1)  # the exam's answer, counted late
    progress = progress_of(learner)
    assert (progress.streak, progress.last_study_day) == (1, date(2025, 3, 4))  # an earlier day is ignored
    assert differences(learner) == []
