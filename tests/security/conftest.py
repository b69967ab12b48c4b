"""A small world every security test shares: an exam with questions (one premium), the visitors of
the authorization matrix, and what the learner owns (an unfinished and a finished quiz, a report, a
submitted question, a bookmark). Everything owned belongs to `learner`; `other` is another learner."""

import functools
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client, override_settings
from django.test.client import ClientHandler

from accounts.factories import GuestFactory, UserFactory
from accounts.guests import GUEST_SESSION_KEY
from accounts.models import Role
from quizzes import moderation
from quizzes.factories import CategoryFactory, ExamFactory, QuestionFactory
from quizzes.models import Question, QuizMode, QuizSession
from quizzes.services import finish_session, start_session, toggle_bookmark
from tests.helpers import submit

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
PERSONAS = ["anonymous", "guest", "learner", "premium", "other", "staff", "admin"]


@dataclass
class World:
    users: dict
    question: Question
    premium_question: Question
    session: QuizSession  # the learner's practice quiz, in progress, question 1 answered
    finished: QuizSession  # the learner's finished quiz, one answer wrong
    report: object
    submission: Question  # the learner's submitted question, pending review


@pytest.fixture(autouse=True)
def uninstrumented_templates(monkeypatch):
    """Render templates as in production: the test client's instrumentation copies the context of
    every template rendered (thousands for a page with a long <select>), which these tests, reading
    only responses, do not need."""
    from django.template.base import Template
    from django.test.utils import _TestState

    monkeypatch.setattr(Template, "_render", _TestState.saved_data.template_render)


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """allauth and the webhook keep rate-limit counters in the cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker):
    """Built once per test module inside a transaction that is rolled back after it; each test
    runs in a savepoint within it (pytest-django's `db`), so what a test changes is undone."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def world(shared_world, db) -> World:
    return shared_world


def build_world() -> World:
    exam = ExamFactory(code="CCNA", name="Cisco Certified Network Associate")
    category = CategoryFactory(code="OSPF", name="OSPF")
    questions = QuestionFactory.create_batch(3, exams=[exam], categories=[category], tags=["ospf"])
    premium_question = QuestionFactory(exams=[exam], categories=[category], is_premium=True, tags=["ospf"])
    from billing.factories import PremiumSubscriptionFactory

    users = {
        "guest": GuestFactory(),
        "learner": UserFactory(username="alice", email="alice@example.com"),
        "premium": PremiumSubscriptionFactory(user__username="pat", user__email="pat@example.com").user,
        "other": UserFactory(username="mallory", email="mallory@example.com"),
        # Staff: the admin role (Django's is_staff) without any permission; admin: a superuser.
        "staff": UserFactory(username="stef", email="stef@example.com", role=Role.ADMIN),
        "admin": UserFactory(username="root", email="root@example.com", role=Role.ADMIN, is_superuser=True),
    }
    learner = users["learner"]
    session = start_session(user=learner, mode=QuizMode.PRACTICE, count=3).session
    first = session.session_questions.select_related("question").order_by("question_order").first()
    submit(session, first, [first.question.options.first().pk])
    finished = start_session(user=learner, mode=QuizMode.PRACTICE, count=2).session
    answered = finished.session_questions.select_related("question").first()
    wrong = answered.question.options.filter(is_correct=False).first()
    submit(finished, answered, [wrong.pk])
    finished = finish_session(session=finished)
    report, _ = moderation.report_problem(reporter=learner, question=questions[0], type="error", description="Typo")
    submission = moderation.submit_question(
        author=learner,
        question_text="Which protocol floods LSAs?",
        type="single",
        explanation="OSPF does.",
        exams=[exam],
        categories=[category],
        tags=["ospf"],
        options=[("OSPF", True), ("RIP", False)],
    )
    toggle_bookmark(user=learner, question=questions[1])
    return World(
        users=users,
        question=questions[0],
        premium_question=premium_question,
        session=session,
        finished=finished,
        report=report,
        submission=submission,
    )


@functools.cache
def shared_handler() -> ClientHandler:
    """One request handler for every client of these tests: building one loads the middleware, and
    WhiteNoise's scans every static file then (hundreds of clients, a second each otherwise)."""
    return ClientHandler(enforce_csrf_checks=False)


def client_for(persona: str, world: World) -> Client:
    client = Client()
    client.handler = shared_handler()
    if persona == "anonymous":
        return client
    user = world.users[persona]
    if persona == "guest":
        session = client.session
        session[GUEST_SESSION_KEY] = str(user.pk)
        session.save()
    else:
        client.force_login(user)
    return client
