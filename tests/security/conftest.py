"""A small world every security test shares: an exam with questions (one premium), the visitors of
the authorization matrix, and what the learner owns (an unfinished and a finished quiz, a report, a
submitted question, a bookmark). Everything owned belongs to `learner`; `other` is another learner."""

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings

from tests.helpers.security import FAST_HASHERS, World, build_world


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
