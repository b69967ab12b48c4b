"""Cached catalogue counts are forgotten whenever what they count changes."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from quizzes.models import Category, Exam, Question, QuestionCategory, QuestionExam
from quizzes.selectors import bump_catalogue_version


def forget_catalogue(**kwargs):
    bump_catalogue_version()


def connect():
    for model in (Exam, Category, Question, QuestionExam, QuestionCategory):
        post_save.connect(forget_catalogue, sender=model, dispatch_uid=f"catalogue-save-{model.__name__}")
        post_delete.connect(forget_catalogue, sender=model, dispatch_uid=f"catalogue-delete-{model.__name__}")
    for through in (Question.exams.through, Question.categories.through):
        m2m_changed.connect(forget_catalogue, sender=through, dispatch_uid=f"catalogue-m2m-{through.__name__}")
