import re

import pytest
from playwright.sync_api import expect

from accounts.models import Role, User
from quizzes.models import QuizSession

pytestmark = pytest.mark.browser

VERDICT = re.compile(r"Correct|Not quite")


def test_guest_takes_practice_quiz_with_mouse_and_keyboard_then_signs_up_and_keeps_result(page, question_bank):
    page.goto("/")
    page.get_by_role("main").get_by_role("link", name="Start a quiz").click()
    expect(page).to_have_url(re.compile(r"/quiz/start/$"))
    page.get_by_label("Practice", exact=True).check()
    page.get_by_label("Number of questions").fill("3")
    page.get_by_role("button", name="Start quiz").click()

    player = page.locator("#player")
    expect(page.get_by_role("heading", name="Question 1 of 3")).to_be_visible()
    question_1_url = page.url
    assert question_1_url.endswith("/q/1/")
    # A full page load would wipe this; htmx swaps keep it.
    page.evaluate("window.__sameDocument = true")

    # Question 1 with the mouse: click an option's label, then the Submit button.
    player.locator("label.option").first.click()
    expect(player.locator("input[name=option]").first).to_be_checked()
    page.get_by_role("button", name="Check answer").click()
    expect(player.locator(".feedback .verdict")).to_have_text(VERDICT)
    expect(player.locator(".feedback .explanation")).to_contain_text("OSPF uses hello packets")
    expect(player.locator(".feedback .explanation em")).to_have_text("hello")  # Markdown rendered
    assert page.url == question_1_url
    assert page.evaluate("window.__sameDocument") is True
    expect(player.locator("input[name=option]").first).to_be_disabled()

    page.get_by_role("link", name="Next question").click()
    expect(page.get_by_role("heading", name="Question 2 of 3")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/q/2/$"))

    # Question 2 with the keyboard: 1 selects the first option, Enter submits, N goes on.
    page.keyboard.press("1")
    expect(player.locator('input[data-option-key="1"]')).to_be_checked()
    page.keyboard.press("Enter")
    expect(player.locator(".feedback .verdict")).to_have_text(VERDICT)
    expect(page).to_have_url(re.compile(r"/q/2/$"))
    page.keyboard.press("n")
    expect(page.get_by_role("heading", name="Question 3 of 3")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/q/3/$"))
    assert page.evaluate("window.__sameDocument") is True

    player.locator("label.option").nth(1).click()
    page.get_by_role("button", name="Check answer").click()
    expect(player.locator(".feedback .verdict")).to_have_text(VERDICT)
    expect(page.get_by_text("3 of 3 answered")).to_be_visible()

    page.get_by_role("button", name="See results").click()
    expect(page).to_have_url(re.compile(r"/quiz/[0-9a-f-]+/results/$"))
    expect(page.get_by_role("heading", name="Results", exact=True)).to_be_visible()
    expect(page.locator(".results-summary .stat").first).to_have_text(re.compile(r"^[0-3] / 3$"))
    session = QuizSession.objects.get()
    assert session.is_completed and session.user.role == Role.GUEST

    # Sign up from the results page: the guest's quiz stays with the new account.
    page.get_by_role("link", name="Sign up to keep this result").click()
    expect(page).to_have_url(re.compile(r"/accounts/signup/"))
    page.get_by_label(re.compile(r"^e-?mail", re.IGNORECASE)).fill("newbie@example.com")
    page.get_by_label(re.compile(r"^username", re.IGNORECASE)).fill("newbie")
    page.get_by_label(re.compile(r"^password:?$", re.IGNORECASE)).fill("a-long-and-unusual-passphrase")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="newbie")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My quizzes").click()
    expect(page.get_by_role("heading", name="My quizzes")).to_be_visible()
    row = page.locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Practice")
    expect(row).to_contain_text("3 / 3")
    expect(row.get_by_role("link", name=re.compile("^Review"))).to_be_visible()
    user = User.objects.get(username="newbie")
    assert user.role == Role.USER
    assert list(user.quiz_sessions.all()) == [session]
