import re

import pytest
from playwright.sync_api import expect

from quizzes.models import QuestionType, QuizMode
from quizzes.services import start_session
from tests.helpers.browser import DESKTOP, PHONE, assert_accessible, log_in, save_screenshot

pytestmark = pytest.mark.browser

HAS_NO_HORIZONTAL_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"


def answer_partly_wrong(page) -> None:
    """Pick a wrong option (and a right one on multiple-answer questions) so the feedback shows
    both colours: the factories make the first options the correct ones."""
    player = page.locator("#player")
    if player.locator("input[type=checkbox]").count():
        player.locator("label.option", has_text="Option 1").click()
    player.locator("label.option", has_text="Option 4").click()
    page.get_by_role("button", name="Check answer").click()
    expect(player.locator(".feedback .verdict")).to_have_text(re.compile("Not quite"))


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_screenshots_of_player_and_results_on_desktop_and_phone(
    request, page, live_server, learner, question_bank, viewport
):
    # The question with a code block (the widest content) and a multiple-answer question.
    with_code = next(q for q in question_bank if "```" in q.question_text)
    multiple = next(q for q in question_bank if q.type == QuestionType.MULTIPLE)
    session = start_session(
        user=learner, mode=QuizMode.PRACTICE, count=2, question_ids=[with_code.pk, multiple.pk]
    ).session
    log_in(page.context, live_server, learner)

    page.goto(f"/quiz/{session.pk}/q/1/")
    answer_partly_wrong(page)
    save_screenshot(page, request, "player-q1")
    assert page.evaluate(HAS_NO_HORIZONTAL_OVERFLOW), "the player scrolls sideways"
    if page.locator("#player pre").count():
        assert_accessible(page)  # a code block wider than a phone scrolls by itself

    page.get_by_role("link", name="Next question").click()
    expect(page.get_by_role("heading", name="Question 2 of 2")).to_be_visible()
    answer_partly_wrong(page)
    save_screenshot(page, request, "player-q2")
    assert page.evaluate(HAS_NO_HORIZONTAL_OVERFLOW), "the player scrolls sideways"
    if page.locator("#player pre").count():
        assert_accessible(page)

    page.get_by_role("button", name="See results").click()
    expect(page.get_by_role("heading", name="Results", exact=True)).to_be_visible()
    expect(page.locator(".results-summary .stat").first).to_have_text("0 / 2")
    save_screenshot(page, request, "results")
    assert page.evaluate(HAS_NO_HORIZONTAL_OVERFLOW), "the results page scrolls sideways"
    assert_accessible(page)
