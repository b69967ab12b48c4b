"""Moderation in a real browser: report a problem in the player's dialog, an admin rejects it with a
comment in the admin, the learner reads the comment on "My reports"."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from accounts.factories import UserFactory
from accounts.models import Role
from quizzes.moderation import services as moderation
from tests.helpers.browser import answer_first_option, assert_accessible, log_in, start_quiz
from tests.helpers.moderation import PNG_1PX

pytestmark = pytest.mark.browser

COMMENT = "Only hello packets discover neighbours: the other options come later."


def test_a_learner_reports_a_problem_an_admin_rejects_it_and_the_learner_reads_why(
    browser, page, live_server, learner, question_bank
):
    editor = UserFactory(username="editor", role=Role.ADMIN, is_superuser=True)
    log_in(page.context, live_server, learner)
    start_quiz(page, count=1)

    # The learner opens the dialog from the player and sends a report.
    report_link = page.locator("#player").get_by_role("link", name="Report a problem")
    report_link.click()
    dialog = page.locator("#report-dialog")
    expect(dialog).to_be_visible()
    expect(page.get_by_role("dialog", name="Report a problem")).to_be_visible()
    assert_accessible(page)
    dialog.get_by_role("button", name="Send report").click()  # nothing filled in: errors, still in the dialog
    expect(dialog.get_by_text("This field is required.").first).to_be_visible()
    dialog.get_by_label("Error: an answer or the explanation is wrong").check()
    dialog.get_by_label("Description").fill("Option 2 is also a valid answer.")
    dialog.get_by_role("button", name="Send report").click()
    expect(dialog.get_by_role("heading", name="Thank you")).to_be_visible()
    assert_accessible(page)
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_have_count(0)
    expect(report_link).to_be_focused()

    page.goto("/reports/")
    expect(page.get_by_text("Option 2 is also a valid answer.")).to_be_visible()
    expect(page.locator(".report-item .badge")).to_have_text("Pending")
    assert_accessible(page)

    # An admin rejects it with a comment, in the admin's review queue.
    admin_context = browser.new_context(base_url=live_server.url)
    try:
        log_in(admin_context, live_server, editor)
        admin_page = admin_context.new_page()
        admin_page.goto("/admin/quizzes/problemreport/")
        admin_page.get_by_role("link", name="Review queue").click()
        expect(admin_page.get_by_text("Option 2 is also a valid answer.")).to_be_visible()
        admin_page.get_by_label("Comment to the learner").fill(COMMENT)
        admin_page.get_by_role("button", name="Reject").click()
        expect(admin_page.get_by_text("Nothing to review")).to_be_visible()
    finally:
        admin_context.close()

    # The learner sees the outcome and the comment.
    page.reload()
    expect(page.locator(".report-item .badge")).to_have_text("Rejected")
    expect(page.get_by_text(COMMENT)).to_be_visible()
    assert_accessible(page)


def test_a_second_report_edits_the_first_and_escape_closes_the_dialog(page, live_server, learner, question_bank):
    log_in(page.context, live_server, learner)
    start_quiz(page, count=1)
    answer_first_option(page)
    expect(page.locator("#player .feedback")).to_be_visible()
    page.locator("#player").get_by_role("link", name="Report a problem").click()
    dialog = page.locator("#report-dialog")
    dialog.get_by_label("Unclear: the question or an option can be read more than one way").check()
    dialog.get_by_label("Description").fill("First try.")
    dialog.get_by_role("button", name="Send report").click()
    expect(dialog.get_by_role("heading", name="Thank you")).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)

    page.locator("#player").get_by_role("link", name="Report a problem").click()
    expect(dialog.get_by_label("Description")).to_have_value("First try.")
    # The player's shortcuts (N: next question) stay quiet while typing or choosing in the dialog.
    dialog.get_by_label("Outdated: no longer true for the current exam or software").focus()
    page.keyboard.press("n")
    dialog.get_by_label("Description").fill("Second try.")
    dialog.get_by_role("button", name="Update report").click()
    expect(dialog.get_by_text("Your report is updated.")).to_be_visible()
    page.keyboard.press("Escape")

    page.goto("/reports/")
    expect(page.locator(".report-item")).to_have_count(1)
    expect(page.get_by_text("Second try.")).to_be_visible()


def test_reporting_works_without_javascript(browser, live_server, learner, question_bank):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        log_in(context, live_server, learner)
        page = context.new_page()
        start_quiz(page, count=1)
        question_url = page.url
        page.locator("#player").get_by_role("link", name="Report a problem").click()
        expect(page.get_by_role("heading", name="Report a problem")).to_be_visible()
        page.get_by_label("Outdated: no longer true for the current exam or software").check()
        page.get_by_label("Description").fill("IOS 15 changed this.")
        page.get_by_role("button", name="Send report").click()
        expect(page).to_have_url(question_url)
        expect(page.get_by_text("Thank you: your report is saved.")).to_be_visible()
    finally:
        context.close()


def test_a_visitor_is_asked_to_log_in_from_the_review(page, live_server, question_bank):
    start_quiz(page, count=2)
    page.get_by_role("button", name=re.compile("Finish now")).click()
    expect(page).to_have_url(re.compile(r"/results/$"))
    page.get_by_role("link", name="Report a problem with question 2").click()
    dialog = page.get_by_role("dialog", name="Log in to report a problem")
    expect(dialog).to_be_visible()
    assert_accessible(page)
    expect(dialog.get_by_role("link", name="Log in")).to_have_attribute("href", re.compile(r"next=/quiz/.+/results/%23review-2$"))


def test_an_exhibit_image_enlarges_in_a_dialog(page, live_server, learner, question_bank, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    for question in question_bank:
        moderation.change_images(question=question, add=[SimpleUploadedFile("topology.png", PNG_1PX)])
    log_in(page.context, live_server, learner)
    start_quiz(page, count=1)
    page.locator(".question-images a").first.click()
    lightbox = page.locator("dialog.lightbox")
    expect(lightbox).to_be_visible()
    expect(lightbox.locator("img")).to_have_js_property("naturalWidth", 1)
    assert_accessible(page)
    page.keyboard.press("Escape")
    expect(lightbox).to_have_count(0)


def test_a_learner_submits_a_question_and_follows_its_review(page, live_server, learner, question_bank):
    log_in(page.context, live_server, learner)
    page.goto("/account/")
    page.get_by_role("link", name="Submit a question").click()
    assert_accessible(page)
    page.get_by_label("Question:", exact=True).fill("Which **two** OSPF timers must match between neighbours?")
    page.get_by_label("Several correct answers").check()
    for number, text in enumerate(["Hello interval", "Dead interval", "SPF delay"], start=1):
        page.get_by_label(f"Option {number}:", exact=True).fill(text)
    page.get_by_label("Correct (Option 1)").check()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("at least two correct options")).to_be_visible()  # the rules, with what was typed kept
    assert_accessible(page)
    page.get_by_label("Correct (Option 2)").check()
    page.get_by_label("Explanation").fill("Hello and dead intervals are compared in hello packets.")
    page.get_by_label("Cisco Certified Network Associate").check()
    page.get_by_label("Tags").fill("ospf, timers")
    page.get_by_role("button", name="Submit for review").click()

    expect(page).to_have_url(re.compile(r"/questions/mine/$"))
    expect(page.get_by_text("Thank you: your question is waiting for review.")).to_be_visible()
    expect(page.get_by_role("cell", name="Pending review")).to_be_visible()
    assert_accessible(page)
