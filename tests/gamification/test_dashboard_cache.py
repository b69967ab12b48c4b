"""Daily activity, exam readiness and smart review are cached per learner (gamification.dashboard.
history_figures): whatever changes them must show on the next dashboard."""

import re
from datetime import UTC, date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from gamification.dashboard import history_key
from gamification.models import UserProgress
from quizzes.factories import CategoryFactory, QuestionFactory
from tests.gamification.conftest import answer, start


def page(client) -> str:
    response = client.get("/dashboard/")
    assert response.status_code == 200
    return response.content.decode()


def readiness_section(html: str) -> str:
    return html.split('id="readiness-heading"', 1)[1].split("</section>", 1)[0]


def trend(html: str) -> str:
    return re.search(r'aria-label="Readiness over the last 4 weeks: ([^"]*)"', html).group(1)


def test_a_new_answer_shows_in_activity_readiness_and_review(learner_client, learner, questions):
    session = start(learner, questions[:2])
    answer(session, questions[0])
    html = page(learner_client)
    assert "based on your last 1 answer<" in readiness_section(html)
    assert "1 answer</title>" in html  # today's heat-map cell

    answer(session, questions[1], right=False)
    html = page(learner_client)

    assert "based on your last 2 answers" in readiness_section(html)
    assert "2 answers</title>" in html
    assert "1 more scheduled" in html  # the wrong answer is due tomorrow


def test_a_catalogue_change_shows_in_readiness_coverage(learner_client, learner, questions, ccna):
    ospf_only = questions[:6]
    session = start(learner, ospf_only)
    for question in ospf_only:
        answer(session, question)
    # 6 of 6 right; coverage: OSPF 6 of 10 counted answers, QoS none: (0.6 + 0) / 2
    assert '<span class="stat-inline">30%</span>' in readiness_section(page(learner_client))

    QuestionFactory(exams=[ccna], categories=[CategoryFactory(code="BGP", name="BGP")])

    # a third category to cover: (0.6 + 0 + 0) / 3
    assert '<span class="stat-inline">20%</span>' in readiness_section(page(learner_client))


def test_readiness_moves_when_a_week_ago_passes_an_answer_on_the_same_day(learner_client, learner, questions, clock):
    clock.set(datetime(2025, 3, 3, 10, 0, tzinfo=UTC))
    answer(start(learner, questions[:1]), questions[0])  # OSPF, right: 1 of 1, coverage (0.1 + 0) / 2

    clock.set(datetime(2025, 3, 10, 9, 0, tzinfo=UTC))
    assert trend(page(learner_client)) == "0, 0, 0, 0, 5"  # a week ago was 3 March 9:00, before it

    clock.set(datetime(2025, 3, 10, 11, 0, tzinfo=UTC))  # the same day, no new answer
    assert trend(page(learner_client)) == "0, 0, 0, 5, 5"


def test_the_day_shows_in_the_review_without_a_new_answer(learner_client, learner, questions, clock):
    answer(start(learner, questions[:1]), questions[0], right=False)
    assert "Nothing is due for review today" in page(learner_client)

    clock.advance(days=1)

    assert "1</strong> question is due for review today" in page(learner_client)


def test_the_key_changes_with_each_answer_premium_time_zone_day_and_catalogue(learner, questions):
    answer(start(learner, questions[:2]), questions[0])
    progress = UserProgress.objects.get(user=learner)
    viewer = SimpleNamespace(pk=learner.pk, has_premium=False, tzinfo=ZoneInfo("UTC"))
    key = history_key(viewer, progress, date(2025, 3, 3), "v1")
    assert history_key(viewer, progress, date(2025, 3, 3), "v1") == key

    assert history_key(viewer, progress, date(2025, 3, 4), "v1") != key
    assert history_key(viewer, progress, date(2025, 3, 3), "v2") != key
    premium = SimpleNamespace(**{**vars(viewer), "has_premium": True})
    assert history_key(premium, progress, date(2025, 3, 3), "v1") != key
    berlin = SimpleNamespace(**{**vars(viewer), "tzinfo": ZoneInfo("Europe/Berlin")})
    assert history_key(berlin, progress, date(2025, 3, 3), "v1") != key
    answer(start(learner, questions[1:2]), questions[1])
    progress.refresh_from_db()  # the same transaction (and updated_at) in a test: the totals moved
    assert history_key(viewer, progress, date(2025, 3, 3), "v1") != key
