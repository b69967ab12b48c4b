"""Every tunable number of progress and gamification, and the pure functions that read them.

The SQL in services.py and selectors.py is built from these constants, and the help page prints
them, so a change here changes the rules everywhere. After changing a number, run
`manage.py recompute_progress --fix` to bring stored progress in line with the new rules.
"""

from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from math import isqrt

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

# Smart review (spaced repetition)
REVIEW_INTERVALS_DAYS = (1, 3, 7, 14, 30)
REVIEW_RETIRE_AFTER = len(REVIEW_INTERVALS_DAYS)  # right answers in a row since the last wrong one
REVIEW_QUIZ_SIZE = 20

# Exam readiness
READINESS_RECENT_ANSWERS = 50
READINESS_ANSWERS_PER_CATEGORY = 10
READINESS_TREND_WEEKS = 4

# Leaderboard
LEADERBOARD_SIZE = 10


def xp_for_answers(correct: int, wrong: int) -> int:
    return correct * XP_PER_CORRECT_ANSWER + wrong * XP_PER_WRONG_ANSWER


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


def level_sql(experience_sql: str) -> str:
    """The same curve in SQL; numeric SQRT is exact on the perfect squares at each threshold."""
    return f"FLOOR((1 + SQRT(1 + 8 * GREATEST({experience_sql}, 0)::numeric / {int(LEVEL_STEP_XP)})) / 2)::int"


def accuracy(correct: int, total: int) -> Decimal:
    if not total:
        return Decimal("0.00")
    return (Decimal(100 * correct) / Decimal(total)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def study_seconds(gap: timedelta) -> int:
    return max(0, min(STUDY_SECONDS_CAP_PER_ANSWER, gap // timedelta(seconds=1)))


def local_day(moment: datetime, tzinfo) -> date:
    return moment.astimezone(tzinfo).date()


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


def review_interval(right_in_a_row: int) -> timedelta | None:
    if right_in_a_row >= REVIEW_RETIRE_AFTER:
        return None
    return timedelta(days=REVIEW_INTERVALS_DAYS[right_in_a_row])


def readiness(answered: int, correct: int, coverage: float) -> int:
    """Exam readiness, 0 to 100: recent accuracy times category coverage."""
    if not answered:
        return 0
    return round(100 * correct / answered * coverage)


def category_coverage(answered: int) -> float:
    return min(answered, READINESS_ANSWERS_PER_CATEGORY) / READINESS_ANSWERS_PER_CATEGORY
