"""Read-side queries of the dashboard: plain QuerySets over the rows each answer writes
(gamification.progress), a fixed number of queries whatever the learner's history."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Case, Exists, F, IntegerField, Max, OuterRef, Q, Subquery, Sum, Value, When, Window
from django.db.models.functions import Lower, Rank

from gamification import rules
from gamification.models import (
    Badge,
    DailyActivity,
    ExamReadiness,
    LeaderboardProfile,
    RequirementType,
    ReviewCard,
    UserBadge,
    UserProgress,
)
from quizzes.models import Category, Exam, Question, QuizSession, SessionQuestion


def day_start(day: date, tzinfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tzinfo)


def daily_activity(user, first_day: date, last_day: date) -> dict[date, tuple[int, int]]:
    """{day of the learner's calendar: (answers, right answers)} between two days."""
    rows = DailyActivity.objects.filter(user=user, day__range=(first_day, last_day))
    return {day: (answered, correct) for day, answered, correct in rows.values_list("day", "answered", "correct")}


# Smart review ----------------------------------------------------------------------------------

# Due questions handed to a "Due for review" quiz, which may narrow them by exam, category or tags.
DUE_REVIEW_CANDIDATES = 500


def reviewable_cards(user):
    """The learner's review cards of questions they may still see (active, premium only with premium)."""
    visible = Question.objects.active().visible_to(user).filter(pk=OuterRef("question_id"))
    return ReviewCard.objects.filter(Exists(visible), user=user)


# Due counts stop here (shown as "99+"): counting every due card, each checked against its
# question's status and premium, grew with the learner's cards (measured in bench/README.md,
# "What the measurements changed"). A review quiz takes 20 of them anyway.
DUE_COUNT_CAP = 99


def due_count(user, now: datetime) -> int:
    """Cards due now, counted up to DUE_COUNT_CAP + 1 (the `capped` filter shows that as "99+")."""
    return reviewable_cards(user).filter(due__lte=now)[: DUE_COUNT_CAP + 1].count()


@dataclass(frozen=True)
class ReviewSummary:
    due: int
    next_due_at: datetime | None


def review_summary(user, now: datetime) -> ReviewSummary:
    """Cards due now (capped), and when the next one after now is due."""
    return ReviewSummary(due_count(user, now), next_due_at(user, now))


def due_question_ids(user, now: datetime, limit: int = rules.REVIEW_QUIZ_SIZE) -> list:
    """The questions whose cards are due, the longest overdue first (the (user, due) index)."""
    return list(reviewable_cards(user).filter(due__lte=now).order_by("due").values_list("question_id", flat=True)[:limit])


def next_due_at(user, now: datetime) -> datetime | None:
    return reviewable_cards(user).filter(due__gt=now).order_by("due").values_list("due", flat=True).first()


# Exam readiness --------------------------------------------------------------------------------

def exam_readiness(user) -> list[ExamReadiness]:
    """A row per active exam, in display order (unsaved with zeros where the learner has none)."""
    exams = list(Exam.objects.active())
    rows = {row.exam_id: row for row in ExamReadiness.objects.filter(user=user, exam__in=exams)}
    readiness = []
    for exam in exams:
        row = rows.get(exam.pk) or ExamReadiness(user=user)
        row.exam = exam
        readiness.append(row)
    return readiness


# Weekly leaderboard -----------------------------------------------------------------------------

@dataclass(frozen=True)
class LeaderboardRow:
    position: int
    display_name: str
    xp: int
    is_me: bool


def week_start(now: datetime) -> datetime:
    """Leaderboard weeks are the days from Monday to Sunday, each learner's in their own zone; the
    week shown is the one holding today's date in UTC."""
    today = now.astimezone(UTC).date()
    return day_start(rules.week_of(today), UTC)


def weekly_leaderboard(user, now: datetime) -> list[LeaderboardRow]:
    """The top of the week by XP among learners who opted in, and the viewer's own row."""
    monday = week_start(now).date()
    week = Q(user__daily_activity__day__range=(monday, monday + timedelta(days=6)))
    me = user.pk if user else None
    ranked = (
        LeaderboardProfile.objects.annotate(xp=Sum("user__daily_activity__xp", filter=week, default=0))
        .filter(xp__gt=0)
        .annotate(
            position=Window(Rank(), order_by=F("xp").desc()),
            # A window too, as Django filters on a disjunction of window predicates only.
            is_me=Window(Max(Case(When(user_id=me, then=Value(1)), default=Value(0))), partition_by=F("user_id")),
        )
    )
    rows = ranked.filter(Q(position__lte=rules.LEADERBOARD_SIZE) | Q(is_me=1)).order_by("position", Lower("display_name"))
    return [LeaderboardRow(row.position, row.display_name, row.xp, bool(row.is_me)) for row in rows]


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
