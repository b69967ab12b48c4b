"""The look: numbers for people ("60%", "1 h 20 min"), one inline SVG icon set instead of emoji,
toasts that can be dismissed."""

import json
import re

import pytest
from django.template import Context, Template

from gamification.models import Badge, UserProgress
from quizzes.models import QuizMode
from gamification.templatetags.progress_tags import minutes_for_people, percent
from tests.helpers.gamification import DEMO_BADGES, start
from tests.gamification.test_toasts import post_answer

EMOJI = re.compile("[\U0001F300-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF]")


@pytest.mark.parametrize(
    "value, text", [("60.00", "60%"), (66.67, "67%"), (62.5, "63%"), (0, "0%"), (100, "100%"), (None, ""), ("n/a", "")]
)
def test_percent_is_a_whole_number_for_people(value, text):
    assert percent(value) == text


@pytest.mark.parametrize(
    "minutes, text", [(0, "0 min"), (5, "5 min"), (60, "1 h"), (80, "1 h 20 min"), (125, "2 h 5 min"), (None, "")]
)
def test_study_time_reads_in_hours_and_minutes(minutes, text):
    assert minutes_for_people(minutes) == text


def test_the_dashboard_shows_accuracy_and_study_time_for_people(learner_client, learner, questions):
    session = start(learner, questions[:1])  # progress rows exist once the learner has a quiz
    UserProgress.objects.update_or_create(
        user=learner, defaults={"total_questions": 5, "correct_answers": 3, "accuracy": "60.00", "study_time": 80}
    )
    html = learner_client.get("/dashboard/").content.decode()
    assert session and '<p class="stat">60%</p>' in html and "60.00" not in html
    assert '<p class="stat">1 h 20 min</p>' in html


def render_icon(name) -> str:
    return Template('{% include "includes/icon.html" with name=name %}').render(Context({"name": name}))


def test_every_demo_badge_has_an_icon_of_the_set_and_no_emoji():
    fallback = render_icon("no such icon")
    for badge in json.loads(DEMO_BADGES.read_text())["badges"]:
        assert not EMOJI.search(badge["icon"]), badge["name"]
        svg = render_icon(badge["icon"])
        assert svg.startswith("<svg") and 'aria-hidden="true"' in svg
        if badge["icon"] != "award":  # the medal is the set's own badge icon and its fallback
            assert svg.split(">", 1)[1] != fallback.split(">", 1)[1], f"{badge['icon']} is not in the icon set"


def test_an_older_badge_with_an_emoji_icon_draws_the_medal(learner_client, learner, questions):
    Badge.objects.create(name="Old", description="An old badge", icon="🎯", category="x",
                         requirement_type="questions_solved", requirement_value=1000)
    start(learner, questions[:1])
    html = learner_client.get("/dashboard/").content.decode()
    assert "🎯" not in html and 'class="icon icon-' in html


@pytest.mark.django_db(transaction=True)
def test_a_badge_toast_has_an_svg_icon_and_a_named_close_button(learner_client, learner, questions, demo_badges):
    session = start(learner, questions[:2])
    html = post_answer(learner_client, session, 1).content.decode()
    toast = html.split('<div id="toasts" hx-swap-oob="beforeend">', 1)[1]
    assert '<svg class="icon icon-target"' in toast
    assert '<button type="button" class="toast-close" data-dismiss-toast aria-label="Dismiss: Badge unlocked: First Answer">' in toast
    assert not EMOJI.search(toast)


def test_bookmark_and_flag_buttons_use_the_svg_icons_not_emoji(learner_client, learner, questions):
    session = start(learner, questions[:2])
    html = learner_client.get(f"/quiz/{session.pk}/q/1/").content.decode()
    assert '<svg class="icon icon-star"' in html
    assert "☆" not in html and "★" not in html
    exam = start(learner, questions[2:4], mode=QuizMode.EXAM)
    html = learner_client.get(f"/quiz/{exam.pk}/q/1/").content.decode()
    assert '<svg class="icon icon-flag"' in html and "Flag for review" in html
