import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import fsrs

from django.conf import settings
from django.contrib.postgres.functions import RandomUUID
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from certquiz.db import created_at_field, updated_at_field
from gamification import rules


def initial_category_stats():
    return {"version": 1}


class RequirementType(models.TextChoices):
    QUESTIONS_SOLVED = "questions_solved", "Questions solved"
    ACCURACY = "accuracy", "Accuracy"
    STREAK = "streak", "Streak"
    CATEGORY_MASTERY = "category_mastery", "Category mastery"


class UserProgress(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="progress"
    )
    level = models.IntegerField(default=1, db_default=1)
    experience = models.IntegerField(default=0, db_default=0)
    total_questions = models.IntegerField(default=0, db_default=0)
    correct_answers = models.IntegerField(default=0, db_default=0)
    accuracy = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0.00"), db_default=Decimal("0.00"))
    study_time = models.IntegerField(default=0, db_default=0, help_text="Minutes")
    streak = models.IntegerField(default=0, db_default=0)
    last_study_date = models.DateTimeField(null=True, blank=True)
    category_stats = models.JSONField(default=initial_category_stats, db_default={"version": 1})
    updated_at = updated_at_field()
    # Added to the document's table: study_time counts whole minutes, so the seconds are kept to
    # add up short answers exactly; the streak needs the calendar day of the last answer in the
    # learner's time zone at the time they answered.
    study_seconds = models.IntegerField(default=0, db_default=0)
    last_study_day = models.DateField(null=True, blank=True)

    class Meta:
        db_table = "user_progress"
        verbose_name_plural = "user progress"
        constraints = [
            models.CheckConstraint(condition=Q(category_stats__has_key="version"), name="chk_category_stats_version")
        ]

    PROGRESS_FIELDS = ["level", "experience", "total_questions", "correct_answers", "accuracy", "study_time",
                       "study_seconds", "streak", "last_study_date", "last_study_day", "category_stats"]

    def __str__(self):
        return f"Progress of {self.user}"

    def add_xp(self, xp: int) -> None:
        self.experience += xp
        self.level = rules.level_for_xp(self.experience)

    def count_answer(self, is_correct: bool, category_codes, *, answered_at: datetime, day: date, xp: int,
                     seconds: int) -> None:
        self.total_questions += 1
        self.correct_answers += 1 if is_correct else 0
        self.accuracy = rules.accuracy(self.correct_answers, self.total_questions)
        self.add_xp(xp)
        self.study_seconds += seconds
        self.study_time = self.study_seconds // 60
        self.streak, self.last_study_day = rules.advance_streak(self.streak, self.last_study_day, day)
        self.last_study_date = max(answered_at, self.last_study_date or answered_at)
        stats = dict(self.category_stats)
        for code in category_codes:
            counts = stats.get(code) or {"attempted": 0, "correct": 0}
            stats[code] = {"attempted": counts["attempted"] + 1, "correct": counts["correct"] + (1 if is_correct else 0)}
        self.category_stats = stats


class Badge(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, db_default=RandomUUID(), editable=False)
    name = models.TextField(unique=True)
    description = models.TextField()
    icon = models.TextField()
    category = models.TextField()
    requirement_type = models.TextField(choices=RequirementType.choices)
    requirement_value = models.IntegerField()
    requirement_category = models.TextField(null=True, blank=True, help_text="Category code, for category mastery")
    created_at = created_at_field()

    class Meta:
        db_table = "badges"
        ordering = ["category", "requirement_value"]
        indexes = [models.Index(fields=["category"], name="idx_badges_category")]

    def __str__(self):
        return self.name


class UserBadge(models.Model):
    id = models.BigAutoField(primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="user_badges", db_index=False)
    badge = models.ForeignKey(Badge, on_delete=models.CASCADE, related_name="+", db_index=False)
    unlocked_at = created_at_field()

    class Meta:
        db_table = "user_badges"
        constraints = [models.UniqueConstraint(fields=["user", "badge"], name="pk_user_badges")]
        indexes = [
            models.Index(fields=["user"], name="idx_user_badges_user"),
            models.Index(fields=["badge"], name="idx_user_badges_badge"),
        ]


class LeaderboardProfile(models.Model):
    """A learner who chose to appear on the weekly leaderboard, under a public name. No row: hidden."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="leaderboard_profile"
    )
    display_name = models.TextField()
    created_at = created_at_field()

    class Meta:
        db_table = "leaderboard_profiles"
        constraints = [models.UniqueConstraint(Lower("display_name"), name="unq_leaderboard_display_name")]

    def __str__(self):
        return self.display_name


class DailyActivity(models.Model):
    """What a learner did on one day of their own calendar (the day of each answer in their time
    zone): written by the answer's transaction, read by the heat-map, charts and leaderboard."""

    id = models.BigAutoField(primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="daily_activity", db_index=False)
    day = models.DateField()
    answered = models.IntegerField(default=0, db_default=0)
    correct = models.IntegerField(default=0, db_default=0)
    study_seconds = models.IntegerField(default=0, db_default=0)
    xp = models.IntegerField(default=0, db_default=0)

    class Meta:
        db_table = "daily_activity"
        verbose_name_plural = "daily activity"
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="unq_daily_activity_user_day")]

    def count_answer(self, *, is_correct: bool, seconds: int, xp: int) -> None:
        self.answered += 1
        self.correct += 1 if is_correct else 0
        self.study_seconds += seconds
        self.xp += xp


class ReviewCard(models.Model):
    """The learner's memory of one question they answered, as FSRS models it, and when to see it again."""

    id = models.BigAutoField(primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_cards", db_index=False)
    question = models.ForeignKey("quizzes.Question", on_delete=models.CASCADE, related_name="+", db_index=False)
    state = models.SmallIntegerField(help_text="fsrs.State: 1 learning, 2 review, 3 relearning")
    step = models.SmallIntegerField(null=True, blank=True)
    stability = models.FloatField(null=True, blank=True)
    difficulty = models.FloatField(null=True, blank=True)
    last_review = models.DateTimeField(null=True, blank=True)
    due = models.DateTimeField()
    reviews = models.IntegerField(default=0, db_default=0)
    lapses = models.IntegerField(default=0, db_default=0, help_text="Wrong answers")

    class Meta:
        db_table = "review_cards"
        constraints = [models.UniqueConstraint(fields=["user", "question"], name="unq_review_cards_user_question")]
        indexes = [
            models.Index(fields=["user", "due"], name="idx_review_cards_user_due"),
            models.Index(fields=["question"], name="idx_review_cards_question"),
        ]

    @classmethod
    def new(cls, *, user, question_id) -> "ReviewCard":
        card = fsrs.Card(card_id=0)  # an id of our own: fsrs would make one from the clock, sleeping 1 ms
        return cls(user=user, question_id=question_id, state=card.state, step=card.step, due=card.due)

    def review(self, rating: fsrs.Rating, at: datetime) -> None:
        """Schedule the next review after an answer rated `rating` at `at` (an exam answer counted
        late is taken as given at the card's last review, the scheduler cannot go back in time)."""
        at = max(at, self.last_review) if self.last_review else at
        card = fsrs.Card(
            card_id=0, state=fsrs.State(self.state), step=self.step, stability=self.stability,
            difficulty=self.difficulty, due=self.due.astimezone(UTC),
            last_review=self.last_review.astimezone(UTC) if self.last_review else None,
        )
        card, _ = rules.SCHEDULER.review_card(card, rating, review_datetime=at.astimezone(UTC))
        self.state, self.step, self.stability, self.difficulty = int(card.state), card.step, card.stability, card.difficulty
        self.last_review, self.due = card.last_review, card.due
        self.reviews += 1
        self.lapses += 1 if rating == fsrs.Rating.Again else 0


class ExamReadiness(models.Model):
    """How ready a learner is for one exam: their answers to its questions counted per category and
    week, and the score they make (rules.readiness_score), updated by each answer."""

    id = models.BigAutoField(primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exam_readiness", db_index=False)
    exam = models.ForeignKey("quizzes.Exam", on_delete=models.CASCADE, related_name="+", db_index=False)
    score = models.IntegerField(default=0, db_default=0, help_text="Percent, at the end of the newest week")
    answered = models.IntegerField(default=0, db_default=0)
    # {category code: {Monday of the learner's week (ISO date): [answers, right answers]}}, the
    # newest rules.READINESS_WEEKS weeks
    categories = models.JSONField(default=dict, db_default={})

    class Meta:
        db_table = "exam_readiness"
        verbose_name_plural = "exam readiness"
        constraints = [models.UniqueConstraint(fields=["user", "exam"], name="unq_exam_readiness_user_exam")]
        indexes = [models.Index(fields=["exam"], name="idx_exam_readiness_exam")]

    def count_answer(self, category_codes, is_correct: bool, *, week: date) -> None:
        categories = {code: dict(weeks) for code, weeks in self.categories.items()}
        for code in category_codes:
            count, right = categories.setdefault(code, {}).get(week.isoformat(), [0, 0])
            categories[code][week.isoformat()] = [count + 1, right + (1 if is_correct else 0)]
        newest = self.newest_week(categories) or week
        oldest = (newest - timedelta(weeks=rules.READINESS_WEEKS - 1)).isoformat()
        self.categories = {code: {monday: counts for monday, counts in weeks.items() if monday >= oldest}
                           for code, weeks in categories.items()}
        self.answered += 1
        self.score = rules.readiness_score(self.categories, newest)

    @staticmethod
    def newest_week(categories) -> date | None:
        mondays = [monday for weeks in categories.values() for monday in weeks]
        return date.fromisoformat(max(mondays)) if mondays else None

    @property
    def trend(self) -> list[int]:
        """The score at the end of the newest week and of the READINESS_TREND_WEEKS before, oldest first."""
        newest = self.newest_week(self.categories)
        if newest is None:
            return [self.score]
        return [rules.readiness_score(self.categories, newest - timedelta(weeks=back))
                for back in range(rules.READINESS_TREND_WEEKS, -1, -1)]

    @property
    def change(self) -> int:
        trend = self.trend
        return trend[-1] - trend[-2] if len(trend) > 1 else 0
