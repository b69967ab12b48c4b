"""Every rule of progress and gamification, in Python, in one place: the answer's receiver
(gamification.progress) applies them as each answer becomes final, `recompute_progress` replays the
answers through the same code, and the help page prints the numbers. After changing a rule, run
`manage.py recompute_progress` to rebuild the stored progress with it."""

from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from math import isqrt

import fsrs

# XP
XP_PER_CORRECT_ANSWER = 10
XP_PER_WRONG_ANSWER = 2
XP_SESSION_BONUS = 25
SESSION_BONUS_MIN_ANSWERS = 5  # a finished quiz earns the bonus only with at least this many answers

# Levels: reaching level L takes LEVEL_STEP_XP * L * (L - 1) / 2 XP in total, so each level needs
# LEVEL_STEP_XP more than the one before (100, 200, 300, ... with the default).
LEVEL_STEP_XP = 100

# Study time: the seconds between an answer and the previous answer in the same quiz (or the
# quiz's start), capped so an idle tab does not count.
STUDY_SECONDS_CAP_PER_ANSWER = 5 * 60

# Badges
ACCURACY_BADGE_MIN_ANSWERS = 20
MASTERY_MIN_ATTEMPTS = 10

# Dashboard
MASTERY_THRESHOLD = 80  # percent: a category at or above it counts as mastered
WEAK_AREA_MIN_ATTEMPTS = 5
WEAK_AREA_COUNT = 3
WEAK_AREA_QUIZ_SIZE = 10
HEATMAP_WEEKS = 12
HEATMAP_LEVELS = (1, 5, 15, 30)  # answers in a day for heat levels 1, 2, 3 and 4
ACCURACY_CHART_DAYS = 30
RECENT_SESSIONS = 5

# Smart review: FSRS (the `fsrs` package, Anki's scheduler) with its default weights. No learning
# steps (a question seen in a quiz is reviewed days later, not minutes) and no fuzzing, so that
# replaying the answers gives the same due dates.
REVIEW_DESIRED_RETENTION = 0.9
REVIEW_LONG_THINK_SECONDS = 60  # a right answer after longer than this is rated Hard
REVIEW_QUIZ_SIZE = 20
SCHEDULER = fsrs.Scheduler(
    desired_retention=REVIEW_DESIRED_RETENTION, learning_steps=(), relearning_steps=(), enable_fuzzing=False
)

# Exam readiness: per category, the answers of each week count READINESS_WEEK_WEIGHT times as much
# as those of the week after (weights by the answers' weeks, not their order, so answers counted in
# any order, two tabs or an exam submitted late, give the same figures).
READINESS_WEEK_WEIGHT = 0.7
READINESS_WEEKS = 12  # weeks of answers kept, counting back from the newest
READINESS_ANSWERS_PER_CATEGORY = 10  # answers in those weeks for a category's full weight (its coverage)
READINESS_TREND_WEEKS = 4

# Leaderboard
LEADERBOARD_SIZE = 10


def xp_for_answer(is_correct: bool) -> int:
    return XP_PER_CORRECT_ANSWER if is_correct else XP_PER_WRONG_ANSWER


def session_bonus(answered: int) -> int:
    return XP_SESSION_BONUS if answered >= SESSION_BONUS_MIN_ANSWERS else 0


def xp_for_level(level: int) -> int:
    """Total XP needed to reach `level` (level 1 needs none)."""
    return LEVEL_STEP_XP * level * (level - 1) // 2


def level_for_xp(experience: int) -> int:
    level = (1 + isqrt(1 + 8 * max(experience, 0) // LEVEL_STEP_XP)) // 2
    while xp_for_level(level + 1) <= experience:
        level += 1
    while level > 1 and xp_for_level(level) > experience:
        level -= 1
    return level


def accuracy(correct: int, total: int) -> Decimal:
    if not total:
        return Decimal("0.00")
    return (Decimal(100 * correct) / Decimal(total)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def study_seconds(seconds: int) -> int:
    return max(0, min(STUDY_SECONDS_CAP_PER_ANSWER, seconds))


def local_day(moment: datetime, tzinfo) -> date:
    return moment.astimezone(tzinfo).date()


def week_of(day: date) -> date:
    """The Monday of the day's week."""
    return day - timedelta(days=day.weekday())


def advance_streak(streak: int, last_day: date | None, day: date) -> tuple[int, date]:
    """One day with an answer: the same day changes nothing, the next day adds one, a later day
    after a gap starts again at 1, and an earlier day (an exam answer counted late) is ignored."""
    if last_day is None:
        return 1, day
    if day == last_day + timedelta(days=1):
        return streak + 1, day
    if day > last_day:
        return 1, day
    return streak, last_day


def current_streak(streak: int, last_day: date | None, today: date) -> int:
    """The stored streak is the one reached on the last study day; it is broken after a missed day."""
    if last_day is None or last_day < today - timedelta(days=1):
        return 0
    return streak


def heat_level(answers: int) -> int:
    return sum(1 for threshold in HEATMAP_LEVELS if answers >= threshold)


def review_rating(is_correct: bool, seconds: int) -> fsrs.Rating:
    """Wrong: Again. Right: Good, or Hard after a long think (`seconds` since the previous answer
    of the quiz or its start). Easy is never given: a quiz cannot tell it from Good."""
    if not is_correct:
        return fsrs.Rating.Again
    return fsrs.Rating.Hard if seconds > REVIEW_LONG_THINK_SECONDS else fsrs.Rating.Good


def category_coverage(answered: int) -> float:
    return min(answered, READINESS_ANSWERS_PER_CATEGORY) / READINESS_ANSWERS_PER_CATEGORY


def readiness_score(categories: dict[str, dict[str, list[int]]], week: date) -> int:
    """Exam readiness at the end of `week`, 0 to 100, from {category code: {Monday (ISO date):
    [answers, right answers]}}: the mean, over the categories answered in the READINESS_WEEKS up to
    `week`, of weighted accuracy times coverage (each category weighs the same)."""
    parts = []
    for weeks in categories.values():
        weighted = weighted_right = 0.0
        answered = 0
        for monday, (count, right) in sorted(weeks.items()):
            age = (week - date.fromisoformat(monday)).days // 7
            if 0 <= age < READINESS_WEEKS:
                weight = READINESS_WEEK_WEIGHT**age
                weighted += weight * count
                weighted_right += weight * right
                answered += count
        if answered:
            parts.append(weighted_right / weighted * category_coverage(answered))
    return round(100 * sum(parts) / len(parts)) if parts else 0


def qualifies_for(badge, progress) -> bool:
    """Whether the progress row meets the badge's requirement."""
    value = badge.requirement_value
    if badge.requirement_type == "questions_solved":
        return progress.total_questions >= value
    if badge.requirement_type == "accuracy":
        return progress.total_questions >= ACCURACY_BADGE_MIN_ANSWERS and progress.accuracy >= value
    if badge.requirement_type == "streak":
        return progress.streak >= value
    if badge.requirement_type == "category_mastery":
        counts = progress.category_stats.get(badge.requirement_category) or {}
        attempted, correct = counts.get("attempted", 0), counts.get("correct", 0)
        return attempted >= MASTERY_MIN_ATTEMPTS and 100 * correct >= value * attempted
    return False
