"""Cached catalogue counts are forgotten whenever what they count changes; a guest's quiz rows
follow them to the account they log in to."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from accounts.guests import guest_merged
from quizzes.models import (
    Bookmark, Category, Exam, ProblemReport, Question, QuestionCategory, QuestionExam, QuizSession,
)
from quizzes.selectors import bump_catalogue_version


def forget_catalogue(**kwargs):
    bump_catalogue_version()


def move_guest_rows(sender, guest, user, **kwargs):
    """Move the guest's quiz sessions, bookmarks and problem reports to `user`. A bookmark the user
    already has is dropped rather than duplicated; problem reports are moved because they protect
    their reporter from deletion."""
    QuizSession.objects.filter(user=guest).update(user=user)
    already_bookmarked = Bookmark.objects.filter(user=user).values("question")
    Bookmark.objects.filter(user=guest).exclude(question__in=already_bookmarked).update(user=user)
    ProblemReport.objects.filter(reporter=guest).update(reporter=user)


def connect():
    guest_merged.connect(move_guest_rows, dispatch_uid="quizzes.move_guest_rows")
    for model in (Exam, Category, Question, QuestionExam, QuestionCategory):
        post_save.connect(forget_catalogue, sender=model, dispatch_uid=f"catalogue-save-{model.__name__}")
        post_delete.connect(forget_catalogue, sender=model, dispatch_uid=f"catalogue-delete-{model.__name__}")
    for through in (Question.exams.through, Question.categories.through):
        m2m_changed.connect(forget_catalogue, sender=through, dispatch_uid=f"catalogue-m2m-{through.__name__}")
