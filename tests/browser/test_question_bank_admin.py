"""The editor's admin in a real browser: the import preview shows questions as learners see them,
the history shows a word-level diff, and the admin pages pass axe with no duplicate ids."""

import pytest
from playwright.sync_api import expect

from quizzes.factories import QuestionFactory
from quizzes.models import ReportType
from quizzes.moderation import services as moderation
from tests.helpers.browser import DESKTOP, assert_accessible, log_in

pytestmark = pytest.mark.browser

GIFT = """::Port check::[markdown]Which port does **HTTPS** use?{=443#Right. ~80#That is HTTP. ~22}

[html]<p>Listen to the clip: <a href="https://example.com/clip.mp3">clip</a><audio src="https://example.com/a.mp3"></audio></p>{=a ~b}
"""


def duplicate_ids(page) -> list[str]:
    return page.evaluate("""() => {
        const seen = new Map();
        for (const el of document.querySelectorAll('[id]')) seen.set(el.id, (seen.get(el.id) || 0) + 1);
        return [...seen].filter(([, n]) => n > 1).map(([id]) => id);
    }""")


def check(page) -> None:
    assert_accessible(page)
    assert duplicate_ids(page) == [], page.url


@pytest.fixture
def editor(transactional_db, django_user_model):
    return django_user_model.objects.create_superuser("editor", "editor@example.com", "pw-editor-1")


def test_the_import_preview_shows_rendered_questions_with_warnings(page, live_server, editor, tmp_path):
    log_in(page.context, live_server, editor)
    page.goto("/admin/quizzes/import-export/")
    check(page)
    bank = tmp_path / "bank.gift"
    bank.write_text(GIFT)

    page.get_by_label("File").set_input_files(str(bank))
    page.get_by_role("button", name="Check the file").click()

    preview = page.get_by_role("article", name="Line 1: Port check (new)")
    expect(preview.locator("strong", has_text="HTTPS")).to_be_visible()
    expect(preview.get_by_text("✔ Correct:")).to_have_count(1)
    second = page.get_by_role("article", name="Line 3:")
    expect(second.get_by_role("link", name="clip")).to_have_attribute("href", "https://example.com/clip.mp3")
    expect(second.get_by_text("<audio>")).to_be_visible()
    check(page)
    page.get_by_role("button", name="Import 2 questions").click()
    expect(page.get_by_text("2 of 2 questions processed (100%)")).to_be_visible()


def test_the_history_is_a_word_level_diff_and_the_admin_pages_pass_axe(page, live_server, editor, learner):
    words = " ".join(f"word{i}" for i in range(60))
    question = QuestionFactory(question_text=f"Refer to the exhibit. {words} start.", title="Long question")
    before = moderation.question_snapshot(question.pk)
    question.question_text = f"Refer to the exhibit. {words} end."
    question.save()
    moderation.record_question_change(question=question, before=before, editor=editor)
    moderation.report_problem(reporter=learner, question=question, type=ReportType.ERROR, description="Typo.")
    page.set_viewport_size(DESKTOP)
    log_in(page.context, live_server, editor)

    page.goto(f"/admin/quizzes/question/{question.pk}/change/")
    history = page.locator(".word-diff").first
    expect(history.locator("del")).to_have_text("removed: start.")
    expect(history.locator("ins")).to_have_text("added: end.")
    expect(history.locator(".folded")).to_contain_text("unchanged words")
    check(page)

    page.goto("/admin/quizzes/question/")
    expect(page.get_by_role("link", name="Long question")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
    check(page)
    page.goto("/admin/quizzes/problemreport/queue/")
    expect(page.get_by_text("Long question")).to_be_visible()
    check(page)
