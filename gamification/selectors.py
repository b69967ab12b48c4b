"""Read-side queries of the dashboard: each a fixed number of SQL queries whatever the learner's
history, aggregated in PostgreSQL (only days, categories, exams or badges come back), except readiness
and review, which read the last weeks' answers and a cached summary of the older ones (history.py)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.core.cache import cache
from django.db.models import IntegerField, OuterRef, Subquery
from django.utils import timezone

from gamification import history, rules
from gamification.history import FINAL_SESSION, fetch
from gamification.models import Badge, LeaderboardProfile, RequirementType, UserBadge, UserProgress
from quizzes.models import Category, QuizSession, SessionQuestion
from quizzes.selectors import CATALOGUE_TTL, catalogue_version

# An answer is final (counted in progress) when given in practice, or once its exam is completed.
FINAL = f"sq.answered_at IS NOT NULL AND {FINAL_SESSION}"


def day_start(day: date, tzinfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tzinfo)


# Daily activity --------------------------------------------------------------------------------

# Every answer moves its session's last_activity_at, so only the sessions active since the first
# day are searched (as for the daily question limit): the cost follows the weeks shown, not the history.
DAILY_ACTIVITY_SQL = f"""
SELECT width_bucket(sq.answered_at, %(bounds)s::timestamptz[]) AS day_number,
       count(*), count(*) FILTER (WHERE sq.is_correct)
  FROM session_questions sq
 WHERE sq.session_id = ANY (ARRAY(
         SELECT quiz.id FROM quiz_sessions quiz
          WHERE quiz.user_id = %(user)s AND quiz.last_activity_at >= %(start)s AND {FINAL_SESSION}))
   AND sq.answered_at >= %(start)s AND sq.answered_at < %(end)s
 GROUP BY day_number
"""


def daily_activity(user, first_day: date, last_day: date, tzinfo) -> dict[date, tuple[int, int]]:
    """{local day: (answers, right answers)} between two days of the learner's calendar. The
    day boundaries come from Python's zoneinfo, so days of 23 or 25 hours count right."""
    days = [first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1)]
    bounds = [day_start(day, tzinfo) for day in days] + [day_start(last_day + timedelta(days=1), tzinfo)]
    rows = fetch(DAILY_ACTIVITY_SQL, {"bounds": bounds, "user": user.pk, "start": bounds[0], "end": bounds[-1]})
    return {days[number - 1]: (answered, correct) for number, answered, correct in rows}


# Smart review and exam readiness: from the learner's history (gamification.history) ---------------

def load_history(user, now: datetime | None = None, version: str | None = None, total: int | None = None):
    return history.load(user, now or timezone.now(), version=version or catalogue_version(), total=total)


def review_summary(user, until: datetime, learner_history=None) -> history.ReviewSummary:
    """Questions due before `until` (the end of the learner's today), due later, and retired."""
    return history.review_summary(learner_history or load_history(user), until)


def due_for_review(user, until: datetime, limit: int = rules.REVIEW_QUIZ_SIZE, learner_history=None) -> list:
    """The ids of the questions due before `until`, most overdue first."""
    return history.due_for_review(learner_history or load_history(user), until, limit)


# The categories of each active exam that readiness covers: active ones with a question the learner
# may see in the exam. A DISTINCT over the bank's junction tables (~100 ms at 100,000 questions),
# cached under the catalogue's version, which quizzes.receivers changes whenever exams, categories,
# questions or their links change.
EXAM_CATEGORIES_SQL = """
SELECT exam.id, exam.code, exam.name, ARRAY(
         SELECT DISTINCT category_link.category_id
           FROM question_exams exam_link
           JOIN question_categories category_link ON category_link.question_id = exam_link.question_id
           JOIN questions question ON question.id = exam_link.question_id
           JOIN categories category ON category.id = category_link.category_id
          WHERE exam_link.exam_id = exam.id AND question.status = 'active' AND category.is_active
            AND (%(premium)s OR NOT question.is_premium))
  FROM exams exam
 WHERE exam.is_active
 ORDER BY exam.display_order, exam.name
"""


def exam_categories_key(premium: bool, version: str) -> str:
    return f"gamification:exam-categories:{version}:{int(premium)}"


def exam_categories(user, version: str) -> list[tuple]:
    """[(exam id, code, name, category ids)] of the active exams, in display order; cached."""
    premium = bool(getattr(user, "has_premium", False))
    return cache.get_or_set(
        exam_categories_key(premium, version),
        lambda: [(exam_id, code, name, tuple(categories))
                 for exam_id, code, name, categories in fetch(EXAM_CATEGORIES_SQL, {"premium": premium})],
        CATALOGUE_TTL,
    )


def exam_readiness(user, now: datetime) -> list[history.Readiness]:
    """Per active exam: readiness now and at the same time 1, 2, ... weeks ago (see rules.readiness)."""
    return exam_readiness_until(user, now)[0]


def exam_readiness_until(
    user, now: datetime, version: str | None = None, learner_history=None
) -> tuple[list[history.Readiness], datetime | None]:
    """exam_readiness, and the moment until which it stays the same without a new answer (None:
    for good), so that it can be cached."""
    version = version or catalogue_version()
    learner_history = learner_history or load_history(user, now, version)
    return history.readiness(learner_history, now, exam_categories(user, version))


# Weekly leaderboard -----------------------------------------------------------------------------

LEADERBOARD_SQL = f"""
WITH week_answers AS (
  SELECT quiz.user_id, quiz.id AS session_id, sq.is_correct, quiz.completed_at,
         CASE WHEN quiz.mode = 'exam' THEN quiz.completed_at ELSE sq.answered_at END AS final_at
    FROM leaderboard_profiles profile
    JOIN quiz_sessions quiz ON quiz.user_id = profile.user_id
    JOIN session_questions sq ON sq.session_id = quiz.id
   WHERE {FINAL} AND (quiz.last_activity_at >= %(start)s OR quiz.completed_at >= %(start)s)
), answer_xp AS (
  SELECT user_id, sum(CASE WHEN is_correct THEN %(right)s ELSE %(wrong)s END) AS xp
    FROM week_answers WHERE final_at >= %(start)s GROUP BY user_id
), bonus_xp AS (
  SELECT user_id, count(*) * %(bonus)s AS xp
    FROM (SELECT user_id, session_id FROM week_answers WHERE completed_at >= %(start)s
           GROUP BY user_id, session_id HAVING count(*) >= %(bonus_min)s) finished
   GROUP BY user_id
), ranked AS (
  SELECT profile.user_id, profile.display_name, COALESCE(answer_xp.xp, 0) + COALESCE(bonus_xp.xp, 0) AS xp
    FROM leaderboard_profiles profile
    LEFT JOIN answer_xp ON answer_xp.user_id = profile.user_id
    LEFT JOIN bonus_xp ON bonus_xp.user_id = profile.user_id
)
SELECT position, display_name, xp, user_id = %(me)s
  FROM (SELECT *, rank() OVER (ORDER BY xp DESC) AS position FROM ranked WHERE xp > 0) positions
 WHERE position <= %(size)s OR user_id = %(me)s
 ORDER BY position, lower(display_name)
"""


@dataclass(frozen=True)
class LeaderboardRow:
    position: int
    display_name: str
    xp: int
    is_me: bool


def week_start(now: datetime) -> datetime:
    """Leaderboard weeks run from Monday 00:00 UTC, the same for every learner."""
    today = now.astimezone(UTC).date()
    return day_start(today - timedelta(days=today.weekday()), UTC)


def weekly_leaderboard(user, now: datetime) -> list[LeaderboardRow]:
    """The top of the week by XP among learners who opted in, and the viewer's own row."""
    params = {
        "start": week_start(now),
        "right": rules.XP_PER_CORRECT_ANSWER,
        "wrong": rules.XP_PER_WRONG_ANSWER,
        "bonus": rules.XP_SESSION_BONUS,
        "bonus_min": rules.SESSION_BONUS_MIN_ANSWERS,
        "size": rules.LEADERBOARD_SIZE,
        "me": user.pk if user else None,
    }
    return [LeaderboardRow(*row) for row in fetch(LEADERBOARD_SQL, params)]


def leaderboard_profile(user) -> LeaderboardProfile | None:
    return LeaderboardProfile.objects.filter(user=user).first()


# Progress, categories, badges, sessions ---------------------------------------------------------

def progress_of(user) -> UserProgress | None:
    return UserProgress.objects.filter(user=user).first()


@dataclass(frozen=True)
class CategoryMastery:
    code: str
    name: str
    attempted: int
    correct: int

    @property
    def percentage(self) -> int:
        return round(100 * self.correct / self.attempted) if self.attempted else 0

    @property
    def is_mastered(self) -> bool:
        return self.attempted >= rules.MASTERY_MIN_ATTEMPTS and self.percentage >= rules.MASTERY_THRESHOLD


def category_mastery(progress: UserProgress | None) -> list[CategoryMastery]:
    """Every active category with the learner's counts from category_stats (zeros if never tried)."""
    stats = progress.category_stats if progress else {}
    rows = []
    for code, name in Category.objects.active().values_list("code", "name"):
        counts = stats.get(code) or {}
        rows.append(CategoryMastery(code, name, int(counts.get("attempted", 0)), int(counts.get("correct", 0))))
    return rows


def weak_areas(mastery: list[CategoryMastery]) -> list[CategoryMastery]:
    """The lowest-accuracy categories with enough attempts, short of mastery."""
    candidates = [
        row for row in mastery
        if row.attempted >= rules.WEAK_AREA_MIN_ATTEMPTS and row.percentage < rules.MASTERY_THRESHOLD
    ]
    return sorted(candidates, key=lambda row: (row.percentage, -row.attempted, row.name))[: rules.WEAK_AREA_COUNT]


@dataclass(frozen=True)
class BadgeStatus:
    badge: Badge
    unlocked_at: datetime | None
    requirement: str
    so_far: str


def badge_statuses(user, progress: UserProgress | None, mastery: list[CategoryMastery]) -> list[BadgeStatus]:
    unlocked = UserBadge.objects.filter(user=user, badge=OuterRef("pk")).values("unlocked_at")[:1]
    names = {row.code: row for row in mastery}
    statuses = []
    for badge in Badge.objects.annotate(unlocked_at=Subquery(unlocked)):
        requirement, so_far = describe_requirement(badge, progress, names.get(badge.requirement_category))
        statuses.append(BadgeStatus(badge, badge.unlocked_at, requirement, so_far))
    return statuses


def describe_requirement(badge: Badge, progress, category: CategoryMastery | None) -> tuple[str, str]:
    value = badge.requirement_value
    total = progress.total_questions if progress else 0
    if badge.requirement_type == RequirementType.QUESTIONS_SOLVED:
        return f"Answer {value} questions", f"{min(total, value)} of {value}"
    if badge.requirement_type == RequirementType.ACCURACY:
        accuracy = progress.accuracy if progress else 0
        return (
            f"Overall accuracy of {value}% or more after at least {rules.ACCURACY_BADGE_MIN_ANSWERS} answers",
            f"{accuracy}% over {total} answers",
        )
    if badge.requirement_type == RequirementType.STREAK:
        streak = progress.streak if progress else 0
        return f"Study {value} days in a row", f"a streak of {streak} day{'s' if streak != 1 else ''}"
    if badge.requirement_type == RequirementType.CATEGORY_MASTERY:
        name = category.name if category else badge.requirement_category
        attempted, percentage = (category.attempted, category.percentage) if category else (0, 0)
        return (
            f"{value}% or more right in {name} after at least {rules.MASTERY_MIN_ATTEMPTS} answers",
            f"{percentage}% over {attempted} answers",
        )
    return badge.description, ""


class AnsweredCount(Subquery):
    """The answered questions of each session shown, counted in a correlated subquery: evaluated
    for the few rows the LIMIT keeps, not aggregated over every session of the learner."""

    template = "(SELECT count(*) FROM (%(subquery)s) answered)"
    output_field = IntegerField()


def recent_sessions(user) -> list[QuizSession]:
    answered = SessionQuestion.objects.filter(session=OuterRef("pk"), answered_at__isnull=False).values("pk")
    return list(
        QuizSession.objects.filter(user=user)
        .select_related("exam", "category")
        .annotate(answered_count=AnsweredCount(answered))
        .order_by("-started_at")[: rules.RECENT_SESSIONS]
    )
