import re

import pytest
from playwright.sync_api import expect

from gamification.models import Badge
from tests.helpers.browser import assert_accessible, log_in, save_screenshot, start_quiz

pytestmark = pytest.mark.browser


def answer_correctly(page, session_question):
    for option in session_question.question.options.filter(is_correct=True):
        page.locator(f"#option-{option.pk}").check()
    page.get_by_role("button", name="Check answer").click()
    expect(page.locator("#player .verdict")).to_have_text(re.compile("Correct"))


def test_answering_shows_xp_streak_and_a_badge_on_the_dashboard(page, live_server, learner, question_bank, request):
    Badge.objects.create(
        name="First steps", description="Answer your first question", icon="🎯", category="milestones",
        requirement_type="questions_solved", requirement_value=1,
    )
    Badge.objects.create(
        name="Centurion", description="Answer 100 questions", icon="💯", category="milestones",
        requirement_type="questions_solved", requirement_value=100,
    )
    log_in(page.context, live_server, learner)
    start_quiz(page, count=2)
    session = learner.quiz_sessions.get()
    first, second = session.session_questions.select_related("question").order_by("question_order")

    answer_correctly(page, first)
    toast = page.locator("#toasts .toast")
    expect(toast.first).to_contain_text("First steps")

    page.keyboard.press("n")
    expect(page.get_by_role("heading", name="Question 2 of 2")).to_be_visible()
    answer_correctly(page, second)
    page.get_by_role("button", name="See results").click()
    expect(page.get_by_role("heading", name="Results")).to_be_visible()

    page.goto("/dashboard/")
    main = page.locator("main")
    expect(main).to_contain_text(re.compile(r"\b2\b.*answered|answered.*\b2\b", re.S))
    expect(main).to_contain_text(re.compile(r"XP", re.I))
    expect(main).to_contain_text(re.compile(r"1[- ]day streak|streak\D{0,40}1\b", re.I | re.S))
    expect(main).to_contain_text("First steps")
    expect(main).to_contain_text("Centurion")
    learner.progress.refresh_from_db()
    assert (learner.progress.total_questions, learner.progress.correct_answers, learner.progress.streak) == (2, 2, 1)
    assert learner.progress.experience > 0
    assert_accessible(page)
    save_screenshot(page, request, "dashboard")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    save_screenshot(page, request, "dashboard")
