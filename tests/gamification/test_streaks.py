"""Streaks count calendar days in the learner's own time zone."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from gamification import rules
from tests.helpers.gamification import answer, progress_of, start


def answer_at(learner, question, moment, clock):
    clock.set(moment)
    answer(start(learner, [question]), question)
    return progress_of(learner)


def test_a_first_answer_starts_a_streak_of_one(learner, questions, clock):
    assert answer_at(learner, questions[0], clock.now, clock).streak == 1


def test_answering_again_the_same_day_does_not_add_to_the_streak(learner, questions, clock):
    answer_at(learner, questions[0], datetime(2025, 3, 3, 8, tzinfo=UTC), clock)
    assert answer_at(learner, questions[1], datetime(2025, 3, 3, 22, tzinfo=UTC), clock).streak == 1


def test_answering_the_next_day_adds_one(learner, questions, clock):
    answer_at(learner, questions[0], datetime(2025, 3, 3, 23, tzinfo=UTC), clock)
    assert answer_at(learner, questions[1], datetime(2025, 3, 4, 0, 30, tzinfo=UTC), clock).streak == 2


def test_a_missed_day_starts_the_streak_again_at_one(learner, questions, clock):
    for day, question in zip((3, 4, 5), questions):
        answer_at(learner, question, datetime(2025, 3, day, 12, tzinfo=UTC), clock)
    assert progress_of(learner).streak == 3

    progress = answer_at(learner, questions[3], datetime(2025, 3, 7, 12, tzinfo=UTC), clock)

    assert (progress.streak, progress.last_study_day) == (1, date(2025, 3, 7))


def test_days_follow_the_learners_time_zone_not_utc(learner, other_learner, questions, clock):
    """23:00 and 01:00 in Tokyo are two days there, but one day (14:00 and 16:00) in UTC."""
    learner.time_zone = "Asia/Tokyo"
    learner.save(update_fields=["time_zone"])
    for person in (learner, other_learner):
        answer_at(person, questions[0], datetime(2025, 3, 3, 14, tzinfo=UTC), clock)
        answer_at(person, questions[1], datetime(2025, 3, 3, 16, tzinfo=UTC), clock)

    assert progress_of(learner).streak == 2
    assert progress_of(learner).last_study_day == date(2025, 3, 4)
    assert progress_of(other_learner).streak == 1


def test_a_late_evening_answer_counts_for_that_evening_west_of_utc(learner, questions, clock):
    """In Los Angeles 20:00 on the 3rd is 04:00 UTC on the 4th: it still counts for the 3rd."""
    learner.time_zone = "America/Los_Angeles"
    learner.save(update_fields=["time_zone"])
    answer_at(learner, questions[0], datetime(2025, 3, 4, 4, tzinfo=UTC), clock)  # 3 March, 20:00
    progress = answer_at(learner, questions[1], datetime(2025, 3, 4, 19, tzinfo=UTC), clock)  # 4 March, 11:00

    assert (progress.streak, progress.last_study_day) == (2, date(2025, 3, 4))


def test_the_short_day_of_the_spring_change_keeps_the_streak(learner, questions, clock):
    """Berlin, 29 and 30 March 2025 at 23:30: the clocks went forward on the 30th (a 23-hour day),
    so the answers are 23 hours apart, yet on consecutive days."""
    learner.time_zone = "Europe/Berlin"
    learner.save(update_fields=["time_zone"])
    berlin = ZoneInfo("Europe/Berlin")
    first = datetime(2025, 3, 29, 23, 30, tzinfo=berlin)
    second = datetime(2025, 3, 30, 23, 30, tzinfo=berlin)
    assert second.astimezone(UTC) - first.astimezone(UTC) == timedelta(hours=23)

    answer_at(learner, questions[0], first, clock)
    progress = answer_at(learner, questions[1], second, clock)

    assert (progress.streak, progress.last_study_day) == (2, date(2025, 3, 30))


def test_the_long_day_of_the_autumn_change_is_still_one_day(learner, questions, clock):
    """Berlin, 26 October 2025 lasted 25 hours: 00:10 and 23:50 that day are 24h40 apart."""
    learner.time_zone = "Europe/Berlin"
    learner.save(update_fields=["time_zone"])
    berlin = ZoneInfo("Europe/Berlin")
    early, late = datetime(2025, 10, 26, 0, 10, tzinfo=berlin), datetime(2025, 10, 26, 23, 50, tzinfo=berlin)
    assert late.astimezone(UTC) - early.astimezone(UTC) == timedelta(hours=24, minutes=40)
    answer_at(learner, questions[0], datetime(2025, 10, 25, 12, 0, tzinfo=berlin), clock)
    answer_at(learner, questions[1], early, clock)

    progress = answer_at(learner, questions[2], late, clock)

    assert (progress.streak, progress.last_study_day) == (2, date(2025, 10, 26))


def test_a_streak_is_shown_broken_after_a_missed_day():
    last = date(2025, 3, 3)
    assert rules.current_streak(5, last, today=date(2025, 3, 3)) == 5
    assert rules.current_streak(5, last, today=date(2025, 3, 4)) == 5  # today still to play
    assert rules.current_streak(5, last, today=date(2025, 3, 5)) == 0
    assert rules.current_streak(0, None, today=date(2025, 3, 5)) == 0
