"""The one visibility rule (quizzes.models, above QuestionQuerySet), a security rule: every viewer
× every status × premium or free, through the QuerySet, the instance method and a page."""

import itertools

import pytest

from quizzes.factories import QuestionFactory
from quizzes.models import Question, QuestionStatus
from tests.helpers.accounts import log_in_guest

VIEWERS = ["visitor", "guest", "learner", "premium", "admin"]
STATUSES = [QuestionStatus.ACTIVE, QuestionStatus.PENDING, QuestionStatus.ARCHIVED]


def expected_visible(viewer, status, is_premium) -> bool:
    """Written out by hand, not derived from the code under test."""
    if status == QuestionStatus.PENDING:
        return False
    return not is_premium or viewer in ("premium", "admin")


@pytest.fixture
def viewers(guest, learner, premium_learner, admin_user):
    return {"visitor": None, "guest": guest, "learner": learner, "premium": premium_learner, "admin": admin_user}


@pytest.fixture
def questions(db):
    """One question per (status, premium) pair."""
    return {
        (status, is_premium): QuestionFactory(status=status, is_premium=is_premium)
        for status, is_premium in itertools.product(STATUSES, (False, True))
    }


@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_queryset_and_the_method_show_a_viewer_exactly_the_questions_the_rule_allows(viewer, viewers, questions):
    user = viewers[viewer]
    expected = {question.pk for (status, is_premium), question in questions.items()
                if expected_visible(viewer, status, is_premium)}

    assert set(Question.objects.visible_to(user).values_list("pk", flat=True)) == expected
    assert {question.pk for question in questions.values() if question.is_visible_to(user)} == expected


@pytest.mark.parametrize("viewer", ["guest", "learner", "premium", "admin"])
@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("is_premium", [False, True])
def test_a_page_finds_a_question_only_when_the_rule_allows(client, viewers, questions, viewer, status, is_premium):
    user = viewers[viewer]
    if viewer == "guest":
        log_in_guest(client, user)
    else:
        client.force_login(user)
    question = questions[(status, is_premium)]

    response = client.post(f"/questions/{question.pk}/bookmark/")

    assert response.status_code == (302 if expected_visible(viewer, status, is_premium) else 404)
    assert question.bookmarks.exists() is expected_visible(viewer, status, is_premium)
