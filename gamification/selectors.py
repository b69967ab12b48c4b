"""Read-side queries of the dashboard: each a fixed number of SQL queries whatever the learner's
history, aggregated in PostgreSQL (only days, categories, exams or badges come back, never answers)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db import connection
from django.db.models import Count, OuterRef, Q, Subquery

from gamification import rules
from gamification.models import Badge, LeaderboardProfile, RequirementType, UserBadge, UserProgress
from quizzes.models import Category, QuizSession

# An answer is final (counted in progress) when given in practice, or once its exam is completed.
FINAL = "sq.answered_at IS NOT NULL AND (quiz.mode <> 'exam' OR quiz.completed_at IS NOT NULL)"


def fetch(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def day_start(day: date, tzinfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tzinfo)


# Daily activity --------------------------------------------------------------------------------

DAILY_ACTIVITY_SQL = f"""
SELECT width_bucket(sq.answered_at, %(bounds)s::timestamptz[]) AS day_number,
       count(*), count(*) FILTER (WHERE sq.is_correct)
  FROM session_questions sq JOIN quiz_sessions quiz ON quiz.id = sq.session_id
 WHERE quiz.user_id = %(user)s AND {FINAL} AND sq.answered_at >= %(start)s AND sq.answered_at < %(end)s
 GROUP BY day_number
"""


def daily_activity(user, first_day: date, last_day: date, tzinfo) -> dict[date, tuple[int, int]]:
    """{local day: (answers, right answers)} between two days of the learner's calendar. The
    day boundaries come from Python's zoneinfo, so days of 23 or 25 hours count right."""
    days = [first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1)]
    bounds = [day_start(day, tzinfo) for day in days] + [day_start(last_day + timedelta(days=1), tzinfo)]
    rows = fetch(DAILY_ACTIVITY_SQL, {"bounds": bounds, "user": user.pk, "start": bounds[0], "end": bounds[-1]})
    return {days[number - 1]: (answered, correct) for number, answered, correct in rows}


# Smart review -----------------------------------------------------------------------------------

REVIEW_SCHEDULE_SQL = f"""
WITH answers AS (
  SELECT sq.question_id, sq.answered_at,
         max(sq.answered_at) FILTER (WHERE NOT sq.is_correct) OVER (PARTITION BY sq.question_id) AS last_wrong_at
    FROM session_questions sq JOIN quiz_sessions quiz ON quiz.id = sq.session_id
   WHERE quiz.user_id = %(user)s AND {FINAL}
), schedule AS (
  SELECT question_id, max(answered_at) AS last_answered_at,
         count(*) FILTER (WHERE answered_at > last_wrong_at)::int AS right_in_a_row
    FROM answers WHERE last_wrong_at IS NOT NULL GROUP BY question_id
), due AS (
  SELECT schedule.question_id, schedule.last_answered_at
           + make_interval(days => (%(intervals)s::int[])[schedule.right_in_a_row + 1]) AS due_at
    FROM schedule JOIN questions question ON question.id = schedule.question_id
   WHERE schedule.right_in_a_row < %(retire)s AND question.status = 'active'
     AND (%(premium)s OR NOT question.is_premium)
)
"""


@dataclass(frozen=True)
class ReviewSummary:
    due: int
    scheduled: int
    retired: int
    next_due_at: datetime | None


def review_params(user, until: datetime, **extra) -> dict:
    return {
        "user": user.pk,
        "intervals": list(rules.REVIEW_INTERVALS_DAYS),
        "retire": rules.REVIEW_RETIRE_AFTER,
        "premium": bool(getattr(user, "has_premium", False)),
        "until": until,
        **extra,
    }


def review_summary(user, until: datetime) -> ReviewSummary:
    """Questions due before `until` (the end of the learner's today), due later, and retired."""
    sql = REVIEW_SCHEDULE_SQL + """
SELECT (SELECT count(*) FROM due WHERE due_at < %(until)s),
       (SELECT count(*) FROM due WHERE due_at >= %(until)s),
       (SELECT count(*) FROM schedule WHERE right_in_a_row >= %(retire)s),
       (SELECT min(due_at) FROM due WHERE due_at >= %(until)s)
"""
    return ReviewSummary(*fetch(sql, review_params(user, until))[0])


def due_for_review(user, until: datetime, limit: int = rules.REVIEW_QUIZ_SIZE) -> list:
    """The ids of the questions due before `until`, most overdue first."""
    sql = REVIEW_SCHEDULE_SQL + "SELECT question_id FROM due WHERE due_at < %(until)s ORDER BY due_at LIMIT %(limit)s"
    return [question_id for (question_id,) in fetch(sql, review_params(user, until, limit=limit))]


# Exam readiness ---------------------------------------------------------------------------------

READINESS_SQL = f"""
WITH answers AS (
  SELECT link.exam_id, sq.question_id, sq.answered_at, sq.is_correct
    FROM session_questions sq
    JOIN quiz_sessions quiz ON quiz.id = sq.session_id
    JOIN question_exams link ON link.question_id = sq.question_id
   WHERE quiz.user_id = %(user)s AND {FINAL}
), cutoffs AS (
  SELECT cutoff.at, cutoff.number FROM unnest(%(cutoffs)s::timestamptz[]) WITH ORDINALITY AS cutoff(at, number)
), recent AS (
  SELECT cutoffs.number, answers.exam_id, answers.is_correct,
         row_number() OVER (PARTITION BY cutoffs.number, answers.exam_id ORDER BY answers.answered_at DESC) AS position
    FROM answers JOIN cutoffs ON answers.answered_at <= cutoffs.at
), accuracy AS (
  SELECT number, exam_id, count(*) AS answered, count(*) FILTER (WHERE is_correct) AS correct
    FROM recent WHERE position <= %(window)s GROUP BY number, exam_id
), exam_categories AS MATERIALIZED (
  SELECT DISTINCT exam_link.exam_id, category_link.category_id
    FROM question_exams exam_link
    JOIN question_categories category_link ON category_link.question_id = exam_link.question_id
    JOIN questions question ON question.id = exam_link.question_id
    JOIN categories category ON category.id = category_link.category_id
   WHERE question.status = 'active' AND category.is_active AND (%(premium)s OR NOT question.is_premium)
), practised AS MATERIALIZED (
  SELECT cutoffs.number, answers.exam_id, link.category_id, count(*) AS answered
    FROM answers JOIN cutoffs ON answers.answered_at <= cutoffs.at
    JOIN question_categories link ON link.question_id = answers.question_id
   GROUP BY cutoffs.number, answers.exam_id, link.category_id
)
SELECT exam.code, exam.name, cutoffs.number, COALESCE(accuracy.answered, 0), COALESCE(accuracy.correct, 0),
       ARRAY(SELECT COALESCE(practised.answered, 0)
               FROM exam_categories
               LEFT JOIN practised ON practised.number = cutoffs.number AND practised.exam_id = exam.id
                    AND practised.category_id = exam_categories.category_id
              WHERE exam_categories.exam_id = exam.id)
  FROM exams exam CROSS JOIN cutoffs
  LEFT JOIN accuracy ON accuracy.exam_id = exam.id AND accuracy.number = cutoffs.number
 WHERE exam.is_active
 ORDER BY exam.display_order, exam.name, cutoffs.number DESC
"""


@dataclass
class Readiness:
    code: str
    name: str
    answered: int  # in the recent window, now
    trend: list[int]  # oldest first, the last one is now

    @property
    def score(self) -> int:
        return self.trend[-1]

    @property
    def change(self) -> int:
        return self.trend[-1] - self.trend[-2]


def exam_readiness(user, now: datetime) -> list[Readiness]:
    """Per active exam: readiness now and at the same time 1, 2, ... weeks ago (see rules.readiness)."""
    cutoffs = [now - timedelta(weeks=weeks) for weeks in range(rules.READINESS_TREND_WEEKS + 1)]
    params = {
        "user": user.pk,
        "cutoffs": cutoffs,
        "window": rules.READINESS_RECENT_ANSWERS,
        "premium": bool(getattr(user, "has_premium", False)),
    }
    exams = {}
    for code, name, _, answered, correct, per_category in fetch(READINESS_SQL, params):
        coverage = sum(map(rules.category_coverage, per_category)) / len(per_category) if per_category else 0
        exam = exams.setdefault(code, Readiness(code, name, answered, []))
        exam.trend.append(rules.readiness(answered, correct, coverage))
        exam.answered = answered
    return list(exams.values())


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


def recent_sessions(user) -> list[QuizSession]:
    return list(
        QuizSession.objects.filter(user=user)
        .select_related("exam", "category")
        .annotate(answered_count=Count("session_questions", filter=Q(session_questions__answered_at__isnull=False)))
        .order_by("-started_at")[: rules.RECENT_SESSIONS]
    )
