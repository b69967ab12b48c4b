from django import forms
from django.contrib import admin
from django.db import models

from certquiz.admin_mixins import ViewOnlyAdminMixin
from gamification.models import (
    Badge,
    DailyActivity,
    ExamReadiness,
    LeaderboardProfile,
    ReviewCard,
    UserBadge,
    UserProgress,
)


@admin.register(UserProgress)
class UserProgressAdmin(admin.ModelAdmin):
    list_display = ["user", "level", "experience", "total_questions", "accuracy", "streak", "last_study_date"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__email"]
    ordering = ["-experience"]
    autocomplete_fields = ["user"]
    readonly_fields = ["updated_at"]


@admin.register(Badge)
class BadgeAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "requirement_type", "requirement_value", "requirement_category"]
    list_filter = ["category", "requirement_type"]
    search_fields = ["name", "description"]
    ordering = ["category", "requirement_value"]
    readonly_fields = ["created_at"]
    formfield_overrides = {models.TextField: {"widget": forms.TextInput(attrs={"class": "vTextField"})}}


@admin.register(UserBadge)
class UserBadgeAdmin(admin.ModelAdmin):
    list_display = ["user", "badge", "unlocked_at"]
    list_filter = ["badge"]
    list_select_related = ["user", "badge"]
    search_fields = ["user__username", "badge__name"]
    ordering = ["-unlocked_at"]
    autocomplete_fields = ["user", "badge"]


@admin.register(LeaderboardProfile)
class LeaderboardProfileAdmin(admin.ModelAdmin):
    """Staff can remove an offensive public name: deleting the row hides the learner again."""

    list_display = ["display_name", "user", "created_at"]
    list_select_related = ["user"]
    search_fields = ["display_name", "user__username", "user__email"]
    ordering = ["display_name"]
    autocomplete_fields = ["user"]
    readonly_fields = ["created_at"]


class DerivedRowsAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    """Rows the answers write: to look at; `manage.py recompute_progress` rebuilds them."""

    allow_delete = True

    list_select_related = ["user"]
    search_fields = ["user__username", "user__email"]


@admin.register(DailyActivity)
class DailyActivityAdmin(DerivedRowsAdmin):
    list_display = ["user", "day", "answered", "correct", "study_seconds", "xp"]
    ordering = ["-day"]


@admin.register(ReviewCard)
class ReviewCardAdmin(DerivedRowsAdmin):
    list_display = ["user", "question", "due", "state", "stability", "difficulty", "reviews", "lapses"]
    list_select_related = ["user", "question"]
    ordering = ["due"]


@admin.register(ExamReadiness)
class ExamReadinessAdmin(DerivedRowsAdmin):
    list_display = ["user", "exam", "score", "answered"]
    list_select_related = ["user", "exam"]
    ordering = ["user", "exam"]
