"""Reading premium costs no query of its own: the signed-in user is loaded with their subscription,
whichever backend logged them in (accounts.backends)."""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from billing.factories import PremiumSubscriptionFactory
from quizzes.factories import ExamFactory, QuestionFactory

PASSWORD = "correct-horse-battery"  # accounts.factories.UserFactory's


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def premium_user(db):
    ExamFactory(code="CCNA")
    QuestionFactory(is_premium=True)
    return PremiumSubscriptionFactory(user__username="pat", user__email="pat@example.com").user


def subscription_queries(client, path="/"):
    with CaptureQueriesContext(connection) as context:
        assert client.get(path).status_code == 200
    sqls = [query["sql"] for query in context.captured_queries]
    user_query = [sql for sql in sqls if sql.startswith('SELECT "users"')]
    assert len(user_query) == 1 and 'LEFT OUTER JOIN "subscriptions"' in user_query[0], user_query
    return [sql for sql in sqls if 'FROM "subscriptions"' in sql]


@pytest.mark.parametrize("login", ["pat", "pat@example.com"])
def test_after_a_real_login_by_username_or_email_premium_costs_no_query(client, premium_user, login):
    response = client.post("/accounts/login/", {"login": login, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session[BACKEND_SESSION_KEY].startswith("accounts.backends.")
    assert subscription_queries(client) == []
    assert subscription_queries(client, "/billing/premium/") == []


def test_after_force_login_premium_costs_no_query(client, premium_user, learner):
    for user in (premium_user, learner):  # with a subscription, and without one
        client.force_login(user)
        assert subscription_queries(client) == []
