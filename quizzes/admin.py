import json
import re
import uuid

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import SEARCH_VAR
from django.contrib.postgres.search import SearchQuery
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext

from certquiz.admin_mixins import ViewOnlyAdminMixin
from quizzes.diffs import key_summary, word_diff
from quizzes.moderation import services as moderation
from quizzes.moderation.forms import ResolveReportForm, TagsField
from quizzes.models import (
    MAX_EXPLANATION_LENGTH,
    MAX_OPTION_LENGTH,
    MAX_QUESTION_LENGTH,
    MAX_TITLE_LENGTH,
    TextFormat,
    Bookmark,
    Category,
    Exam,
    ExamBlueprint,
    ProblemReport,
    Question,
    QuestionCategory,
    QuestionExam,
    QuestionHistory,
    QuestionOption,
    QuestionStats,
    QuestionStatus,
    QuizSession,
    ReportStatus,
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


class BlueprintFormSet(BaseInlineFormSet):
    """An exam's blueprint weights sum to 100 (or the exam has no blueprint at all)."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [form for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        categories = [form.cleaned_data["category"] for form in kept]
        if len(categories) != len(set(categories)):
            raise ValidationError("A category is listed twice in the blueprint.")
        total = sum(form.cleaned_data["weight_percent"] for form in kept)
        if kept and total != 100:
            raise ValidationError(f"The blueprint's weights must sum to 100%; they sum to {total}%.")


class ExamBlueprintInline(admin.TabularInline):
    model = ExamBlueprint
    formset = BlueprintFormSet
    fields = ["category", "weight_percent"]
    autocomplete_fields = ["category"]
    extra = 0
    verbose_name = "blueprint category"
    verbose_name_plural = "blueprint: what each category weighs in a full practice exam (sums to 100%)"


@admin.register(Exam)
class ExamAdmin(CatalogueAdmin):
    list_display = ["code", "name", "question_count", "duration_minutes", "passing_score", "display_order", "is_active"]
    fields = ["code", "name", "description", "display_order", "is_active",
              "question_count", "duration_minutes", "passing_score"]
    inlines = [ExamBlueprintInline]
admin.site.register(Category, CatalogueAdmin)


# Reading the history's JSON diffs


FIELD_LABELS = {
    "question_text": "Question", "type": "Type", "explanation": "Explanation",
    "detailed_explanation": "Detailed explanation", "tags": "Tags", "images": "Images",
    "is_premium": "Premium", "status": "Status", "exams": "Exams", "categories": "Categories",
    "text": "text", "is_correct": "correct", "display_order": "order", "text_format": "format", "title": "Title",
}
# Compared word by word, whole: an edit anywhere in a long text shows.
TEXT_FIELDS = {"question_text", "explanation", "detailed_explanation", "title"}


def shown(value, limit=160):
    if value is None or value == [] or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return Truncator(str(value)).chars(limit)


def describe_option(option):
    marks = "correct" if option.get("is_correct") else "wrong"
    return f"“{shown(option.get('text'), 80)}” ({marks}, order {option.get('display_order')})"


def format_changes(changes):
    """A history diff as an HTML list: field: old → new, then the options added, removed, changed."""
    if not isinstance(changes, dict):
        return format_html("<pre>{}</pre>", json.dumps(changes, indent=2, sort_keys=True))
    lines = []
    if "restored_from_version" in changes:
        lines.append(format_html("<em>Restored from version {}</em>", changes["restored_from_version"]))
    for field, change in changes.items():
        if field in ("options", "restored_from_version"):
            continue
        if isinstance(change, dict) and {"old", "new"} <= change.keys():
            label = FIELD_LABELS.get(field, field)
            if field in TEXT_FIELDS:
                lines.append(format_html("<strong>{}</strong>: {}", label, word_diff(change["old"], change["new"])))
            else:
                lines.append(format_html("<strong>{}</strong>: {} → {}", label, shown(change["old"]),
                                         shown(change["new"])))
        else:
            lines.append(format_html("<strong>{}</strong>: {}", field, json.dumps(change)))
    options = changes.get("options")
    if isinstance(options, dict):
        key = key_summary(options.get("changed", []))
        if key:
            lines.append(format_html("<strong>Answer key</strong>: {}", key))
        for option in options.get("added", []):
            lines.append(format_html("Option added: {}", describe_option(option)))
        for option in options.get("removed", []):
            lines.append(format_html("Option removed: {}", describe_option(option)))
        for option in options.get("changed", []):
            details = format_html_join(
                "; ", "{} {}",
                ((FIELD_LABELS.get(field, field), word_diff(change["old"], change["new"]) if field == "text"
                  else format_html("{} → {}", shown(change["old"], 80), shown(change["new"], 80)))
                 for field, change in option.get("changes", {}).items()),
            )
            lines.append(format_html("Option “{}”: {}", shown(option.get("text"), 80), details))
    if not lines:
        return "—"
    return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((line,) for line in lines)))


# Questions


class OptionInlineForm(forms.ModelForm):
    display_order = forms.IntegerField(
        required=False, min_value=0, help_text="Blank: after the others.", widget=forms.NumberInput(attrs={"size": 4})
    )

    class Meta:
        model = QuestionOption
        fields = ["display_order", "text", "text_format", "is_correct"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].validators.append(MaxLengthValidator(MAX_OPTION_LENGTH))
        self.fields["text"].widget.attrs["maxlength"] = MAX_OPTION_LENGTH
        self.fields["text_format"].required = False

    def clean_text_format(self):
        """Left out of a submission: the option keeps its format; a new one takes its question's."""
        chosen = self.cleaned_data.get("text_format")
        if chosen:
            return chosen
        if not self.instance._state.adding:  # (the uuid primary key is set before the first save)
            return self.instance.text_format
        question = getattr(self.instance, "question", None)
        # Set here too: a ModelForm leaves a field missing from the POST at the model's default.
        self.instance.text_format = question.text_format if question is not None else TextFormat.MARKDOWN
        return self.instance.text_format


class LabelledRowsFormSet(BaseInlineFormSet):
    """A tabular inline's fields have only a column heading, no label: each gets an accessible name
    that says its row ("Option 2: Text"), screen readers and axe alike."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        row = f"{self.model._meta.verbose_name.capitalize()} {index + 1}" if index is not None else (
            f"New {self.model._meta.verbose_name}")
        for name, field in form.fields.items():
            label = "Delete" if name == "DELETE" else (field.label or name)
            field.widget.attrs["aria-label"] = f"{row}: {label}"


class OptionInlineFormSet(LabelledRowsFormSet):
    """The option rules (quizzes.moderation.services.option_rule_errors) on the options as they will be after
    the save. Django's own unique check refuses two equal display orders; a blank one goes last."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [form for form in self.forms if form.cleaned_data and not self._should_delete_form(form)]
        orders = [form.cleaned_data.get("display_order") for form in kept]
        next_order = max((order for order in orders if order is not None), default=-1) + 1
        for form in kept:
            if form.cleaned_data.get("display_order") is None:
                form.cleaned_data["display_order"] = form.instance.display_order = next_order
                next_order += 1
        options = [(form.cleaned_data.get("text", ""), form.cleaned_data.get("is_correct", False)) for form in kept]
        errors = moderation.option_rule_errors(self.instance.type, options)
        if errors:
            raise ValidationError(errors)

    def save_existing_objects(self, commit=True):
        if commit:
            moving = [
                form.instance.pk
                for form in self.initial_forms
                if form.instance.pk and (self._should_delete_form(form) or "display_order" in form.changed_data)
            ]
            moderation.park_options(moving)
        return super().save_existing_objects(commit)


class QuestionOptionInline(admin.TabularInline):
    model = QuestionOption
    form = OptionInlineForm
    formset = OptionInlineFormSet
    fields = ["display_order", "text", "text_format", "is_correct"]
    extra = 0
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 70})}}


class QuestionExamInline(admin.TabularInline):
    model = QuestionExam
    formset = LabelledRowsFormSet
    fields = ["exam"]
    autocomplete_fields = ["exam"]
    extra = 0


class QuestionCategoryInline(admin.TabularInline):
    model = QuestionCategory
    formset = LabelledRowsFormSet
    fields = ["category"]
    autocomplete_fields = ["category"]
    extra = 0


class ReadOnlyInline(admin.TabularInline):
    """An inline that shows rows and never adds, changes or deletes them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class QuestionHistoryInline(ReadOnlyInline):
    """Every saved change of the question, newest first, each with a way back to the version before it."""

    model = QuestionHistory
    fields = ["version", "edited_by", "edited_at", "changes_list", "restore"]
    readonly_fields = fields
    ordering = ["-version"]
    extra = 0
    can_delete = False
    verbose_name = "change"
    verbose_name_plural = "history"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("edited_by")

    @admin.display(description="changes")
    def changes_list(self, entry):
        return format_changes(entry.changes)

    @admin.display(description="restore")
    def restore(self, entry):
        if entry.version < 2:
            return "—"
        url = reverse("admin:quizzes_question_restore", args=[entry.question_id, entry.version - 1])
        return format_html('<a href="{}">Restore version {} (before this change)</a>', url, entry.version - 1)



class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class ExhibitImagesField(forms.FileField):
    """Several image files in one input, each checked by content and size (quizzes.moderation.services)."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"})
        )
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        files = [super(ExhibitImagesField, self).clean(file, initial) for file in files]
        errors = []
        for file in files:
            try:
                moderation.exhibit_extension(file)
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return files


class QuestionAdminForm(forms.ModelForm):
    tags = TagsField(label="Tags", max_tags=30)
    new_images = ExhibitImagesField(
        label="Add exhibit images",
        required=False,
        help_text="A topology, a show output... PNG, JPEG, GIF or WebP, at most 2 MB each; "
        "select several files at once to add more than one.",
    )
    remove_images = forms.MultipleChoiceField(
        label="Remove images", required=False, widget=forms.CheckboxSelectMultiple, choices=()
    )

    class Meta:
        model = Question
        exclude = ["images", "version"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, limit in (("question_text", MAX_QUESTION_LENGTH), ("explanation", MAX_EXPLANATION_LENGTH),
                            ("detailed_explanation", MAX_EXPLANATION_LENGTH), ("title", MAX_TITLE_LENGTH)):
            field = self.fields[name]
            field.max_length = limit
            field.widget.attrs["maxlength"] = limit
            field.validators.append(MaxLengthValidator(limit))
        self.fields["text_format"].required = False
        images = (self.instance.images or []) if self.instance.pk else []
        self.fields["remove_images"].choices = [
            (image, format_html('<img src="{}" alt="" height="80"> {}', default_storage.url(image), image))
            for image in images
        ]
        self.fields["remove_images"].help_text = (
            "Tick the images to take off this question (older versions in the history keep them)."
            if images
            else "No images yet."
        )

    def clean_text_format(self):
        """Left out of a submission: the question keeps its format (a new one is Markdown)."""
        return self.cleaned_data.get("text_format") or self.instance.text_format or TextFormat.MARKDOWN


class ItemStatisticsFilter(admin.SimpleListFilter):
    """Questions by their item statistics (the compute_item_stats job's question_stats rows)."""

    title = "item statistics"
    parameter_name = "item_stats"
    FILTERS = {
        "hard": ("Facility under 30%", Q(stats__facility__lt=0.3)),
        "easy": ("Facility over 90%", Q(stats__facility__gt=0.9)),
        "negative": ("Negative discrimination", Q(stats__discrimination__lt=0)),
        "weak": ("Discrimination under 0.2", Q(stats__discrimination__lt=0.2)),
        "none": ("No statistics yet", Q(stats__isnull=True)),
    }

    def lookups(self, request, model_admin):
        return [(key, label) for key, (label, _) in self.FILTERS.items()]

    def queryset(self, request, queryset):
        if self.value() in self.FILTERS:
            return queryset.filter(self.FILTERS[self.value()][1])
        return queryset


class OpenReportsFilter(admin.SimpleListFilter):
    title = "open reports"
    parameter_name = "open_reports"

    def lookups(self, request, model_admin):
        return [("yes", "With open reports"), ("no", "Without open reports")]

    def queryset(self, request, queryset):
        pending = ProblemReport.objects.filter(question=OuterRef("pk"), status=ReportStatus.PENDING)
        if self.value() == "yes":
            return queryset.filter(Exists(pending))
        if self.value() == "no":
            return queryset.filter(~Exists(pending))
        return queryset


class LinkListFilter(admin.ListFilter):
    """Django's filter on a many-to-many field (its choices and parameters, `exams__id__exact` and
    `exams__isnull`, kept from admin.RelatedFieldListFilter), filtering with EXISTS on the junction
    table instead of joining it: the join made the admin add SELECT DISTINCT over every column of
    the page and of its count, which sorted the whole filtered set (40,000 rows at 100,000 questions).
    A ListFilter class of its own, so the changelist does not take it for a join that duplicates rows."""

    field_path = None  # the many-to-many field of the model, set by the subclasses

    def __init__(self, request, params, model, model_admin):
        field = model._meta.get_field(self.field_path)
        self.title = field.verbose_name
        super().__init__(request, params, model, model_admin)
        self.field = field
        self.related = admin.RelatedFieldListFilter(field, request, params, model, model_admin, self.field_path)
        self.used_parameters = self.related.used_parameters

    def has_output(self):
        return self.related.has_output()

    def expected_parameters(self):
        return self.related.expected_parameters()

    def choices(self, changelist):
        return self.related.choices(changelist)

    def queryset(self, request, queryset):
        links = self.field.remote_field.through.objects.filter(**{self.field.m2m_field_name(): OuterRef("pk")})
        target = self.field.m2m_reverse_field_name()
        chosen = self.used_parameters.get(self.related.lookup_kwarg)
        empty = set(self.used_parameters.get(self.related.lookup_kwarg_isnull, []))
        conditions = Q()
        try:
            if chosen:
                conditions &= Exists(links.filter(**{f"{target}__in": chosen}))
        except (ValueError, ValidationError) as error:
            raise IncorrectLookupParameters(error)
        if empty == {True}:
            conditions &= ~Exists(links)
        elif empty == {False}:
            conditions &= Exists(links)
        return queryset.filter(conditions)


class ExamListFilter(LinkListFilter):
    field_path = "exams"


class CategoryListFilter(LinkListFilter):
    field_path = "categories"


class CappedCount(int):
    """A count that stopped at the cap: shown as "1,000+"."""

    def __str__(self):
        return f"{int(self):,}+"

    def __format__(self, spec):
        return format(str(self), spec) if not spec else super().__format__(spec)

    def __html__(self):
        return str(self)


class CappedCountPaginator(Paginator):
    """Counts at most `count_cap` rows (SELECT count(*) FROM (... LIMIT cap + 1)): past the cap the
    count is a CappedCount (the list reads "1,000+ questions") and the pages stop at the cap, so
    neither the count nor a deep OFFSET grows with the table. Narrow the list with the filters or
    the search to see what lies beyond."""

    # A count's cost grows with the rows it counts (an exam's links at 100,000 questions: bench/,
    # "admin question list"), so it stops at the cap.
    count_cap = 1_000
    # A search's matches come from the text index and are checked row by row against the filters,
    # which costs more per row than a filter's count: a lower cap.
    search_count_cap = 500

    @cached_property
    def count(self):
        if not hasattr(self.object_list, "values"):
            return super().count
        counted = self.object_list.order_by().values("pk")[: self.count_cap + 1].count()
        return CappedCount(self.count_cap) if counted > self.count_cap else counted


SEARCH_CONFIG = "english"  # the text search configuration of Question.search_vector
PLAIN_WORDS = re.compile(r"[^\W_]+(?: [^\W_]+)*")


def question_search_query(term):
    """The full-text query of an admin search (`term` with its spaces normalized), on English stems
    ("areas" also finds "area"). Plain words must all match, the last one as the start of a word
    too ("ospf" finds "OSPFv3", "conf" finds "configure"), for admins typing part of a word. With
    anything else, web-search syntax: "a phrase", -word to leave out, or."""
    words = term.split(" ")
    if PLAIN_WORDS.fullmatch(term) and "or" not in {word.lower() for word in words}:
        # Letters and digits only: nothing in them is to_tsquery syntax.
        return SearchQuery(" & ".join([*words[:-1], f"{words[-1]}:*"]), config=SEARCH_CONFIG, search_type="raw")
    return SearchQuery(term, config=SEARCH_CONFIG, search_type="websearch")


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    form = QuestionAdminForm
    inlines = [QuestionOptionInline, QuestionExamInline, QuestionCategoryInline, QuestionHistoryInline]
    list_display = [
        "__str__", "type", "status", "is_premium", "is_user_generated", "open_reports", "version", "created_by",
        "updated_at", "facility", "discrimination", "key_check",
    ]
    list_filter = [
        "status", ExamListFilter, CategoryListFilter, "is_premium", "is_user_generated", OpenReportsFilter, "type",
        ("stats__check_key", admin.BooleanFieldListFilter), ItemStatisticsFilter,
    ]
    list_select_related = ["created_by", "stats"]
    # The search box needs search_fields; the search itself is get_search_results' full-text one.
    search_fields = ["question_text", "explanation"]
    search_help_text = (
        "Finds questions whose text or explanation has all the words (“areas” also finds “area”, the last word "
        "may be the start of one; \"a phrase\", -word to leave out, or), and questions with exactly that tag."
    )
    ordering = ["-created_at"]
    # Counting stops at CappedCountPaginator.count_cap, and the unfiltered total is not counted.
    paginator = CappedCountPaginator
    show_full_result_count = False
    autocomplete_fields = ["created_by"]
    readonly_fields = ["version", "created_at", "updated_at"]
    actions = ["approve", "archive", "mark_premium"]
    fieldsets = [
        (None, {"fields": ["title", "text_format", "question_text", "type", "explanation", "detailed_explanation"]}),
        ("Classification", {"fields": ["tags", "status", "is_premium"]}),
        ("Exhibit images", {"fields": ["new_images", "remove_images"]}),
        (
            "Author and version",
            {"fields": ["created_by", "created_by_name", "is_user_generated", "version", "created_at", "updated_at"]},
        ),
    ]

    def get_queryset(self, request):
        open_reports = (
            ProblemReport.objects.filter(question=OuterRef("pk"), status=ReportStatus.PENDING)
            .order_by()
            .values("question")
            .annotate(count=Count("pk"))
            .values("count")
        )
        queryset = super().get_queryset(request).defer("search_vector")  # only ever read by PostgreSQL
        return queryset.annotate(open_report_count=Coalesce(Subquery(open_reports), 0))

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        paginator = super().get_paginator(request, queryset, per_page, orphans, allow_empty_first_page)
        if request.GET.get(SEARCH_VAR, "").strip():
            paginator.count_cap = paginator.search_count_cap
        return paginator

    def action_checkbox(self, obj):
        """Django's checkbox, written out instead of rendering a form widget's template per row (a
        third of the time of a page of 100 questions)."""
        label = format_html(gettext("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME, str(obj.pk), label,
        )

    def get_search_results(self, request, queryset, search_term):
        """Questions whose text or explanation match the words (question_search_query, on the
        GIN-indexed Question.search_vector), or that have exactly the whole search as a tag.
        Also the search of the question autocompletes (problem reports, bookmarks)."""
        term = " ".join(search_term.split())
        if not term:
            return queryset, False
        matches = Q(search_vector=question_search_query(term)) | Q(tags__contains=[term.lower()])
        return queryset.filter(matches), False

    def get_changeform_initial_data(self, request):
        return {"created_by": request.user.pk, **super().get_changeform_initial_data(request)}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # An empty nullable text stays NULL, so saving an untouched form changes nothing (and writes no history).
        if isinstance(db_field, models.TextField) and db_field.null:
            kwargs.setdefault("empty_value", None)
        if db_field.name == "created_by_name":
            kwargs["widget"] = forms.TextInput(attrs={"class": "vTextField"})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    # Item statistics: rows of question_stats, written by the compute_item_stats job.

    @admin.display(description="facility", ordering=F("stats__facility").asc(nulls_last=True))
    def facility(self, question):
        stats = getattr(question, "stats", None)
        if stats is None or stats.facility is None:
            return "—"
        return f"{stats.facility:.0%} of {stats.attempts}"

    @admin.display(description="discrimination", ordering=F("stats__discrimination").asc(nulls_last=True))
    def discrimination(self, question):
        stats = getattr(question, "stats", None)
        return "—" if stats is None or stats.discrimination is None else f"{stats.discrimination:.2f}"

    @admin.display(description="key", ordering="stats__check_key")
    def key_check(self, question):
        stats = getattr(question, "stats", None)
        if stats is None or not stats.check_key:
            return "—"
        return format_html('<span title="{}">⚠ Check the key</span>', stats.check_key_reason)

    @admin.display(description="open reports", ordering="open_report_count")
    def open_reports(self, question):
        if not question.open_report_count:
            return "—"
        url = reverse("admin:quizzes_problemreport_queue") + f"?question={question.pk}"
        return format_html('<a href="{}">{}</a>', url, question.open_report_count)

    # Every save goes through the history: the state before is read (and locked) before the
    # question is written, the diff recorded once its options and links are saved too.

    def save_model(self, request, obj, form, change):
        if change:
            obj._history_before = moderation.question_snapshot(obj.pk, lock=True)
        super().save_model(request, obj, form, change)
        new_images, removed = form.cleaned_data.get("new_images"), form.cleaned_data.get("remove_images")
        if new_images or removed:
            moderation.change_images(question=obj, add=new_images or [], remove=removed or [])

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        before = getattr(form.instance, "_history_before", None)
        if before is not None:
            moderation.record_question_change(question=form.instance, before=before, editor=request.user)

    @admin.action(description="Approve selected pending questions (pending → active)", permissions=["change"])
    def approve(self, request, queryset):
        approved = sum(moderation.approve_question(question=question, editor=request.user) for question in queryset)
        skipped = queryset.count() - approved
        message = f"{approved} question{'s' if approved != 1 else ''} approved."
        if skipped:
            message += f" {skipped} not pending, left as {'it was' if skipped == 1 else 'they were'}."
        self.message_user(request, message, messages.SUCCESS if approved else messages.WARNING)

    @admin.action(description="Archive selected questions", permissions=["change"])
    def archive(self, request, queryset):
        questions = list(queryset.exclude(status=QuestionStatus.ARCHIVED))
        for question in questions:
            moderation.update_question(question=question, editor=request.user, status=QuestionStatus.ARCHIVED)
        self.message_user(request, f"{len(questions)} question{'s' if len(questions) != 1 else ''} archived.")

    @admin.action(description="Mark selected questions premium", permissions=["change"])
    def mark_premium(self, request, queryset):
        questions = list(queryset.filter(is_premium=False))
        for question in questions:
            moderation.update_question(question=question, editor=request.user, is_premium=True)
        self.message_user(request, f"{len(questions)} question{'s' if len(questions) != 1 else ''} marked premium.")

    def get_urls(self):
        restore = path(
            "<path:object_id>/restore/<int:version>/",
            self.admin_site.admin_view(self.restore_view),
            name="quizzes_question_restore",
        )
        return [restore, *super().get_urls()]

    def restore_view(self, request, object_id, version):
        """Preview what restoring `version` changes (GET), then do it as a new version (POST)."""
        question = self.get_object(request, object_id)
        if question is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, question):
            raise PermissionDenied
        change_url = reverse("admin:quizzes_question_change", args=[question.pk])
        try:
            current = moderation.question_snapshot(question.pk)
            target = moderation.restore_target(current, moderation.state_at_version(question, version))
        except moderation.RestoreError as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(change_url)
        if request.method == "POST":
            try:
                entry = moderation.restore_version(question=question, version=version, editor=request.user)
            except moderation.RestoreError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                if entry is None:
                    self.message_user(request, f"Version {version} is the same as the current one: nothing changed.")
                else:
                    message = f"Version {version} restored as version {entry.version}."
                    self.message_user(request, message, messages.SUCCESS)
            return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Restore version {version}",
            "subtitle": str(question),
            "opts": self.opts,
            "original": question,
            "version": version,
            "changes": format_changes(moderation.diff_snapshots(current, target)),
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/quizzes/question/restore.html", context)


# Quiz sessions and the rest


class SessionQuestionInline(ReadOnlyInline):
    model = SessionQuestion
    fields = ["question_order", "question", "answered_at", "is_correct", "is_flagged"]
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("question")



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


# Problem reports


class ProblemReportAdminForm(forms.ModelForm):
    # Set by the Accept and Reject buttons of the change page (templates/admin/quizzes/problemreport/).
    decision = forms.ChoiceField(
        required=False, choices=[("", "—"), (ReportStatus.ACCEPTED, "Accept"), (ReportStatus.REJECTED, "Reject")]
    )

    class Meta:
        model = ProblemReport
        fields = "__all__"
        widgets = {"admin_comment": forms.Textarea(attrs={"rows": 3, "cols": 60})}
        help_texts = {"admin_comment": "Required to reject. The learner reads it on “My reports”."}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == ReportStatus.REJECTED and not (cleaned.get("admin_comment") or "").strip():
            self.add_error("admin_comment", "Say why the report is rejected: the learner reads this comment.")
        return cleaned


REPORT_DETAILS = [
    "question_preview", "reporter", "type", "description", "created_at", "status", "reviewed_by", "resolved_at",
]


@admin.register(ProblemReport)
class ProblemReportAdmin(admin.ModelAdmin):
    """Reports are resolved in the queue (queue/) or on a report's page, both with a comment for the learner."""

    form = ProblemReportAdminForm
    list_display = ["question_excerpt", "type", "status", "reporter", "created_at", "reviewed_by", "resolved_at"]
    list_filter = ["status", "type"]
    list_select_related = ["question", "reporter", "reviewed_by"]
    search_fields = ["description", "question__question_text", "reporter__username"]
    ordering = ["-created_at"]
    autocomplete_fields = ["question", "reporter"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["question", "reporter", "type", "description"]
        return [*REPORT_DETAILS, "admin_comment"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else REPORT_DETAILS

    @admin.display(description="question", ordering="question__question_text")
    def question_excerpt(self, report):
        return str(report.question)

    @admin.display(description="question")
    def question_preview(self, report):
        return question_preview(report.question)

    def save_model(self, request, obj, form, change):
        decision = form.cleaned_data.get("decision")
        if change and decision:
            moderation.resolve_report(
                report=obj, reviewer=request.user, status=decision, comment=form.cleaned_data.get("admin_comment") or ""
            )
        else:
            super().save_model(request, obj, form, change)

    def response_change(self, request, obj):
        decision = request.POST.get("decision")
        if decision in (ReportStatus.ACCEPTED, ReportStatus.REJECTED):
            self.message_user(request, f"Report {decision}: the learner sees it on “My reports”.", messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:quizzes_problemreport_queue"))
        return super().response_change(request, obj)

    def get_urls(self):
        queue = path("queue/", self.admin_site.admin_view(self.queue_view), name="quizzes_problemreport_queue")
        return [queue, *super().get_urls()]

    def queue_view(self, request):
        """Pending reports, oldest first, each with its question and a form to accept or reject it."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        reports = ProblemReport.objects.filter(status=ReportStatus.PENDING)
        question_id = request.GET.get("question")
        if question_id:
            try:
                reports = reports.filter(question_id=uuid.UUID(question_id))
            except ValueError:
                question_id = None
        failed = None
        if request.method == "POST":
            form = ResolveReportForm(request.POST)
            if form.is_valid():
                report = get_object_or_404(ProblemReport, pk=form.cleaned_data["report"])
                try:
                    moderation.resolve_report(
                        report=report,
                        reviewer=request.user,
                        status=form.cleaned_data["decision"],
                        comment=form.cleaned_data["admin_comment"],
                    )
                except moderation.ModerationError as error:
                    self.message_user(request, str(error), messages.ERROR)
                else:
                    decision = form.cleaned_data["decision"]
                    message = f"Report on “{report.question}” {decision}: the learner sees it on “My reports”."
                    self.message_user(request, message, messages.SUCCESS)
                return redirect(request.get_full_path())
            failed = form
        reports = (
            reports.select_related("question", "question__stats", "reporter")
            .prefetch_related("question__options").order_by("created_at")
        )
        page = Paginator(reports, 20).get_page(request.GET.get("page"))
        items = []
        for report in page:
            if failed is not None and str(failed.data.get("report")) == str(report.pk):
                form = failed
            else:
                form = ResolveReportForm(initial={"report": report.pk})
            form.auto_id = f"id_%s_{report.pk}"
            items.append({"report": report, "form": form, "question": question_preview(report.question)})
        context = {
            **self.admin_site.each_context(request),
            "title": "Problem reports to review",
            "opts": self.opts,
            "page": page,
            "items": items,
            "question_id": question_id,
            "cl_url": reverse("admin:quizzes_problemreport_changelist"),
        }
        template = "admin/quizzes/problemreport/queue.html"
        return TemplateResponse(request, template, context, status=422 if failed else 200)


def stats_summary(question):
    """The question's item statistics in one line, for the report queue."""
    stats = getattr(question, "stats", None)
    if stats is None:
        return mark_safe('<p class="item-stats">No statistics yet (the compute_item_stats job has not seen an '
                         "answer).</p>")
    shares = format_html_join(", ", "“{}” {}", ((share["text"][:40], f"{share['share']:.0%}")
                                               for share in stats.option_shares))
    discrimination = "—" if stats.discrimination is None else f"{stats.discrimination:.2f}"
    facility = "—" if stats.facility is None else f"{stats.facility:.0%}"
    flag = format_html(" <strong>⚠ Check the key:</strong> {}", stats.check_key_reason) if stats.check_key else ""
    return format_html('<p class="item-stats">Statistics: {} attempts, facility {}, discrimination {}; '
                       "chosen: {}.{}</p>", stats.attempts, facility, discrimination, shares, flag)


def question_preview(question):
    """The reported question as learners see it, with its options marked right or wrong."""
    options = sorted(question.options.all(), key=lambda option: option.display_order)
    return format_html(
        '<div class="report-question">{}{}<ul class="report-options">{}</ul>'
        '<p><strong>Explanation:</strong></p>{}<p><a href="{}">Edit this question</a></p></div>',
        stats_summary(question),
        mark_safe(question.question_html),  # rendered and sanitized by nh3 when saved
        format_html_join(
            "",
            "<li>{} {}</li>",
            (("✔ correct:" if option.is_correct else "✘ wrong:", mark_safe(option.option_html)) for option in options),
        ),
        mark_safe(question.explanation_html),
        reverse("admin:quizzes_question_change", args=[question.pk]),
    )


@admin.register(QuestionHistory)
class QuestionHistoryAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    """A record of edits: visible, never written through the admin."""

    list_display = ["question", "version", "edited_by", "edited_at"]
    list_select_related = ["question", "edited_by"]
    search_fields = ["question__question_text"]
    ordering = ["-edited_at"]
    fields = ["question", "version", "edited_by", "edited_at", "formatted_changes", "raw_changes"]
    readonly_fields = ["edited_at", "formatted_changes", "raw_changes"]

    @admin.display(description="changes")
    def formatted_changes(self, history):
        return format_changes(history.changes)

    @admin.display(description="as stored (JSON)")
    def raw_changes(self, history):
        return format_html("<pre>{}</pre>", json.dumps(history.changes, indent=2, sort_keys=True, ensure_ascii=False))


@admin.register(QuestionStats)
class QuestionStatsAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    """Item statistics, written only by the compute_item_stats job: read here, filtered and sorted."""

    allow_delete = True

    list_display = ["question", "attempts", "facility", "discrimination", "check_key", "computed_at"]
    list_filter = ["check_key"]
    list_select_related = ["question"]
    ordering = ["-check_key", "discrimination"]
    search_fields = ["question__question_text", "question__title"]
    readonly_fields = ["question", "attempts", "facility", "discrimination", "shares", "check_key",
                       "check_key_reason", "computed_at"]
    exclude = ["option_shares"]

    @admin.display(description="share choosing each option")
    def shares(self, stats):
        return format_html_join(
            "", "<li>{} {}: {} of all, {} of the strongest 27%</li>",
            (("✔" if share["is_correct"] else "✘", share["text"], f"{share['share']:.0%}",
              f"{share['strong_share']:.0%}") for share in stats.option_shares),
        )
