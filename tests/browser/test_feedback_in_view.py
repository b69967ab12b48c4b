"""After Check answer the verdict is on the screen and has focus, on a phone and a desktop, with
htmx and without JavaScript; the practice navigator tells right from wrong."""

import pytest
from playwright.sync_api import expect

from tests.helpers.browser import DESKTOP, PHONE, assert_accessible, log_in, save_screenshot, start_quiz

pytestmark = pytest.mark.browser

VERDICT_IN_VIEW = """() => {
  const box = document.querySelector('[data-verdict]').getBoundingClientRect();
  return box.top >= 0 && box.bottom <= window.innerHeight;
}"""


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_after_check_answer_the_verdict_is_in_view_and_focused(request, page, live_server, learner, question_bank, viewport):
    log_in(page.context, live_server, learner)
    start_quiz(page, count=3)
    page.locator("#player label.option").first.click()
    page.get_by_role("button", name="Check answer").click()

    verdict = page.locator("[data-verdict]")
    expect(verdict).to_be_focused()
    assert page.evaluate(VERDICT_IN_VIEW), "the verdict is outside the viewport"
    save_screenshot(page, request, "after-answer")
    assert_accessible(page)

    # The navigator says how question 1 went, in its accessible name and with a mark.
    expect(page.get_by_role("link", name="Question 1, answered, right, current question").or_(
        page.get_by_role("link", name="Question 1, answered, wrong, current question"))).to_be_visible()
    expect(page.get_by_role("link", name="Question 2, not answered")).to_be_visible()


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])
def test_without_javascript_the_answer_lands_on_the_verdict(browser, live_server, learner, question_bank, viewport):
    context = browser.new_context(base_url=live_server.url, viewport=viewport, java_script_enabled=False)
    try:
        log_in(context, live_server, learner)
        page = context.new_page()
        start_quiz(page, count=3)
        page.locator("#player label.option").first.click()
        page.get_by_role("button", name="Check answer").click()
        expect(page).to_have_url(f"{page.url.split('#')[0].split('/q/')[0]}/q/1/#feedback")
        box = page.locator("[data-verdict]").bounding_box()
        assert box is not None and 0 <= box["y"] and box["y"] + box["height"] <= PHONE["height"]
    finally:
        context.close()
