"""Answers of one learner arriving at once, each from its own thread and database connection."""

import threading
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from gamification import services
from gamification.models import UserBadge, UserProgress
from quizzes.factories import QuestionFactory
from quizzes.models import SessionQuestion
from quizzes.services import submit_answer
from tests.gamification.conftest import start
from tests.quizzes.conftest import correct_option_ids, wrong_option_ids

THREADS = 24


def run_in_parallel(target, jobs):
    barrier = threading.Barrier(len(jobs))
    errors = []

    def run(*args):
        try:
            barrier.wait()
            target(*args)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


@pytest.fixture
def quizzes(learner, ccna, ospf, qos):
    """One one-question quiz per thread; every third question is also in QoS; every fourth is
    answered wrong."""
    sessions = []
    for n in range(THREADS):
        question = QuestionFactory(exams=[ccna], categories=[ospf] if n % 3 else [ospf, qos])
        session = start(learner, [question])
        sessions.append((session, session.session_questions.select_related("question").get(), n % 4 != 0))
    return sessions


def assert_exact(learner):
    right = sum(1 for n in range(THREADS) if n % 4)
    in_both = [n for n in range(THREADS) if n % 3 == 0]
    progress = UserProgress.objects.get(user=learner)
    assert (progress.total_questions, progress.correct_answers) == (THREADS, right)
    assert progress.accuracy == Decimal(100 * right / THREADS).quantize(Decimal("0.01"))
    assert progress.category_stats == {
        "version": 1,
        "OSPF": {"attempted": THREADS, "correct": right},
        "QOS": {"attempted": len(in_both), "correct": sum(1 for n in in_both if n % 4)},
    }
    badges = list(UserBadge.objects.filter(user=learner).values_list("badge__name", flat=True))
    assert len(badges) == len(set(badges))  # each at most once, whichever answer reached it
    assert {"First Answer", "Warming Up", "Sharp"} <= set(badges)
    out = StringIO()
    call_command("recompute_progress", stdout=out)
    assert "0 with drift" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_answers_submitted_in_parallel_leave_totals_accuracy_and_category_stats_exact(learner, quizzes, demo_badges):
    def answer(session, sq, right):
        options = correct_option_ids(sq) if right else wrong_option_ids(sq)
        submit_answer(session=session, session_question=sq, option_ids=options)

    run_in_parallel(answer, quizzes)

    assert_exact(learner)


@pytest.mark.django_db(transaction=True)
def test_progress_updates_racing_for_the_same_row_lose_nothing(learner, quizzes, demo_badges):
    """The quiz flow happens to serialize one learner's answers (its session query locks the user
    row too); this drives the progress service itself in parallel, so only its own single UPDATE
    keeps the counts right."""
    for session, sq, right in quizzes:
        SessionQuestion.objects.filter(pk=sq.pk).update(answered_at=timezone.now(), is_correct=right)
        sq.refresh_from_db()

    def record(session, sq, right):
        with transaction.atomic():
            services.record_answers(session=session, answers=[services.Answer.of(sq)])

    run_in_parallel(record, quizzes)

    assert_exact(learner)
