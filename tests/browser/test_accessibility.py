import re

import pytest
from playwright.sync_api import expect

from tests.helpers.browser import answer_first_option, assert_accessible, log_in, start_quiz

pytestmark = pytest.mark.browser


def test_pages_have_no_serious_accessibility_violations(browser, page, live_server, learner, question_bank):
    failures = []

    def check(target_page, label):
        try:
            assert_accessible(target_page)
        except AssertionError as error:
            failures.append(f"[{label}] {error}")

    log_in(page.context, live_server, learner)
    page.goto("/")
    check(page, "home")
    page.goto("/exams/CCNA/")
    check(page, "exam detail")
    page.goto("/quiz/start/")
    check(page, "start form")

    start_quiz(page, count=2)
    check(page, "player before answering")
    answer_first_option(page)
    expect(page.locator("#player .feedback")).to_be_visible()
    page.locator("#player").get_by_role("button", name="Bookmark").click()
    expect(page.locator("#player").get_by_role("button", name="Bookmarked")).to_be_visible()
    check(page, "player after answering")
    page.get_by_role("link", name="Next question").click()
    expect(page.get_by_role("heading", name="Question 2 of 2")).to_be_visible()
    answer_first_option(page)
    expect(page.locator("#player .feedback")).to_be_visible()
    page.get_by_role("button", name="See results").click()
    expect(page).to_have_url(re.compile(r"/results/$"))
    check(page, "results")

    page.goto("/bookmarks/")
    expect(page.locator(".question-text")).to_have_count(1)
    check(page, "bookmarks")
    page.goto("/quiz/history/")
    check(page, "history")
    page.goto("/account/")
    check(page, "account")

    start_quiz(page, count=2, mode="Exam", time_limit_minutes=30)
    answer_first_option(page)
    expect(page.get_by_role("status").filter(has_text="Saved")).to_be_visible()
    page.get_by_role("button", name="Flag for review").click()
    expect(page.get_by_role("button", name="Flagged for review")).to_be_visible()
    check(page, "exam player, answered and flagged")

    visitor = browser.new_context(base_url=live_server.url)
    try:
        visitor_page = visitor.new_page()
        visitor_page.goto("/accounts/login/")
        check(visitor_page, "login")
        visitor_page.goto("/accounts/signup/")
        check(visitor_page, "signup")
    finally:
        visitor.close()

    assert not failures, "\n\n".join(failures)
