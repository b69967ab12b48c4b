import json
from datetime import UTC, datetime

import pytest
from django.utils import timezone

from gamification.models import Badge
from quizzes.factories import CategoryFactory, QuestionFactory
from quizzes.models import QuizSession
from tests.helpers.gamification import DEMO_BADGES, Clock


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(datetime(2025, 3, 3, 12, 0, tzinfo=UTC))
    monkeypatch.setattr(timezone, "now", clock)
    for name in ("started_at", "last_activity_at"):
        field = QuizSession._meta.get_field(name)
        # Field caches its default callable (a cached_property): patched first, so that the value
        # monkeypatch puts back is the real one, not one computed from the patched default.
        monkeypatch.setattr(field, "_get_default", clock)
        monkeypatch.setattr(field, "default", clock)
    return clock


@pytest.fixture
def qos(db):
    return CategoryFactory(code="QOS", name="QoS", display_order=2)


@pytest.fixture
def questions(ccna, ospf, qos):
    """Twelve questions of CCNA: six OSPF, four QoS, two in both."""
    return (
        QuestionFactory.create_batch(6, exams=[ccna], categories=[ospf])
        + QuestionFactory.create_batch(4, exams=[ccna], categories=[qos])
        + QuestionFactory.create_batch(2, exams=[ccna], categories=[ospf, qos])
    )


@pytest.fixture
def demo_badges(db):
    items = json.loads(DEMO_BADGES.read_text())["badges"]
    return Badge.objects.bulk_create(Badge(**item) for item in items)
