import re

import pytest
from playwright.sync_api import expect

from quizzes.models import QuizSession
from tests.helpers.browser import log_in, start_quiz

pytestmark = pytest.mark.browser


def test_pause_and_resume_across_a_reload(page, live_server, learner, question_bank):
    log_in(page.context, live_server, learner)
    start_quiz(page, count=3)
    player = page.locator("#player")
    session = QuizSession.objects.get(user=learner)

    chosen = player.locator("label.option").nth(1)
    chosen_id = chosen.locator("input").get_attribute("id")
    chosen.click()
    page.get_by_role("button", name="Check answer").click()
    expect(player.locator(".feedback")).to_be_visible()

    page.get_by_role("button", name="Pause").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("status").filter(has_text="Quiz paused")).to_be_visible()
    card = page.get_by_role("region", name="Pick up where you left off").get_by_role("listitem")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("1 of 3 answered · paused")
    session.refresh_from_db()
    assert session.is_paused

    page.reload()
    expect(page.get_by_role("status")).to_have_count(0)  # the message was shown once
    card.get_by_role("button", name=re.compile(r"^Resume")).click()

    expect(page).to_have_url(re.compile(rf"/quiz/{session.pk}/q/1/$"))
    expect(page.get_by_role("heading", name="Question 1 of 3")).to_be_visible()
    expect(page.locator(f"#{chosen_id}")).to_be_checked()
    expect(page.locator(f"#{chosen_id}")).to_be_disabled()
    expect(player.locator(".feedback .verdict")).to_have_text(re.compile(r"Correct|Not quite"))
    expect(player.get_by_text("1 of 3 answered")).to_be_visible()
    session.refresh_from_db()
    assert not session.is_paused
