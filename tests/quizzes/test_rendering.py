"""Text is rendered once, when written, in its own format; pages print the stored HTML. Every
write path renders: save(), bulk_create, bulk_update and queryset.update() (which skip save())."""

import importlib

import pytest
from django.apps import apps
from django.db import connection

from quizzes import rendering
from quizzes.factories import QuestionFactory
from quizzes.models import Question, QuestionOption
from quizzes.services import start_session

pytestmark = pytest.mark.django_db


def test_plain_text_is_escaped_and_keeps_its_line_breaks():
    assert rendering.render("a <b> tag\n__init__ *x*\n\nnext", "plain") == (
        "<p>a &lt;b&gt; tag<br>__init__ *x*</p>\n\n<p>next</p>")


def test_html_keeps_https_links_images_tables_and_code_and_drops_the_rest():
    html = rendering.render('<a href="https://a.example">s</a><a href="http://b.example">h</a>'
                            '<a href="javascript:alert(1)">j</a><img src="https://i.example/p.png" alt="p" onerror="x">'
                            "<table><tr><td>a</td></tr></table><code>c</code><ul><li>l</li></ul>"
                            "<script>alert(1)</script><iframe src='https://e.example'></iframe>", "html")

    assert '<a href="https://a.example" rel="noopener noreferrer nofollow">s</a>' in html
    assert "http://b.example" not in html and "javascript:" not in html
    assert '<img src="https://i.example/p.png" alt="p">' in html
    assert "<td>a</td>" in html and "<code>c</code>" in html and "<li>l</li>" in html
    assert "script" not in html and "alert" not in html and "iframe" not in html


def test_markdown_is_rendered_then_sanitized():
    assert rendering.render("**b** `c` <script>x()</script>", "markdown") == "<p><strong>b</strong> <code>c</code> </p>"


def test_save_renders_and_normalizes_line_endings():
    question = QuestionFactory(question_text="One\r\nTwo **bold**", explanation="Why\r\n", text_format="markdown")

    question.refresh_from_db()
    assert question.question_text == "One\nTwo **bold**" and question.explanation == "Why\n"
    assert question.question_html == "<p>One\nTwo <strong>bold</strong></p>"
    assert question.options.first().option_html == "<p>Option 1</p>"  # the factory's bulk_create rendered


def test_save_with_update_fields_writes_the_html_too():
    question = QuestionFactory(question_text="Before")
    question.question_text, question.text_format = "After <b>x</b>", "plain"

    question.save(update_fields=["question_text", "text_format"])

    question.refresh_from_db()
    assert question.question_html == "<p>After &lt;b&gt;x&lt;/b&gt;</p>"


def test_queryset_update_renders_the_rows_it_changed():
    changed, untouched = QuestionFactory(question_text="A"), QuestionFactory(question_text="B")

    Question.objects.filter(pk=changed.pk).update(explanation="*new*\r\nline")
    QuestionOption.objects.filter(question=changed, display_order=0).update(text="<i>x</i>", text_format="html")

    changed.refresh_from_db()
    assert changed.explanation == "*new*\nline" and changed.explanation_html == "<p><em>new</em>\nline</p>"
    assert changed.options.get(display_order=0).option_html == "<i>x</i>"
    untouched.refresh_from_db()
    assert untouched.explanation_html == "<p>Because the first options are the right ones.</p>"


def test_bulk_update_renders():
    question = QuestionFactory()
    options = list(question.options.all())
    for option in options:
        option.text = f"`{option.text}`"

    QuestionOption.objects.bulk_update(options, ["text"])

    assert question.options.first().option_html == "<p><code>Option 1</code></p>"


def test_pages_print_the_stored_html_without_rendering_it_again(learner_client, learner):
    question = QuestionFactory(question_text="**Source** text")
    with connection.cursor() as cursor:  # what only the stored column says
        cursor.execute("UPDATE questions SET question_html = '<p>Stored <em>html</em></p>' WHERE id = %s",
                       [question.pk])
    session = start_session(user=learner, count=1).session

    body = learner_client.get(f"/quiz/{session.pk}/q/1/").content.decode()

    assert "<p>Stored <em>html</em></p>" in body and "<strong>Source</strong>" not in body


def test_the_migration_renders_every_existing_row():
    question = QuestionFactory(question_text="Old **markdown**")
    with connection.cursor() as cursor:  # a row as it was before the html columns
        cursor.execute("UPDATE questions SET question_html = '', question_text = 'Old\r\n**markdown**' "
                       "WHERE id = %s", [question.pk])
        cursor.execute("UPDATE question_options SET option_html = '' WHERE question_id = %s", [question.pk])
    migration = importlib.import_module("quizzes.migrations.0008_text_format_and_rendered_html")

    migration.render_every_row(apps, None)

    question.refresh_from_db()
    assert question.question_text == "Old\n**markdown**"
    assert question.question_html == "<p>Old\n<strong>markdown</strong></p>"
    assert all(option.option_html for option in question.options.all())


@pytest.mark.parametrize("title, text, label", [
    ("OSPF cost", "Refer to the output: what is it?", "OSPF cost"),
    (None, "Refer to the output:\n\n    show ip route\n\nWhich route wins?", "Which route wins?"),
    (None, "Refer to the exhibit. Which switch is root?", "Which switch is root?"),
    (None, "Refer to the exhibit.", "Refer to the exhibit."),
])
def test_a_question_is_known_by_its_title_or_first_sentence_that_is_not_boilerplate(title, text, label):
    assert str(QuestionFactory(title=title, question_text=text)) == label
