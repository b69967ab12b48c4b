import json

from django import forms
from django.contrib import admin
from django.db import models
from django.utils.html import format_html

from quizzes.models import (
    Bookmark,
    Category,
    Exam,
    ProblemReport,
    Question,
    QuestionCategory,
    QuestionExam,
    QuestionHistory,
    QuestionOption,
    QuizSession,
    SessionQuestion,
    SessionSelectedOption,
)

SHORT_TEXT = {models.TextField: {"widget": forms.TextInput(attrs={"class": "vTextField"})}}


class CatalogueAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "display_order", "is_active", "updated_at"]
    list_editable = ["display_order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name"]
    ordering = ["display_order", "name"]
    formfield_overrides = SHORT_TEXT


admin.site.register(Exam, CatalogueAdmin)
admin.site.register(Category, CatalogueAdmin)


class QuestionOptionInline(admin.TabularInline):
    model = QuestionOption
    fields = ["display_order", "text", "is_correct"]
    extra = 0
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 70})}}


class QuestionExamInline(admin.TabularInline):
    model = QuestionExam
    fields = ["exam"]
    autocomplete_fields = ["exam"]
    extra = 0


class QuestionCategoryInline(admin.TabularInline):
    model = QuestionCategory
    fields = ["category"]
    autocomplete_fields = ["category"]
    extra = 0


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    inlines = [QuestionOptionInline, QuestionExamInline, QuestionCategoryInline]
    list_display = ["__str__", "type", "status", "is_premium", "version", "created_by", "updated_at"]
    list_filter = ["status", "type", "is_premium", "is_user_generated", "exams", "categories"]
    list_select_related = ["created_by"]
    search_fields = ["question_text", "explanation"]
    ordering = ["-created_at"]
    autocomplete_fields = ["created_by"]
    readonly_fields = ["created_at", "updated_at"]


class SessionQuestionInline(admin.TabularInline):
    model = SessionQuestion
    fields = ["question_order", "question", "answered_at", "is_correct", "is_flagged"]
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("question")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(QuizSession)
class QuizSessionAdmin(admin.ModelAdmin):
    inlines = [SessionQuestionInline]
    list_display = ["__str__", "user", "mode", "exam", "category", "score", "completed_at"]
    list_filter = ["mode", "is_paused", ("completed_at", admin.EmptyFieldListFilter)]
    list_select_related = ["user", "exam", "category"]
    search_fields = ["user__username", "user__email"]
    ordering = ["-started_at"]
    date_hierarchy = "started_at"
    autocomplete_fields = ["user", "exam", "category"]


@admin.register(SessionSelectedOption)
class SessionSelectedOptionAdmin(admin.ModelAdmin):
    list_display = ["session", "question", "option", "selected_at"]
    list_select_related = ["session", "question", "option"]
    search_fields = ["session__user__username"]
    ordering = ["-selected_at"]
    raw_id_fields = ["session", "question", "option"]


@admin.register(Bookmark)
class BookmarkAdmin(admin.ModelAdmin):
    list_display = ["user", "question", "created_at"]
    list_select_related = ["user", "question"]
    search_fields = ["user__username", "question__question_text"]
    ordering = ["-created_at"]
    autocomplete_fields = ["user", "question"]


@admin.register(ProblemReport)
class ProblemReportAdmin(admin.ModelAdmin):
    list_display = ["question", "type", "status", "reporter", "created_at", "reviewed_by", "resolved_at"]
    list_filter = ["status", "type"]
    list_select_related = ["question", "reporter", "reviewed_by"]
    search_fields = ["description", "question__question_text", "reporter__username"]
    ordering = ["-created_at"]
    autocomplete_fields = ["question", "reporter", "reviewed_by"]
    readonly_fields = ["created_at"]


@admin.register(QuestionHistory)
class QuestionHistoryAdmin(admin.ModelAdmin):
    """A record of edits: visible, never written through the admin."""

    list_display = ["question", "version", "edited_by", "edited_at"]
    list_select_related = ["question", "edited_by"]
    search_fields = ["question__question_text"]
    ordering = ["-edited_at"]
    fields = ["question", "version", "edited_by", "edited_at", "formatted_changes"]
    readonly_fields = ["edited_at", "formatted_changes"]

    @admin.display(description="changes")
    def formatted_changes(self, history):
        return format_html("<pre>{}</pre>", json.dumps(history.changes, indent=2, sort_keys=True))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
