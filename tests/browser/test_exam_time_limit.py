import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from quizzes.models import QuizMode, QuizSession
from quizzes.services import start_session
from tests.helpers.browser import start_quiz

pytestmark = pytest.mark.browser


def test_exam_mode_with_flags_and_a_time_limit_that_runs_out(page, question_bank):
    start_quiz(page, count=3, mode="Exam", time_limit_minutes=1)
    player = page.locator("#player")
    session = QuizSession.objects.get()
    assert session.mode == QuizMode.EXAM and session.time_limit_minutes == 1
    expect(player.locator("[data-timer]")).to_have_text(re.compile(r"^[01]:\d\d$"))

    # Choose on question 1: saved at once, but nothing tells whether it was right.
    player.locator("label.option").first.click()
    expect(page.get_by_role("status").filter(has_text="Saved")).to_be_visible()
    expect(player.locator(".feedback, .explanation, .verdict, .option.correct, .option.wrong")).to_have_count(0)
    expect(player).not_to_contain_text(re.compile(r"Correct|Not quite"))

    # Flag question 2 for review; the navigator shows it.
    page.get_by_role("button", name="Next question").click()
    expect(page.get_by_role("heading", name="Question 2 of 3")).to_be_visible()
    expect(page.get_by_role("button", name="Question 1, answered")).to_be_visible()
    page.get_by_role("button", name="Flag for review").click()
    expect(page.get_by_role("button", name="Flagged for review")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("button", name="Question 2, flagged, not answered, current question")).to_be_visible()

    # Leave about three seconds on the clock (instead of waiting a minute), then reload.
    QuizSession.objects.filter(pk=session.pk).update(started_at=timezone.now() - timedelta(seconds=57))
    page.reload()
    expect(page.get_by_role("heading", name="Question 2 of 3")).to_be_visible()
    expect(player.locator("[data-timer]")).to_have_class(re.compile(r"\blow\b"))

    # The countdown reaches zero: the server has ended the exam, and the page says so before the results.
    expect(page).to_have_url(re.compile(rf"/quiz/{session.pk}/results/$"), timeout=8_000)
    time_up = page.get_by_role("alert").filter(has_text="Time is up")
    expect(time_up).to_be_visible()
    expect(page.get_by_role("heading", name="Results", exact=True)).to_be_visible()
    assert time_up.bounding_box()["y"] < page.get_by_role("heading", name="Results", exact=True).bounding_box()["y"]
    expect(page.locator(".results-summary")).to_contain_text("1 / 3")  # answered
    expect(page.locator("#review-1 h3 .badge")).to_have_text(re.compile(r"^(Correct|Wrong)$"))
    expect(page.locator("#review-2 h3 .badge")).to_have_text("Not answered")
    session.refresh_from_db()
    assert session.is_completed and session.completed_at <= session.deadline

    # The server enforces the limit by itself: an answer posted after the deadline of an exam
    # nobody submitted yet is not recorded, and the exam ends at its deadline.
    late = start_session(user=session.user, mode=QuizMode.EXAM, count=2, time_limit_minutes=1).session
    QuizSession.objects.filter(pk=late.pk).update(started_at=timezone.now() - timedelta(seconds=61))
    session_question = late.session_questions.get(question_order=0)
    option = session_question.question.options.first()
    csrf_token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")

    response = page.request.post(
        f"/quiz/{late.pk}/q/1/save/",
        form={"option": str(option.pk)},
        headers={"X-CSRFToken": csrf_token, "HX-Request": "true"},
    )

    assert response.status == 204
    assert response.headers["hx-redirect"] == f"/quiz/{late.pk}/results/"
    session_question.refresh_from_db()
    assert session_question.answered_at is None
    late.refresh_from_db()
    assert late.completed_at == late.deadline
