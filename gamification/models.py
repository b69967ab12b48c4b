import uuid
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.functions import RandomUUID
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from certquiz.db import created_at_field, updated_at_field


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

    def __str__(self):
        return f"Progress of {self.user}"


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
