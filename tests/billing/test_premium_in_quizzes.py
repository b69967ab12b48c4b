"""Premium questions reach a learner in a quiz only while a payment grants premium."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from quizzes.factories import QuestionFactory
from quizzes.models import QuizSession
from quizzes.services import start_session
from tests.helpers.billing import deliver, membership, reload


def test_a_learner_gets_premium_questions_only_after_a_signed_payment(client, learner, ccna):
    free = QuestionFactory.create_batch(3, exams=[ccna])
    premium = QuestionFactory.create_batch(3, exams=[ccna], is_premium=True)

    before = start_session(user=reload(learner), count=10).session
    assert set(before.session_questions.values_list("question_id", flat=True)) == {q.pk for q in free}

    assert deliver(client, membership("membership.started", learner.email)).status_code == 200

    after = start_session(user=reload(learner), count=10).session
    assert set(after.session_questions.values_list("question_id", flat=True)) == {q.pk for q in free + premium}


def test_through_the_site_the_next_quiz_after_the_webhook_has_premium_questions(learner_client, learner, ccna):
    QuestionFactory.create_batch(2, exams=[ccna])
    premium = QuestionFactory(exams=[ccna], is_premium=True)

    learner_client.post("/quiz/start/", {"count": 10, "mode": "practice", "exam": "CCNA"})
    first = QuizSession.objects.filter(user=learner).latest("started_at")
    assert not first.session_questions.filter(question=premium).exists()

    deliver(learner_client, membership("membership.started", learner.email))

    learner_client.post("/quiz/start/", {"count": 10, "mode": "practice", "exam": "CCNA"})
    second = QuizSession.objects.filter(user=learner).exclude(pk=first.pk).get()
    assert second.session_questions.filter(question=premium).exists()


def test_premium_questions_stop_when_the_paid_period_is_over(client, learner, ccna):
    QuestionFactory(exams=[ccna])
    premium = QuestionFactory(exams=[ccna], is_premium=True)
    ended = timezone.now() - timedelta(days=30)
    deliver(client, membership("membership.started", learner.email, created=ended - timedelta(days=30), period_end=ended))

    session = start_session(user=User.objects.get(pk=learner.pk), count=10).session
    assert not session.session_questions.filter(question=premium).exists()
