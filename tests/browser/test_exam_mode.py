"""Exam mode as a learner meets it: choices kept without a save button (with JavaScript and
without), the review screen before the end, pass or fail, the full practice exam by blueprint."""

import re
from collections import Counter

import pytest
from playwright.sync_api import expect

from quizzes.factories import CategoryFactory, QuestionFactory
from quizzes.models import Exam, ExamBlueprint, QuestionCategory, QuizSession, SessionSelectedOption
from tests.helpers.browser import DESKTOP, PHONE, assert_accessible, log_in, start_quiz

pytestmark = pytest.mark.browser


def stored_choice(session, number):
    sq = session.session_questions.get(question_order=number - 1)
    return set(SessionSelectedOption.objects.filter(session=session, question_id=sq.question_id).values_list("option_id", flat=True))


def choose_next_and_return(page, scripts=True):
    player = page.locator("#player")
    chosen = player.locator("label.option").nth(1)
    chosen_id = chosen.locator("input").get_attribute("id")
    chosen.click()
    if scripts:  # saved on the change: the status and the navigator say so before any move
        expect(page.get_by_role("status").filter(has_text="Saved")).to_be_visible()
        expect(page.get_by_role("button", name="Question 1, answered, current question")).to_be_visible()
    page.get_by_role("button", name="Next question").click()
    expect(page.get_by_role("heading", name="Question 2 of 3")).to_be_visible()
    return chosen_id


def test_a_choice_followed_by_next_is_stored_and_shown_on_return(page, live_server, learner, question_bank):
    log_in(page.context, live_server, learner)
    start_quiz(page, count=3, mode="Exam")
    session = QuizSession.objects.get(user=learner)

    chosen_id = choose_next_and_return(page)

    assert {f"option-{pk}" for pk in stored_choice(session, 1)} == {chosen_id}
    page.get_by_role("button", name="Question 1, answered").click()
    expect(page.get_by_role("heading", name="Question 1 of 3")).to_be_visible()
    expect(page.locator(f"#{chosen_id}")).to_be_checked()
    expect(page.get_by_role("button", name=re.compile("Change answer|Submit answer|Check answer"))).to_have_count(0)


@pytest.fixture
def exam_without_javascript(browser, live_server, learner, question_bank):
    """(page, session): a three-question exam started in a browser with JavaScript off."""
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP, java_script_enabled=False)
    try:
        page = context.new_page()
        log_in(context, live_server, learner)
        start_quiz(page, count=3, mode="Exam")
        yield page, QuizSession.objects.get(user=learner)
    finally:
        context.close()


def test_without_javascript_a_choice_followed_by_next_is_stored_and_shown_on_return(exam_without_javascript):
    page, session = exam_without_javascript

    chosen_id = choose_next_and_return(page, scripts=False)

    assert {f"option-{pk}" for pk in stored_choice(session, 1)} == {chosen_id}
    page.get_by_role("button", name="Previous").click()
    expect(page.get_by_role("heading", name="Question 1 of 3")).to_be_visible()
    expect(page.locator(f"#{chosen_id}")).to_be_checked()

    # Moving on without a choice: the move happens, and the page says why nothing was saved.
    page.get_by_role("button", name="Question 3, not answered").click()
    page.get_by_role("button", name="Previous").click()
    expect(page.get_by_role("heading", name="Question 2 of 3")).to_be_visible()
    expect(page.get_by_text("No answer was chosen on question 3, so nothing was saved for it.")).to_be_visible()


def test_without_javascript_enter_on_an_option_saves_it_and_moves_forward(exam_without_javascript):
    page, session = exam_without_javascript
    page.get_by_role("button", name="Question 2, not answered").click()
    expect(page.get_by_role("heading", name="Question 2 of 3")).to_be_visible()
    option = page.locator("#player input[name=option]").first
    option.check()
    chosen_id = option.get_attribute("id")
    option.press("Enter")
    expect(page.get_by_role("heading", name="Question 3 of 3")).to_be_visible()
    assert {f"option-{pk}" for pk in stored_choice(session, 2)} == {chosen_id}


def test_submit_exam_shows_the_review_screen_then_submit_and_finish_gives_pass_or_fail(page, live_server, learner, question_bank):
    log_in(page.context, live_server, learner)
    start_quiz(page, count=3, mode="Exam")
    session = QuizSession.objects.get(user=learner)
    page.locator("#player label.option").first.click()
    expect(page.get_by_role("status").filter(has_text="Saved")).to_be_visible()
    page.get_by_role("button", name="Next question").click()
    page.get_by_role("button", name="Flag for review").click()
    expect(page.get_by_role("button", name="Flagged for review")).to_be_visible()

    page.get_by_role("button", name="Submit exam").click()

    expect(page.get_by_role("heading", name="Review before you submit")).to_be_visible()
    expect(page.get_by_role("link", name="Question 2, flagged, not answered")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile(r"Question 1.*Answered"))).to_be_visible()
    session.refresh_from_db()
    assert session.completed_at is None

    page.get_by_role("link", name="Review flagged").click()
    expect(page.get_by_role("heading", name="Question 2 of 3")).to_be_visible()
    page.get_by_role("button", name="Next flagged question").click()
    expect(page.get_by_role("heading", name="Review before you submit")).to_be_visible()

    finish = page.get_by_role("button", name="Submit and finish")
    expect(finish).to_have_text("Submit and finish (2 unanswered)")
    finish.click()

    expect(page.get_by_role("heading", name="Results", exact=True)).to_be_visible()
    expect(page.locator(".pass-fail")).to_have_text(re.compile(r"(Pass|Fail): you scored \d+%, the passing score is 70%\."))
    session.refresh_from_db()
    assert session.is_completed


def test_a_full_practice_exam_follows_the_blueprint(page, live_server, learner, question_bank):
    ccna = Exam.objects.get(code="CCNA")
    qos = CategoryFactory(code="QOS", name="QoS")
    QuestionFactory.create_batch(4, exams=[ccna], categories=[qos])
    Exam.objects.filter(pk=ccna.pk).update(question_count=5, duration_minutes=20, passing_score=80)
    ExamBlueprint.objects.create(exam=ccna, category=qos, weight_percent=40)
    ExamBlueprint.objects.create(exam=ccna, category_id=QuestionCategory.objects.exclude(category=qos).values("category_id")[:1], weight_percent=60)
    log_in(page.context, live_server, learner)

    page.goto("/exams/CCNA/")
    expect(page.get_by_text("5 questions, 20 minutes, pass at 80%")).to_be_visible()
    page.get_by_role("button", name="Take a full practice exam").click()

    expect(page.get_by_role("heading", name="Question 1 of 5")).to_be_visible()
    session = QuizSession.objects.get(user=learner)
    assert session.time_limit_minutes == 20
    counts = Counter(
        QuestionCategory.objects.filter(question_id__in=session.session_questions.values("question_id"))
        .values_list("category__code", flat=True)
    )
    assert counts == {"OSPF": 3, "QOS": 2}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_exam_pages_have_no_serious_accessibility_violations(page, live_server, learner, question_bank, viewport):
    ExamBlueprint.objects.create(
        exam=Exam.objects.get(code="CCNA"), category_id=QuestionCategory.objects.values("category_id")[:1], weight_percent=100
    )
    log_in(page.context, live_server, learner)
    failures = []

    def check(label):
        try:
            assert_accessible(page)
        except AssertionError as error:
            failures.append(f"[{label}] {error}")

    page.goto("/exams/CCNA/")
    check("exam page with the full practice exam")
    start_quiz(page, count=3, mode="Exam", time_limit_minutes=30)
    page.locator("#player label.option").first.click()
    expect(page.get_by_role("status").filter(has_text="Saved")).to_be_visible()
    page.get_by_role("button", name="Flag for review").click()
    page.get_by_role("button", name="Next question").click()
    check("exam question with the navigator")
    page.get_by_role("button", name="Submit exam").click()
    expect(page.get_by_role("heading", name="Review before you submit")).to_be_visible()
    check("review screen")
    page.get_by_role("button", name="Submit and finish").click()
    expect(page.locator(".pass-fail")).to_be_visible()
    check("score report")
    page.get_by_role("link", name="Wrong only").click()
    check("score report, wrong only")

    assert not failures, "\n\n".join(failures)


def test_choosing_by_keyboard_saves_the_choice_too(page, live_server, learner, question_bank):
    log_in(page.context, live_server, learner)
    start_quiz(page, count=3, mode="Exam")
    session = QuizSession.objects.get(user=learner)
    second = page.locator('#player input[data-option-key="2"]')
    second_id = second.get_attribute("id")

    page.locator("#question-heading").focus()
    page.keyboard.press("2")
    expect(page.get_by_role("status").filter(has_text="Saved")).to_be_visible()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Question 2 of 3")).to_be_visible()
    assert {f"option-{pk}" for pk in stored_choice(session, 1)} == {second_id}
