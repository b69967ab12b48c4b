"""Helpers of the security tests (plain functions and constants; the fixtures are in tests/security/conftest.py)."""

import functools
from dataclasses import dataclass

from django.test import Client
from django.test.client import ClientHandler

from accounts.factories import GuestFactory, UserFactory
from accounts.models import Role
from quizzes.factories import CategoryFactory, ExamFactory, QuestionFactory
from quizzes.models import Question, QuizMode, QuizSession
from quizzes.moderation import services as moderation
from quizzes.services import finish_session, start_session, toggle_bookmark
from tests.helpers.accounts import log_in_guest
from tests.helpers.quizzes import submit


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
    submit(session=session, session_question=first, option_ids=[first.question.options.first().pk])
    finished = start_session(user=learner, mode=QuizMode.PRACTICE, count=2).session
    answered = finished.session_questions.select_related("question").first()
    wrong = answered.question.options.filter(is_correct=False).first()
    submit(session=finished, session_question=answered, option_ids=[wrong.pk])
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
        log_in_guest(client, user)
    else:
        client.force_login(user)
    return client
