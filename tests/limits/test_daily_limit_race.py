"""The free daily limit holds against answers posted at once: the check and the answer are
serialized per learner, so parallel requests cannot all read the count before any has answered."""

import pytest
from django.test import Client

from quizzes.factories import QuestionFactory
from quizzes.models import SessionQuestion
from tests.helpers.gamification import start
from tests.helpers.quizzes import correct_option_ids
from tests.helpers.threads import run_at_once

PARALLEL = 12
LIMIT = 8
ANSWERED_BEFORE = 5  # near the limit: 3 left when the 12 arrive


def post_all_at_once(requests):
    return [response.status_code for response in run_at_once(lambda client, path, data: client.post(path, data), requests)]


@pytest.mark.django_db(transaction=True)
def test_twelve_answers_at_once_in_twelve_quizzes_never_pass_the_daily_limit(settings, learner, ccna):
    settings.FREE_DAILY_QUESTION_LIMIT = LIMIT
    earlier = start(learner, QuestionFactory.create_batch(ANSWERED_BEFORE, exams=[ccna]))
    for number, sq in enumerate(earlier.session_questions.select_related("question").order_by("question_order"), 1):
        client = Client()
        client.force_login(learner)
        assert client.post(f"/quiz/{earlier.pk}/q/{number}/answer/", {"option": correct_option_ids(sq)}).status_code == 302
    requests = []
    for _ in range(PARALLEL):
        session = start(learner, [QuestionFactory(exams=[ccna])])
        sq = session.session_questions.select_related("question").get()
        client = Client()
        client.force_login(learner)
        requests.append((client, f"/quiz/{session.pk}/q/1/answer/", {"option": correct_option_ids(sq)}))

    statuses = post_all_at_once(requests)

    assert sorted(statuses) == [302] * (LIMIT - ANSWERED_BEFORE) + [422] * (PARALLEL - LIMIT + ANSWERED_BEFORE)
    assert SessionQuestion.objects.filter(session__user=learner, answered_at__isnull=False).count() == LIMIT
