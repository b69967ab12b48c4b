"""The editor's admin: line endings, text limits, formats, word-level history diffs and the short
labels that lists, the report queue and "My reports" show."""

import html

import pytest
from django.test import Client
from django.urls import reverse

from quizzes.diffs import word_diff
from quizzes.factories import QuestionFactory
from quizzes.models import MAX_QUESTION_LENGTH, ReportType
from quizzes.moderation import services as moderation
from tests.helpers.moderation import change_form_data
from tests.moderation.test_admin_question_form import change_url, errors_of


def test_saving_in_the_admin_keeps_newlines_as_newlines(staff_client, question):
    form = staff_client.get(change_url(question))

    response = staff_client.post(change_url(question), change_form_data(
        form, question_text="Line one\r\nLine two", explanation="Because\r\nof this."))

    assert response.status_code == 302, errors_of(response)
    question.refresh_from_db()
    assert question.question_text == "Line one\nLine two" and question.explanation == "Because\nof this."
    assert "\r" not in question.question_html


def test_a_question_longer_than_the_limit_is_a_form_error(staff_client, question):
    form = staff_client.get(change_url(question))

    response = staff_client.post(change_url(question), change_form_data(
        form, question_text="x" * (MAX_QUESTION_LENGTH + 1)))

    assert response.status_code == 200 and "at most 20000 characters" in errors_of(response)


def test_the_format_is_chosen_in_the_admin_and_the_html_follows(staff_client, question):
    form = staff_client.get(change_url(question))

    response = staff_client.post(change_url(question), change_form_data(
        form, question_text="Is <b>this</b> a tag?", text_format="plain", **{"options-0-text_format": "html",
                                                                          "options-0-text": "<em>yes</em>"}))

    assert response.status_code == 302, errors_of(response)
    question.refresh_from_db()
    assert question.question_html == "<p>Is &lt;b&gt;this&lt;/b&gt; a tag?</p>"
    assert question.options.get(display_order=0).option_html == "<em>yes</em>"


def test_option_fields_are_labelled_by_their_row(staff_client, question):
    page = staff_client.get(change_url(question)).content.decode()

    assert 'aria-label="Question option 1: Text"' in page and 'aria-label="Question option 4: Delete"' in page


def test_a_word_diff_shows_an_edit_at_the_end_of_a_long_text_and_folds_the_rest():
    words = " ".join(f"w{i}" for i in range(200))

    diff = str(word_diff(f"{words} old", f"{words} new"))

    assert '<del><span class="visually-hidden">removed: </span>old</del>' in diff
    assert '<ins><span class="visually-hidden">added: </span>new</ins>' in diff
    assert "[… 194 unchanged words …]" in diff and "w0 " not in diff and "w199" in diff


def test_the_history_shows_word_diffs_and_the_answer_key(staff_client, admin_user, question):
    form = staff_client.get(change_url(question))
    response = staff_client.post(change_url(question), change_form_data(
        form, question_text="Which OSPF packet finds neighbours?",
        **{"options-0-is_correct": "", "options-1-is_correct": "on"}))
    assert response.status_code == 302, errors_of(response)

    page = html.unescape(staff_client.get(change_url(question)).content.decode())

    assert "removed: </span>discovers</del>" in page and "added: </span>finds</ins>" in page
    assert "Answer key</strong>: “Option 1” now wrong, “Option 2” now right" in page


def test_labels_are_titles_or_first_real_sentences_in_lists_and_my_reports(staff_client, learner):
    titled = QuestionFactory(question_text="Refer to the output: which route?", title="Default route")
    untitled = QuestionFactory(question_text="Refer to the exhibit. Which switch becomes root?")
    for question in (titled, untitled):
        moderation.report_problem(reporter=learner, question=question, type=ReportType.ERROR, description="Typo.")

    admin_list = staff_client.get(reverse("admin:quizzes_question_changelist")).content.decode()
    queue = staff_client.get(reverse("admin:quizzes_problemreport_queue")).content.decode()
    learner_client = Client()
    learner_client.force_login(learner)
    my_reports = learner_client.get(reverse("my_reports")).content.decode()
    dialog = learner_client.get(reverse("report_problem", args=[untitled.pk])).content.decode()

    for page in (admin_list, queue, my_reports):
        assert "Default route" in page and "Which switch becomes root?" in page
    assert "Question: Which switch becomes root?" in dialog


def test_a_new_option_posted_without_a_format_takes_its_questions(staff_client, question):
    question.text_format = "plain"
    question.save()
    form = staff_client.get(change_url(question))

    response = staff_client.post(change_url(question), change_form_data(form, **{
        "options-TOTAL_FORMS": "5", "options-4-text": "a <b> tag", "options-4-is_correct": "",
        "options-4-question": str(question.pk)}))

    assert response.status_code == 302, errors_of(response)
    added = question.options.get(text="a <b> tag")
    assert added.text_format == "plain" and added.option_html == "<p>a &lt;b&gt; tag</p>"
