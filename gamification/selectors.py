"""Read-side queries of the dashboard: each a fixed number of SQL queries whatever the learner's
history, aggregated in PostgreSQL (only days, categories, exams or badges come back, never answers)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.core.cache import cache
from django.db import connection
from django.db.models import IntegerField, OuterRef, Subquery

from gamification import rules
from gamification.models import Badge, LeaderboardProfile, RequirementType, UserBadge, UserProgress
from quizzes.models import Category, QuizSession, SessionQuestion
from quizzes.selectors import CATALOGUE_TTL, catalogue_version

# An answer is final (counted in progress) when given in practice, or once its exam is completed.
FINAL = "sq.answered_at IS NOT NULL AND (quiz.mode <> 'exam' OR quiz.completed_at IS NOT NULL)"

# The learner's final answers, reached through their sessions: session_questions has no user
# column. The ids come first as an array (idx_sessions_user), then each session's answers through
# idx_session_questions_session: a serial plan costing one index probe per session. Joined instead,
# the planner expected a costly nested loop and split it with a parallel seq scan of quiz_sessions
# (the whole table, ~35 ms at 200,000 sessions) per statement.
LEARNER_ANSWERS = """
SELECT sq.question_id, sq.answered_at, sq.is_correct FROM session_questions sq
 WHERE sq.answered_at IS NOT NULL AND sq.session_id = ANY (ARRAY(
   SELECT quiz.id FROM quiz_sessions quiz
    WHERE quiz.user_id = %(user)s AND (quiz.mode <> 'exam' OR quiz.completed_at IS NOT NULL)))
"""


def fetch(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def day_start(day: date, tzinfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tzinfo)


# Daily activity --------------------------------------------------------------------------------

# Every answer moves its session's last_activity_at, so only the sessions active since the first
# day are searched (as for the daily question limit): the cost follows the weeks shown, not the history.
DAILY_ACTIVITY_SQL = """
SELECT width_bucket(sq.answered_at, %(bounds)s::timestamptz[]) AS day_number,
       count(*), count(*) FILTER (WHERE sq.is_correct)
  FROM session_questions sq
 WHERE sq.session_id = ANY (ARRAY(
         SELECT quiz.id FROM quiz_sessions quiz
          WHERE quiz.user_id = %(user)s AND quiz.last_activity_at >= %(start)s
            AND (quiz.mode <> 'exam' OR quiz.completed_at IS NOT NULL)))
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


# Smart review -----------------------------------------------------------------------------------

REVIEW_SCHEDULE_SQL = f"""
WITH answers AS (
  SELECT answer.question_id, answer.answered_at,
         max(answer.answered_at) FILTER (WHERE NOT answer.is_correct)
           OVER (PARTITION BY answer.question_id) AS last_wrong_at
    FROM ({LEARNER_ANSWERS}) answer
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

# The cutoffs are now, a week ago, ... (number 1, 2, ...). An answer's `reach` is how many of them
# it is at or before: it counts at cutoffs 1 to reach. Per exam, the answers ordered newest first
# have a growing reach, so at cutoff n the answers after it (reach < n) are the first positions and
# the last answers before it are the `window` positions after those: one sort of the answers
# instead of one per cutoff. Per-category counts are kept per reach, then summed per cutoff.
READINESS_SQL = """
WITH answers AS MATERIALIZED (
  SELECT answer.question_id, answer.answered_at, answer.is_correct,
         (SELECT count(*) FROM unnest(%(cutoffs)s::timestamptz[]) AS cutoff(at)
           WHERE cutoff.at >= answer.answered_at) AS reach
    FROM ({learner_answers}) answer
), exam_answers AS MATERIALIZED (
  SELECT link.exam_id, answers.question_id, answers.reach, answers.is_correct,
         row_number() OVER (PARTITION BY link.exam_id ORDER BY answers.answered_at DESC) AS position
    FROM answers JOIN question_exams link ON link.question_id = answers.question_id
   WHERE answers.reach > 0
), cutoffs AS (
  SELECT generate_series(1, %(cutoff_count)s) AS number
), by_reach AS (
  SELECT exam_id, reach, count(*) AS answered FROM exam_answers GROUP BY exam_id, reach
), windows AS (
  SELECT cutoffs.number, by_reach.exam_id,
         COALESCE(sum(by_reach.answered) FILTER (WHERE by_reach.reach < cutoffs.number), 0) AS skipped
    FROM by_reach CROSS JOIN cutoffs GROUP BY cutoffs.number, by_reach.exam_id
), accuracy AS (
  SELECT windows.number, windows.exam_id,
         count(*) AS answered, count(*) FILTER (WHERE exam_answers.is_correct) AS correct
    FROM windows JOIN exam_answers ON exam_answers.exam_id = windows.exam_id
     AND exam_answers.position > windows.skipped AND exam_answers.position <= windows.skipped + %(window)s
   GROUP BY windows.number, windows.exam_id
), practised AS MATERIALIZED (
  SELECT exam_answers.exam_id, link.category_id, exam_answers.reach, count(*) AS answered
    FROM exam_answers JOIN question_categories link ON link.question_id = exam_answers.question_id
   GROUP BY exam_answers.exam_id, link.category_id, exam_answers.reach
), exam_categories AS MATERIALIZED (
  {exam_categories}
)
SELECT exam.code, exam.name, cutoffs.number, COALESCE(accuracy.answered, 0), COALESCE(accuracy.correct, 0),
       ARRAY(SELECT COALESCE(sum(practised.answered) FILTER (WHERE practised.reach >= cutoffs.number), 0)::int
               FROM exam_categories
               LEFT JOIN practised
                      ON practised.exam_id = exam.id AND practised.category_id = exam_categories.category_id
              WHERE exam_categories.exam_id = exam.id
              GROUP BY exam_categories.category_id),
       -- The figures stay the same until a cutoff, moving with the clock, passes an answer: an
       -- answer of reach r is passed by cutoff r + 1 at answered_at + r steps.
       (SELECT min(answers.answered_at + answers.reach * make_interval(secs => %(step)s))
          FROM answers WHERE answers.reach < %(cutoff_count)s),
       {pairs}
  FROM exams exam CROSS JOIN cutoffs
  LEFT JOIN accuracy ON accuracy.exam_id = exam.id AND accuracy.number = cutoffs.number
 WHERE exam.is_active
 ORDER BY exam.display_order, exam.name, cutoffs.number DESC
"""

# The exam -> categories map (active categories with a question the learner may see in the exam) is
# a DISTINCT over the whole bank's junction tables (~100 ms at 100,000 questions): it is cached under
# the catalogue's version, which quizzes.receivers changes whenever exams, categories, questions or
# their links change. After a change the readiness query computes it from the bank once and returns
# it (the last column) to be cached, so the dashboard never needs a query of its own for it.
READINESS_FROM_BANK_SQL = READINESS_SQL.format(learner_answers=LEARNER_ANSWERS, exam_categories="""
  SELECT DISTINCT exam_link.exam_id, category_link.category_id
    FROM question_exams exam_link
    JOIN question_categories category_link ON category_link.question_id = exam_link.question_id
    JOIN questions question ON question.id = exam_link.question_id
    JOIN categories category ON category.id = category_link.category_id
   WHERE question.status = 'active' AND category.is_active AND (%(premium)s OR NOT question.is_premium)
""", pairs="ARRAY(SELECT ARRAY[exam_id, category_id] FROM exam_categories)")
READINESS_CACHED_PAIRS_SQL = READINESS_SQL.format(
    learner_answers=LEARNER_ANSWERS,
    exam_categories="SELECT * FROM unnest(%(pair_exams)s::uuid[], %(pair_categories)s::uuid[])"
                    " AS pair(exam_id, category_id)",
    pairs="NULL",
)


def exam_categories_key(premium: bool, version: str) -> str:
    return f"gamification:exam-categories:{version}:{int(premium)}"


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


READINESS_STEP = timedelta(weeks=1)


def exam_readiness(user, now: datetime) -> list[Readiness]:
    """Per active exam: readiness now and at the same time 1, 2, ... weeks ago (see rules.readiness)."""
    return exam_readiness_until(user, now)[0]


def exam_readiness_until(
    user, now: datetime, version: str | None = None
) -> tuple[list[Readiness], datetime | None]:
    """exam_readiness, and the moment until which it stays the same without a new answer (None:
    for good), so that it can be cached. One query whatever the history and the bank."""
    cutoffs = [now - READINESS_STEP * steps for steps in range(rules.READINESS_TREND_WEEKS + 1)]
    premium = bool(getattr(user, "has_premium", False))
    pairs_key = exam_categories_key(premium, version or catalogue_version())
    pairs = cache.get(pairs_key)
    rows = fetch(READINESS_FROM_BANK_SQL if pairs is None else READINESS_CACHED_PAIRS_SQL, {
        "user": user.pk,
        "cutoffs": cutoffs,
        "cutoff_count": len(cutoffs),
        "step": READINESS_STEP.total_seconds(),
        "window": rules.READINESS_RECENT_ANSWERS,
        "premium": premium,
        "pair_exams": [exam_id for exam_id, _ in pairs or ()],
        "pair_categories": [category_id for _, category_id in pairs or ()],
    })
    if pairs is None and rows:
        cache.set(pairs_key, [tuple(pair) for pair in rows[0][-1]], CATALOGUE_TTL)
    exams, until = {}, None
    for code, name, _, answered, correct, per_category, until, _ in rows:
        coverage = sum(map(rules.category_coverage, per_category)) / len(per_category) if per_category else 0
        exam = exams.setdefault(code, Readiness(code, name, answered, []))
        exam.trend.append(rules.readiness(answered, correct, coverage))
        exam.answered = answered
    return list(exams.values()), until


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
