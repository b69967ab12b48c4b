import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.functions import RandomUUID
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone

from certquiz.db import created_at_field, enum_check, updated_at_field
from quizzes import rendering


MAX_EXAM_MINUTES = 300  # the start form's longest time limit
MAX_EXAM_QUESTIONS = 100  # a session's most questions (quizzes.services.MAX_QUESTIONS_PER_SESSION)
DEFAULT_PASSING_SCORE = 70  # an exam's until set, and the bar of an exam-mode quiz of no one exam


def uuid_pk():
    return models.UUIDField(primary_key=True, default=uuid.uuid4, db_default=RandomUUID(), editable=False)


# Limits every write path checks (the admin's form, the importer) before the database does: the
# search vector and the probe index (which includes the tags) have hard size limits.
MAX_QUESTION_LENGTH = 20_000
MAX_EXPLANATION_LENGTH = 20_000
MAX_OPTION_LENGTH = 2_000
MAX_TITLE_LENGTH = 200
MIN_OPTIONS, MAX_OPTIONS = 2, 6
MAX_TAGS = 30
MAX_TAG_BYTES = 2_000


class QuestionType(models.TextChoices):
    SINGLE = "single", "Single answer"
    MULTIPLE = "multiple", "Multiple answers"


class QuestionStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PENDING = "pending", "Pending review"
    ARCHIVED = "archived", "Archived"


class ReportType(models.TextChoices):
    ERROR = "error", "Error"
    UNCLEAR = "unclear", "Unclear"
    OUTDATED = "outdated", "Outdated"


class ReportStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class TextFormat(models.TextChoices):
    MARKDOWN = rendering.MARKDOWN, "Markdown"
    PLAIN = rendering.PLAIN, "Plain text"
    HTML = rendering.HTML, "HTML"


class RenderedQuerySet(models.QuerySet):
    """Every write renders: save() renders one row, and the bulk paths that skip save() render too
    (bulk_create and bulk_update render the objects; update() re-renders the rows it changed)."""

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.render_html()
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs, fields = list(objs), list(fields)
        if set(fields) & set(self.model.RENDERED_FROM):
            for obj in objs:
                obj.render_html()
            fields = list(dict.fromkeys([*fields, *self.model.RENDERED_FIELDS]))
        # A plain QuerySet writes: its update() must not render the rows a second time.
        return models.QuerySet(self.model, using=self.db).bulk_update(objs, fields, *args, **kwargs)

    def update(self, **kwargs):
        if not set(kwargs) & set(self.model.RENDERED_FROM):
            return super().update(**kwargs)
        pks = list(self.values_list("pk", flat=True))
        count = super().update(**kwargs)
        rows = list(models.QuerySet(self.model, using=self.db).filter(pk__in=pks))
        for row in rows:
            row.render_html()
        if rows:
            models.QuerySet(self.model, using=self.db).bulk_update(rows, self.model.RENDERED_FIELDS)
        return count


class QuizMode(models.TextChoices):
    PRACTICE = "practice", "Practice"
    EXAM = "exam", "Exam"
    MISTAKES = "mistakes", "My mistakes"
    BOOKMARKED = "bookmarked", "Bookmarked"
    DUE_REVIEW = "due_review", "Due for review"


class CatalogueQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class CatalogueEntry(models.Model):
    """What an exam and a category share: a code, a name, a place in the catalogue, on or off."""

    id = uuid_pk()
    code = models.TextField()
    name = models.TextField()
    description = models.TextField(null=True, blank=True)
    display_order = models.IntegerField(default=0, db_default=0)
    is_active = models.BooleanField(default=True, db_default=True)
    created_at = created_at_field()
    updated_at = updated_at_field()

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["display_order", "name"]

    def __str__(self):
        return self.name


class Exam(CatalogueEntry):
    # Added to the document's table: the real test's settings, the defaults of a full practice exam.
    passing_score = models.IntegerField(
        default=DEFAULT_PASSING_SCORE, db_default=DEFAULT_PASSING_SCORE,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Percentage of questions right needed to pass.",
    )
    duration_minutes = models.IntegerField(
        default=90, db_default=90, validators=[MinValueValidator(1), MaxValueValidator(MAX_EXAM_MINUTES)],
        help_text="Time limit of a full practice exam.",
    )
    question_count = models.IntegerField(
        default=60, db_default=60, validators=[MinValueValidator(1), MaxValueValidator(MAX_EXAM_QUESTIONS)],
        help_text="Questions in a full practice exam.",
    )

    class Meta(CatalogueEntry.Meta):
        db_table = "exams"
        constraints = [
            models.UniqueConstraint(fields=["code"], name="idx_exams_code"),
            models.CheckConstraint(condition=Q(passing_score__range=(1, 100)), name="chk_exams_passing_score"),
            models.CheckConstraint(
                condition=Q(duration_minutes__range=(1, MAX_EXAM_MINUTES)), name="chk_exams_duration_minutes"
            ),
            models.CheckConstraint(
                condition=Q(question_count__range=(1, MAX_EXAM_QUESTIONS)), name="chk_exams_question_count"
            ),
        ]
        indexes = [models.Index(fields=["is_active"], name="idx_exams_active")]


class Category(CatalogueEntry):
    class Meta(CatalogueEntry.Meta):
        db_table = "categories"
        verbose_name_plural = "categories"
        constraints = [models.UniqueConstraint(fields=["code"], name="idx_categories_code")]
        indexes = [models.Index(fields=["is_active"], name="idx_categories_active")]


class ExamBlueprint(models.Model):
    """How much of an exam a category weighs, as the vendor publishes it (Network Fundamentals 20%).
    A full practice exam draws its questions by these weights; an exam's weights sum to 100."""

    id = models.BigAutoField(primary_key=True)
    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name="blueprint", db_index=False)
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")
    weight_percent = models.IntegerField(validators=[MinValueValidator(1), MaxValueValidator(100)])

    class Meta:
        db_table = "exam_blueprint"
        ordering = ["-weight_percent", "category__display_order"]
        constraints = [
            models.UniqueConstraint(fields=["exam", "category"], name="unq_exam_blueprint_category"),
            models.CheckConstraint(condition=Q(weight_percent__range=(1, 100)), name="chk_exam_blueprint_weight"),
        ]

    def __str__(self):
        return f"{self.category} {self.weight_percent}%"


# The one visibility rule (a security rule: tests/quizzes/test_visibility_rule.py): a learner sees a
# question once it is reviewed (not a pending submission), and a premium one only with premium.
# Archived questions stay visible in past quizzes and bookmarks; new quizzes and the catalogue's
# counts draw from active() ones only. Question.objects.visible_to() and Question.is_visible_to()
# apply it; visible_question_q() is the same rule for lookups through a relation.


def has_premium(user) -> bool:
    """Whether `user` (a learner, AnonymousUser or None) sees premium questions."""
    return bool(user is not None and getattr(user, "has_premium", False))


def visible_question_q(user, prefix: str = "") -> Q:
    """The visibility rule as a Q object over the question reached through `prefix` (e.g. "questions")."""
    field = f"{prefix}__" if prefix else ""
    condition = ~Q(**{f"{field}status": QuestionStatus.PENDING})
    if not has_premium(user):
        condition &= Q(**{f"{field}is_premium": False})
    return condition


class QuestionQuerySet(RenderedQuerySet):
    def active(self):
        return self.filter(status=QuestionStatus.ACTIVE)

    def visible_to(self, user):
        """The questions `user` may see (the visibility rule above)."""
        return self.filter(visible_question_q(user))


class RenderedTextMixin:
    """Text rendered once, when saved: subclasses name the fields the HTML is made from
    (RENDERED_FROM), the fields render_html() writes (RENDERED_FIELDS), and render them."""

    RENDERED_FROM: tuple[str, ...] = ()
    RENDERED_FIELDS: tuple[str, ...] = ()

    def render_html(self) -> None:
        raise NotImplementedError

    def save(self, *args, **kwargs):
        self.render_html()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) & set(self.RENDERED_FROM):
            kwargs["update_fields"] = list(dict.fromkeys([*update_fields, *self.RENDERED_FIELDS]))
        super().save(*args, **kwargs)


class Question(RenderedTextMixin, models.Model):
    id = uuid_pk()
    tags = ArrayField(models.TextField(), default=list, db_default=[], blank=True)
    question_text = models.TextField()
    type = models.TextField(choices=QuestionType.choices)
    explanation = models.TextField()
    detailed_explanation = models.TextField(null=True, blank=True)
    images = ArrayField(models.TextField(), default=list, db_default=[], null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="created_questions", db_index=False)
    created_by_name = models.TextField(null=True, blank=True)
    is_user_generated = models.BooleanField(default=False, db_default=False)
    is_premium = models.BooleanField(default=False, db_default=False)
    status = models.TextField(choices=QuestionStatus.choices, default=QuestionStatus.ACTIVE, db_default=QuestionStatus.ACTIVE)
    version = models.IntegerField(default=1, db_default=1)
    created_at = created_at_field()
    updated_at = updated_at_field()
    # Added: the format the texts are written in (explanations follow the question's), the
    # sanitized HTML rendered from them on every write, and a short label for lists.
    text_format = models.TextField(choices=TextFormat.choices, default=TextFormat.MARKDOWN,
                                   db_default=TextFormat.MARKDOWN)
    question_html = models.TextField(default="", db_default="", editable=False)
    explanation_html = models.TextField(default="", db_default="", editable=False)
    detailed_explanation_html = models.TextField(default="", db_default="", editable=False)
    title = models.TextField(null=True, blank=True, help_text="A short label for lists (GIFT's ::title::); "
                             "left empty, the first sentence that is not boilerplate is used.")
    # The admin's search (quizzes.admin.QuestionAdmin.get_search_results): English full-text of
    # the question and its explanation, kept by PostgreSQL (GIN index below).
    search_vector = models.GeneratedField(
        expression=SearchVector("question_text", "explanation", config="english"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    exams = models.ManyToManyField(Exam, through="QuestionExam", related_name="questions", blank=True)
    categories = models.ManyToManyField(Category, through="QuestionCategory", related_name="questions", blank=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        db_table = "questions"
        constraints = [
            enum_check("type", QuestionType, "questions"),
            enum_check("status", QuestionStatus, "questions"),
            enum_check("text_format", TextFormat, "questions"),
        ]
        indexes = [
            models.Index(fields=["status"], name="idx_questions_status"),
            models.Index(fields=["created_by"], name="idx_questions_created_by"),
            GinIndex(fields=["tags"], name="idx_questions_tags_gin"),
            models.Index(fields=["status"], name="idx_active_questions", condition=Q(status="active")),
            # The random pick's probes (quizzes.services.random_pick) walk active ids and test the
            # premium flag and tags: an index-only scan, no visit to the table's pages.
            models.Index(
                fields=["id"], include=["is_premium", "tags"], condition=Q(status="active"),
                name="idx_questions_active_probe",
            ),
            # The admin's question list: newest first (created_at, then id as Django adds it), by status or not.
            models.Index(fields=["created_at", "id"], name="idx_questions_created_at"),
            models.Index(fields=["status", "created_at", "id"], name="idx_questions_status_created"),
            GinIndex(fields=["search_vector"], name="idx_questions_search_vector"),
        ]

    RENDERED_FROM = ("question_text", "explanation", "detailed_explanation", "text_format")
    RENDERED_FIELDS = ("question_text", "explanation", "detailed_explanation", "question_html", "explanation_html",
                       "detailed_explanation_html")

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        """The question's name in lists: its title, or its first sentence that is not boilerplate."""
        return rendering.question_label(self.title, self.question_html or rendering.render(
            self.question_text, self.text_format))

    @property
    def is_multiple(self) -> bool:
        return self.type == QuestionType.MULTIPLE

    def is_visible_to(self, user) -> bool:
        """Whether `user` may see this question (the visibility rule above QuestionQuerySet)."""
        return self.status != QuestionStatus.PENDING and (not self.is_premium or has_premium(user))

    def render_html(self) -> None:
        """Normalize line endings and render the texts to sanitized HTML (every write calls this)."""
        self.question_text = rendering.normalize_newlines(self.question_text)
        self.explanation = rendering.normalize_newlines(self.explanation)
        self.detailed_explanation = rendering.normalize_newlines(self.detailed_explanation)
        self.question_html = rendering.render(self.question_text, self.text_format)
        self.explanation_html = rendering.render(self.explanation, self.text_format)
        self.detailed_explanation_html = rendering.render(self.detailed_explanation, self.text_format)


class QuestionOption(RenderedTextMixin, models.Model):
    id = uuid_pk()
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options", db_index=False)
    text = models.TextField()
    is_correct = models.BooleanField(default=False, db_default=False)
    display_order = models.IntegerField(default=0, db_default=0)
    created_at = created_at_field()
    # Added: the option's own format (GIFT can give each answer one) and its rendered, sanitized HTML.
    text_format = models.TextField(choices=TextFormat.choices, default=TextFormat.MARKDOWN,
                                   db_default=TextFormat.MARKDOWN)
    option_html = models.TextField(default="", db_default="", editable=False)

    objects = RenderedQuerySet.as_manager()

    class Meta:
        db_table = "question_options"
        ordering = ["display_order"]
        constraints = [
            models.UniqueConstraint(fields=["question", "display_order"], name="unq_question_display_order"),
            enum_check("text_format", TextFormat, "question_options"),
        ]
        indexes = [models.Index(fields=["question"], name="idx_options_question")]

    RENDERED_FROM = ("text", "text_format")
    RENDERED_FIELDS = ("text", "option_html")

    def __str__(self):
        return self.text[:80]

    def render_html(self) -> None:
        self.text = rendering.normalize_newlines(self.text)
        self.option_html = rendering.render(self.text, self.text_format)


class QuestionExam(models.Model):
    # The document gives junction tables no key of their own; Django needs one, so an added surrogate.
    id = uuid_pk()
    question = models.ForeignKey(Question, on_delete=models.CASCADE, db_index=False)
    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, db_index=False)
    created_at = created_at_field()

    class Meta:
        db_table = "question_exams"
        constraints = [models.UniqueConstraint(fields=["question", "exam"], name="pk_question_exams")]
        indexes = [
            models.Index(fields=["question"], name="idx_question_exams_question"),
            models.Index(fields=["exam"], name="idx_question_exams_exam"),
        ]


class QuestionCategory(models.Model):
    id = uuid_pk()
    question = models.ForeignKey(Question, on_delete=models.CASCADE, db_index=False)
    category = models.ForeignKey(Category, on_delete=models.CASCADE, db_index=False)
    created_at = created_at_field()

    class Meta:
        db_table = "question_categories"
        verbose_name_plural = "question categories"
        constraints = [models.UniqueConstraint(fields=["question", "category"], name="pk_question_categories")]
        # idx_question_categories_question and _category exceed Django's 30-character index names:
        # migration 0002 creates them with SQL.


class QuizSession(models.Model):
    id = uuid_pk()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_sessions", db_index=False)
    exam = models.ForeignKey(Exam, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False)
    category = models.ForeignKey(Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False)
    question_count = models.IntegerField()
    current_index = models.IntegerField(default=0, db_default=0)
    score = models.IntegerField(null=True, blank=True)
    is_paused = models.BooleanField(default=False, db_default=False)
    started_at = models.DateTimeField(default=timezone.now, db_default=Now())
    completed_at = models.DateTimeField(null=True, blank=True)
    # Columns added to the document's table for the quiz player (all with defaults).
    mode = models.TextField(choices=QuizMode.choices, default=QuizMode.PRACTICE, db_default=QuizMode.PRACTICE)
    time_limit_minutes = models.IntegerField(null=True, blank=True)
    tags = ArrayField(models.TextField(), default=list, db_default=[], blank=True)
    last_activity_at = models.DateTimeField(default=timezone.now, db_default=Now())

    class Meta:
        db_table = "quiz_sessions"
        constraints = [
            enum_check("mode", QuizMode, "quiz_sessions"),
            models.CheckConstraint(condition=Q(question_count__gte=0), name="chk_quiz_sessions_question_count"),
            models.CheckConstraint(
                condition=Q(time_limit_minutes__isnull=True) | Q(time_limit_minutes__gt=0),
                name="chk_quiz_sessions_time_limit",
            ),
        ]
        indexes = [
            models.Index(fields=["user"], name="idx_sessions_user"),
            models.Index(fields=["completed_at"], name="idx_sessions_completed"),
            models.Index(fields=["exam"], name="idx_sessions_exam"),
            models.Index(fields=["category"], name="idx_sessions_category"),
            models.Index(fields=["user", "started_at"], name="idx_sessions_user_started"),
        ]

    def __str__(self):
        return f"{self.get_mode_display()} quiz of {self.question_count} ({self.started_at:%Y-%m-%d %H:%M})"

    @property
    def is_completed(self) -> bool:
        return self.completed_at is not None

    @property
    def is_exam(self) -> bool:
        return self.mode == QuizMode.EXAM

    @property
    def deadline(self):
        """When a timed exam ends. The clock keeps running while the quiz is paused, as in a real exam."""
        if self.time_limit_minutes:
            return self.started_at + timedelta(minutes=self.time_limit_minutes)
        return None

    def is_out_of_time(self, now=None) -> bool:
        return self.deadline is not None and (now or timezone.now()) >= self.deadline

    def reveals_answers(self) -> bool:
        """Exam mode keeps correct options and explanations secret until the session is over."""
        return self.is_completed or not self.is_exam

    @property
    def percentage(self):
        if self.score is None or not self.question_count:
            return None
        return round(100 * self.score / self.question_count)

    @property
    def duration(self):
        if self.completed_at:
            return self.completed_at - self.started_at
        return None


class SessionQuestion(models.Model):
    id = models.BigAutoField(primary_key=True)
    session = models.ForeignKey(QuizSession, on_delete=models.CASCADE, related_name="session_questions", db_index=False)
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+", db_index=False)
    question_order = models.IntegerField()
    answered_at = models.DateTimeField(null=True, blank=True)
    is_correct = models.BooleanField(null=True, blank=True)
    # Added for the player: the per-session shuffled option order and the exam-mode review flag.
    option_order = ArrayField(models.UUIDField(), default=list, db_default=[], blank=True)
    is_flagged = models.BooleanField(default=False, db_default=False)

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

    class Meta:
        db_table = "session_questions"
        ordering = ["question_order"]
        constraints = [
            models.UniqueConstraint(fields=["session", "question"], name="pk_session_questions"),
            models.UniqueConstraint(fields=["session", "question_order"], name="unq_session_question_order"),
        ]
        indexes = [
            models.Index(fields=["session"], name="idx_session_questions_session"),
            models.Index(fields=["question"], name="idx_session_questions_question"),
        ]


class SessionSelectedOption(models.Model):
    id = models.BigAutoField(primary_key=True)
    session = models.ForeignKey(QuizSession, on_delete=models.CASCADE, related_name="+", db_index=False)
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+", db_index=False)
    option = models.ForeignKey(QuestionOption, on_delete=models.PROTECT, related_name="+", db_index=False)
    selected_at = created_at_field()

    class Meta:
        db_table = "session_selected_options"
        constraints = [
            models.UniqueConstraint(fields=["session", "question", "option"], name="pk_session_selected_options")
        ]
        # idx_session_selected_session_question is too long for Django: migration 0002 creates it.
        indexes = [models.Index(fields=["option"], name="idx_session_selected_option")]


class Bookmark(models.Model):
    id = models.BigAutoField(primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bookmarks", db_index=False)
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="bookmarks", db_index=False)
    created_at = created_at_field()

    class Meta:
        db_table = "bookmarks"
        constraints = [models.UniqueConstraint(fields=["user", "question"], name="pk_bookmarks")]
        indexes = [models.Index(fields=["user"], name="idx_bookmarks_user")]


class ProblemReport(models.Model):
    id = uuid_pk()
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="reports", db_index=False)
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reports", db_index=False)
    type = models.TextField(choices=ReportType.choices)
    description = models.TextField()
    status = models.TextField(choices=ReportStatus.choices, default=ReportStatus.PENDING, db_default=ReportStatus.PENDING)
    admin_comment = models.TextField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False)
    created_at = created_at_field()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "problem_reports"
        constraints = [
            enum_check("type", ReportType, "problem_reports"),
            enum_check("status", ReportStatus, "problem_reports"),
            # One open report per learner and question: a second report edits the first.
            models.UniqueConstraint(
                fields=["question", "reporter"],
                condition=Q(status=ReportStatus.PENDING),
                name="unq_reports_open_per_reporter",
            ),
        ]
        indexes = [
            models.Index(fields=["question"], name="idx_reports_question"),
            models.Index(fields=["reporter"], name="idx_reports_reporter"),
            models.Index(fields=["status"], name="idx_reports_status"),
        ]


class QuestionHistory(models.Model):
    id = uuid_pk()
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="history", db_index=False)
    version = models.IntegerField()
    changes = models.JSONField()
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False)
    edited_at = created_at_field()

    class Meta:
        db_table = "question_history"
        verbose_name_plural = "question history"
        constraints = [models.UniqueConstraint(fields=["question", "version"], name="idx_history_question_version")]


class QuestionStats(models.Model):
    """Item analysis of a question (Moodle's quiz statistics), from the final answers of finished
    quizzes. Written by the `compute_item_stats` command (a periodic job), read by the admin; never
    computed per request. Added beyond the document."""

    question = models.OneToOneField(Question, on_delete=models.CASCADE, primary_key=True, related_name="stats")
    attempts = models.IntegerField(default=0)
    # Share of attempts answered right (0-1); None without attempts.
    facility = models.FloatField(null=True, blank=True)
    # Point-biserial correlation of getting this question right with the score on the rest of the
    # quiz (-1 to 1); None with too few attempts in quizzes of two or more questions.
    discrimination = models.FloatField(null=True, blank=True)
    # [{"option": id, "text": ..., "is_correct": ..., "share": 0-1, "strong_share": 0-1}, ...] in display order.
    option_shares = models.JSONField(default=list)
    check_key = models.BooleanField(default=False)
    check_key_reason = models.TextField(blank=True, default="")
    computed_at = models.DateTimeField()

    class Meta:
        db_table = "question_stats"
        verbose_name_plural = "question statistics"
        indexes = [
            models.Index(fields=["check_key"], name="idx_question_stats_check_key", condition=Q(check_key=True)),
        ]

    def __str__(self):
        return f"Statistics of {self.question_id}"
