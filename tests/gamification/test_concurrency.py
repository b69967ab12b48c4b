"""Answers of one learner arriving at once, each from its own thread and database connection."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from gamification.progress import differences, record_answer
from gamification.models import UserBadge, UserProgress
from quizzes.factories import QuestionFactory
from quizzes.models import SessionQuestion

from tests.helpers.gamification import start
from tests.helpers.quizzes import correct_option_ids, wrong_option_ids
from tests.helpers.quizzes import submit
from tests.helpers.threads import run_at_once

THREADS = 24


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
    assert differences(learner) == []
    out = StringIO()
    call_command("recompute_progress", "--check", stdout=out)  # every table equals the replay
    assert "0 with differences" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_answers_submitted_in_parallel_leave_totals_accuracy_and_category_stats_exact(learner, quizzes, demo_badges):
    def answer(session, sq, right):
        options = correct_option_ids(sq) if right else wrong_option_ids(sq)
        submit(session, sq, options)

    run_at_once(answer, quizzes)

    assert_exact(learner)


@pytest.mark.django_db(transaction=True)
def test_progress_updates_racing_for_the_same_row_lose_nothing(learner, quizzes, demo_badges):
    """The quiz flow happens to serialize one learner's answers (its session query locks the user
    row too); this drives the progress receiver itself in parallel, so only its own lock of the
    progress row keeps every table right."""
    for session, sq, right in quizzes:
        SessionQuestion.objects.filter(pk=sq.pk).update(answered_at=timezone.now(), is_correct=right)
        sq.refresh_from_db()

    def record(session, sq, right):
        with transaction.atomic():
            record_answer(session=session, session_question=sq)

    run_at_once(record, quizzes)

    assert_exact(learner)


@pytest.mark.django_db(transaction=True)
def test_two_answers_of_one_learner_in_parallel_lose_nothing_in_any_table(learner, questions, demo_badges):
    """Two tabs: two quizzes, each answered at the same moment, twice over, from two threads."""
    sessions = [start(learner, questions[:2]), start(learner, questions[2:4])]

    def answer_both(session):
        for sq in session.session_questions.select_related("question").order_by("question_order"):
            submit(session, sq, correct_option_ids(sq))

    run_at_once(answer_both, [(session,) for session in sessions])

    assert UserProgress.objects.get(user=learner).total_questions == 4
    assert sum(learner.daily_activity.values_list("answered", flat=True)) == 4
    assert learner.review_cards.count() == 4
    assert differences(learner) == []
