"""Read-side queries for the quiz pages, each a fixed number of SQL queries whatever the bank size."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

import uuid

from django.core.cache import cache
from django.db.models import Count, DateTimeField, Exists, ExpressionWrapper, F, OuterRef, Q
from django.db.models.functions import Now

from quizzes.models import (
    Bookmark,
    Category,
    Exam,
    ExamBlueprint,
    Question,
    QuestionCategory,
    QuestionOption,
    QuestionStatus,
    QuizMode,
    QuizSession,
    SessionQuestion,
    SessionSelectedOption,
    has_premium,
    visible_question_q,
)


def active_visible_questions(user) -> Q:
    """An exam's or category's questions counted in the catalogue: active and visible to `user`."""
    return Q(questions__status=QuestionStatus.ACTIVE) & visible_question_q(user, "questions")


# An aggregate drops Meta.ordering (Django leaves it out of GROUP BY queries): order explicitly.
def exams_with_counts(user):
    return (
        Exam.objects.active()
        .annotate(active_question_count=Count("questions", filter=active_visible_questions(user), distinct=True))
        .order_by("display_order", "name")
    )


def categories_with_counts(user, exam=None):
    condition = active_visible_questions(user)
    if exam is not None:
        condition &= Q(questions__exams=exam)
    return (
        Category.objects.active()
        .annotate(active_question_count=Count("questions", filter=condition, distinct=True))
        .order_by("display_order", "name")
    )


@dataclass
class CatalogueExam:
    """An exam of the home page with the categories that have questions in it, in display order."""

    exam: Exam
    categories: list = field(default_factory=list)


def exams_with_categories(user) -> list[CatalogueExam]:
    """Every active exam with its categories and the count of questions the learner may see in
    both (one aggregate over the question links, whatever the number of exams)."""
    pair_counts = {
        (row["exams"], row["categories"]): row["count"]
        for row in Question.objects.active()
        .visible_to(user)
        .filter(exams__is_active=True, categories__is_active=True)
        .values("exams", "categories")
        .annotate(count=Count("id"))
        .order_by()
    }
    categories = list(Category.objects.active().order_by("display_order", "name"))
    catalogue = []
    for exam in exams_with_counts(user):
        entry = CatalogueExam(exam=exam)
        for category in categories:
            count = pair_counts.get((exam.pk, category.pk))
            if count:
                entry.categories.append((category, count))
        catalogue.append(entry)
    return catalogue


CATALOGUE_VERSION_KEY = "catalogue:version"
CATALOGUE_TTL = 300  # seconds: bounds staleness where the cache is per process (no REDIS_URL)


def bump_catalogue_version() -> None:
    """Forget every cached catalogue count (called when exams, categories or questions change)."""
    cache.set(CATALOGUE_VERSION_KEY, uuid.uuid4().hex, None)


def catalogue_version() -> str:
    """Changes whenever exams, categories, questions or their links change (quizzes.receivers)."""
    return cache.get_or_set(CATALOGUE_VERSION_KEY, uuid.uuid4().hex, None)


def _catalogue_cached(name: str, user, build):
    version = catalogue_version()
    return cache.get_or_set(f"catalogue:{version}:{name}:{int(has_premium(user))}", build, CATALOGUE_TTL)


def catalogue_exams(user) -> list:
    """Active exams with their counts of questions the learner may see; cached, the counts scan the bank."""
    return _catalogue_cached("exams", user, lambda: list(exams_with_counts(user)))


def catalogue_by_exam(user) -> list[CatalogueExam]:
    return _catalogue_cached("by_exam", user, lambda: exams_with_categories(user))


def catalogue_categories(user, exam=None) -> list:
    name = f"categories:{exam.pk if exam else 'all'}"
    return _catalogue_cached(name, user, lambda: list(categories_with_counts(user, exam=exam)))


def unfinished_sessions(user, limit=5):
    if user is None:
        return []
    return list(
        QuizSession.objects.filter(user=user, completed_at__isnull=True)
        .select_related("exam", "category")
        .annotate(answered_count=Count("session_questions", filter=Q(session_questions__answered_at__isnull=False)))
        .order_by("-last_activity_at")[:limit]
    )


@dataclass
class QuestionView:
    """One question as a learner sees it inside a session."""

    session_question: SessionQuestion
    question: Question | None  # None when locked (premium question, learner without premium)
    options: list = field(default_factory=list)
    selected_ids: set = field(default_factory=set)
    is_bookmarked: bool = False
    time_spent: timedelta | None = None  # on the results page (time_per_question)

    @property
    def locked(self) -> bool:
        return self.question is None

    @property
    def number(self) -> int:
        return self.session_question.question_order + 1

    @property
    def correct_count(self) -> int:
        return sum(1 for option in self.options if option.is_correct)


def ordered_options(options, order, selected_ids):
    """Options in the session's shuffled order, each marked `is_selected` by the learner or not."""
    position = {option_id: index for index, option_id in enumerate(order)}
    for option in options:
        option.is_selected = option.id in selected_ids
    return sorted(options, key=lambda option: (position.get(option.id, len(position)), option.display_order))


def session_question_for_player(session_id, number: int, learner, *, lock: bool = False) -> SessionQuestion | None:
    """The `number`-th question of the learner's session with the session (its exam and category),
    the question and whether the learner bookmarked it, in one query; None if either is not there.
    With `lock` (inside a transaction), the session's row and the session question's are locked."""
    bookmarked = Bookmark.objects.filter(user=learner, question=OuterRef("question_id"))
    found = (
        SessionQuestion.objects.select_related("session__exam", "session__category", "question")
        .annotate(is_bookmarked=Exists(bookmarked))
        .filter(session_id=session_id, session__user=learner, question_order=number - 1)
        .order_by()  # one row: the default ordering would only cost compiling
    )
    if lock:
        found = found.select_for_update(of=("self", "session"))
    return next(iter(found), None)  # at most one: (session, question_order) is unique


def options_with_choices(session: QuizSession, question: Question) -> list[QuestionOption]:
    """The question's options, each with `is_selected` by the learner in this session: one query."""
    chosen = SessionSelectedOption.objects.filter(session=session, question=question, option=OuterRef("pk"))
    # No ORDER BY: the player puts them in the session's order (ordered_options).
    return list(QuestionOption.objects.filter(question=question).annotate(is_selected=Exists(chosen)).order_by())


def question_view(session: QuizSession, session_question: SessionQuestion, user) -> QuestionView:
    """What the player shows. Uses what the caller already loaded: the question (select_related),
    `is_bookmarked` (session_question_for_player) and `options_with_choices` (set by services.answer_question)."""
    question = session_question.question
    if not question.is_visible_to(user):
        return QuestionView(session_question=session_question, question=None)
    options = getattr(session_question, "options_with_choices", None)
    if options is None:
        options = options_with_choices(session, question)
    selected = {option.id for option in options if option.is_selected}
    bookmarked = getattr(session_question, "is_bookmarked", None)
    if bookmarked is None:
        bookmarked = Bookmark.objects.filter(user=user, question=question).exists()
    return QuestionView(session_question, question, ordered_options(options, session_question.option_order, selected),
                        selected, bookmarked)


def review_views(session: QuizSession, user) -> list[QuestionView]:
    """Every question of a finished session with options, the learner's choices and bookmarks."""
    session_questions = list(session.session_questions.select_related("question"))
    question_ids = [sq.question_id for sq in session_questions]
    options_by_question = defaultdict(list)
    for option in QuestionOption.objects.filter(question_id__in=question_ids):
        options_by_question[option.question_id].append(option)
    selected_by_question = defaultdict(set)
    for question_id, option_id in SessionSelectedOption.objects.filter(session=session).values_list(
        "question_id", "option_id"
    ):
        selected_by_question[question_id].add(option_id)
    bookmarked = set(
        Bookmark.objects.filter(user=user, question_id__in=question_ids).values_list("question_id", flat=True)
    )
    views = []
    for sq in session_questions:
        if not sq.question.is_visible_to(user):
            views.append(QuestionView(sq, None))
            continue
        views.append(
            QuestionView(
                sq,
                sq.question,
                ordered_options(
                    options_by_question[sq.question_id], sq.option_order, selected_by_question[sq.question_id]
                ),
                selected_by_question[sq.question_id],
                sq.question_id in bookmarked,
            )
        )
    return views


def category_breakdown(session: QuizSession) -> list[dict]:
    """Per category: questions, answered right, percentage (a question may count in several)."""
    results = dict(session.session_questions.values_list("question_id", "is_correct"))
    rows = defaultdict(lambda: {"total": 0, "correct": 0})
    for link in QuestionCategory.objects.filter(question_id__in=results).select_related("category"):
        row = rows[link.category]
        row["total"] += 1
        row["correct"] += 1 if results[link.question_id] else 0
    breakdown = []
    for category, row in sorted(rows.items(), key=lambda item: (item[0].display_order, item[0].name)):
        breakdown.append({"category": category, **row, "percentage": round(100 * row["correct"] / row["total"])})
    return breakdown


def ended_by_time_limit(session: QuizSession) -> bool:
    """A timed exam the clock ended (finish_session stops it at its deadline, never later)."""
    deadline = session.deadline
    return bool(session.is_exam and deadline and session.completed_at and session.completed_at >= deadline)


def exam_summary_rows(session: QuizSession, url_prefix: str) -> list[dict]:
    """Every question of the session with its state for the navigator and the review screen: one query."""
    rows = list(session.session_questions.values("question_order", "answered_at", "is_flagged", "is_correct"))
    for row in rows:
        row["number"] = row["question_order"] + 1
        row["url"] = f"{url_prefix}{row['number']}/"
        row["is_answered"] = row["answered_at"] is not None
    return rows


def time_per_question(session: QuizSession, session_questions) -> dict:
    """Time spent on each answered question, by question order: from the previous answer saved in
    the session (or its start) to this one's, the time a learner spent reaching this answer.
    Answers are stamped when saved, so a changed exam answer counts until its last change."""
    answered = sorted((sq for sq in session_questions if sq.answered_at), key=lambda sq: sq.answered_at)
    spent, previous = {}, session.started_at
    for sq in answered:
        spent[sq.question_order] = max(sq.answered_at - previous, timedelta(0))
        previous = sq.answered_at
    return spent


def blueprint_breakdown(session: QuizSession, breakdown: list[dict]) -> list[dict]:
    """The category breakdown against the exam's blueprint: each row gets the category's weight
    (None outside the blueprint), and a blueprint category the session had no question of is
    listed with 0 questions. One query for an exam-mode session of an exam, none otherwise."""
    if not session.is_exam or session.exam_id is None:
        return breakdown
    weights = {row.category_id: row for row in ExamBlueprint.objects.filter(exam_id=session.exam_id).select_related("category")}
    rows = []
    for row in breakdown:
        blueprint = weights.pop(row["category"].pk, None)
        rows.append({**row, "weight": blueprint.weight_percent if blueprint else None})
    for blueprint in weights.values():
        rows.append({"category": blueprint.category, "total": 0, "correct": 0, "percentage": None,
                     "weight": blueprint.weight_percent})
    return sorted(rows, key=lambda row: (row["weight"] is None, -(row["weight"] or 0), row["category"].display_order))


def open_exam_question_ids(user):
    """Ids of the questions in the learner's exams still running (not submitted, time not up)."""
    deadline = ExpressionWrapper(
        F("session__started_at") + F("session__time_limit_minutes") * timedelta(minutes=1),
        output_field=DateTimeField(),
    )
    return (
        SessionQuestion.objects.filter(session__user=user, session__mode=QuizMode.EXAM, session__completed_at__isnull=True)
        .alias(deadline=deadline)
        .filter(Q(session__time_limit_minutes__isnull=True) | Q(deadline__gt=Now()))
        .values("question_id")
    )
