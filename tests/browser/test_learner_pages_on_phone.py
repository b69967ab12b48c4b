"""Every learner page at phone and desktop size: no sideways scroll, no axe violation of any impact,
a screenshot to look at; the menu opens without JavaScript; dates in the learner's
zone."""

from datetime import datetime, timedelta, timezone as dt_timezone

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.factories import UserFactory
from gamification.models import ReviewCard
from quizzes.models import Bookmark, QuizMode, QuizSession
from quizzes.services import finish_session, start_session
from tests.helpers.browser import DESKTOP, PHONE, assert_accessible, log_in, save_screenshot
from tests.helpers.quizzes import submit

pytestmark = pytest.mark.browser

HAS_NO_HORIZONTAL_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def tokyo_learner(transactional_db):
    return UserFactory(username="tokyo", time_zone="Asia/Tokyo")


def a_finished_and_an_unfinished_quiz(user, question_bank):
    finished = start_session(user=user, mode=QuizMode.PRACTICE, count=2).session
    for session_question in finished.session_questions.all():
        correct = session_question.question.options.filter(is_correct=True).values_list("pk", flat=True)
        submit(finished, session_question, list(correct))
    finish_session(session=finished)
    QuizSession.objects.filter(pk=finished.pk).update(started_at=datetime(2026, 3, 1, 22, 30, tzinfo=dt_timezone.utc))
    # Its two review cards due now: every page's menu carries "Review 2 due".
    ReviewCard.objects.filter(user=user).update(due=timezone.now() - timedelta(hours=1))
    unfinished = start_session(user=user, mode=QuizMode.PRACTICE, count=3).session
    Bookmark.objects.create(user=user, question=question_bank[0])
    return finished, unfinished


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_learner_pages_fit_the_screen_and_pass_axe(request, page, live_server, tokyo_learner, question_bank, viewport):
    finished, unfinished = a_finished_and_an_unfinished_quiz(tokyo_learner, question_bank)
    log_in(page.context, live_server, tokyo_learner)
    pages = {
        "home": "/",
        "exam": "/exams/CCNA/",
        "start": "/quiz/start/",
        "history": "/quiz/history/",
        "bookmarks": "/bookmarks/",
        "results": f"/quiz/{finished.pk}/results/",
        "player": f"/quiz/{unfinished.pk}/q/1/",
        "discard": f"/quiz/{unfinished.pk}/discard/",
        "dashboard": "/dashboard/",
        "account": "/account/",
        "premium": "/billing/premium/",
        "not-found": "/no/such/page/",
    }
    failures = []
    for label, url in pages.items():
        page.goto(url)
        save_screenshot(page, request, label)
        if not page.evaluate(HAS_NO_HORIZONTAL_OVERFLOW):
            failures.append(f"{label}: scrolls sideways")
        try:
            assert_accessible(page, impacts=None)  # no violation of any impact
        except AssertionError as error:
            failures.append(f"{label}: {error}")
    assert not failures, "\n".join(failures)

    # 22:30 UTC on 1 March is 07:30 on 2 March in Tokyo.
    page.goto(f"/quiz/{finished.pk}/results/")
    expect(page.get_by_text("2 Mar 2026, 07:30")).to_be_visible()
    page.goto("/quiz/history/")
    expect(page.get_by_text("2 Mar 2026, 07:30")).to_be_visible()


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])
def test_the_phone_menu_opens_without_javascript(browser, live_server, learner, viewport):
    context = browser.new_context(base_url=live_server.url, viewport=viewport, java_script_enabled=False)
    try:
        log_in(context, live_server, learner)
        page = context.new_page()
        page.goto("/")
        menu = page.locator("nav[aria-label=Main]")
        expect(menu.get_by_role("link", name="Dashboard")).to_be_hidden()
        menu.get_by_text("Menu").click()
        expect(menu.get_by_role("link", name="Dashboard")).to_be_visible()
        menu.get_by_role("link", name="Dashboard").click()
        expect(page).to_have_url(f"{live_server.url}/dashboard/")
    finally:
        context.close()


def test_on_a_desktop_the_menu_shows_its_links_at_once(page, live_server, learner):
    log_in(page.context, live_server, learner)
    page.goto("/")
    expect(page.locator("nav[aria-label=Main]").get_by_role("link", name="Dashboard")).to_be_visible()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_menu_starts_the_due_review_in_one_click(request, page, live_server, tokyo_learner, question_bank, viewport):
    a_finished_and_an_unfinished_quiz(tokyo_learner, question_bank)
    log_in(page.context, live_server, tokyo_learner)
    page.goto("/bookmarks/")
    menu = page.locator("nav[aria-label=Main]")
    if viewport == PHONE:
        expect(menu.locator("summary")).to_have_text("Menu · 2 due")  # the count shows while it is closed
        menu.get_by_text("Menu").click()
    menu.get_by_role("button", name="Review 2 due").click()

    expect(page.get_by_role("heading", name="Question 1 of 2")).to_be_visible()
    assert QuizSession.objects.filter(user=tokyo_learner, mode=QuizMode.DUE_REVIEW).count() == 1
