"""GIFT and Aiken text in its own format: prefixes honoured and stripped, HTML kept (sanitized,
with a warning naming the line), plain text stored as plain, Moodle's leniencies with warnings."""

import pytest

from quizzes.importexport import aiken, gift
from quizzes.models import Question

pytestmark = pytest.mark.django_db


def only_question(text: str):
    parsed = gift.parse(text)
    assert not parsed.errors, parsed.errors
    (question,) = parsed.questions
    return parsed, question


@pytest.mark.parametrize("prefix, stored_format", [("[plain]", "plain"), ("[markdown]", "markdown"),
                                                   ("[html]", "html"), ("[PLAIN]", "plain")])
def test_an_answer_prefix_is_its_format_and_is_stripped(prefix, stored_format):
    _, question = only_question(f"Colour of the sky?{{={prefix}blue ~red}}")

    right = question.options[0]
    assert (right.text, right.text_format) == ("blue", stored_format)


def test_feedback_prefixes_are_stripped_from_answer_and_general_feedback():
    _, question = only_question("[plain]Q?{=yes#[plain]Right. ~no#[html]<em>wrong</em> ####[html]<p>General</p>}")

    assert "[html]" not in question.explanation and "[plain]" not in question.explanation
    assert "[html]" not in (question.detailed_explanation or "")
    # Plain and HTML pieces share one field: written as HTML, each piece rendered from its own format.
    assert question.text_format == "html"
    assert question.explanation == "<p>General</p>"
    assert "<em>wrong</em>" in question.detailed_explanation and "Right." in question.detailed_explanation


def test_the_question_prefix_is_the_default_of_its_answers_as_in_moodle():
    _, question = only_question("[plain]Which tag? {=a <b> tag ~none}")

    assert question.text_format == "plain"
    assert [(o.text, o.text_format) for o in question.options] == [("a <b> tag", "plain"), ("none", "plain")]


def test_plain_text_is_stored_as_written_and_shown_exactly(run_import):
    run_import("[plain]What does __init__ do in *literal* A \\\\ B?\\nSecond line{=a <b> tag ~other}", "gift")

    question = Question.objects.get()
    assert question.text_format == "plain"
    assert question.question_text == "What does __init__ do in *literal* A \\ B?\nSecond line"
    assert question.question_html == "<p>What does __init__ do in *literal* A \\ B?<br>Second line</p>"
    option = question.options.get(is_correct=True)
    assert option.option_html == "<p>a &lt;b&gt; tag</p>"


def test_html_keeps_links_images_tables_and_code(run_import):
    text = ('[html]<p>Listen: <a href="https://example.com/a.mp3">audio</a></p>'
            '<img src="https://example.com/t.png" alt="topology">'
            "<table><tr><td>R1</td><td>10.0.0.1</td></tr></table><pre><code>show ip route</code></pre>{=a ~b}")
    report = run_import(text, "gift")

    html = Question.objects.get().question_html
    assert '<a href="https://example.com/a.mp3"' in html
    assert '<img src="https://example.com/t.png" alt="topology">' in html
    assert "<td>R1</td><td>10.0.0.1</td>" in html
    assert "<pre><code>show ip route</code></pre>" in html
    assert not [w for w in report.warnings if "removed" in w.message]


def test_html_entities_stay_text(run_import):
    run_import("[html]Syntax: ip address &lt;ip&gt; &lt;mask&gt;{=a ~b}", "gift")

    question = Question.objects.get()
    assert question.question_text == "Syntax: ip address &lt;ip&gt; &lt;mask&gt;"
    assert "&lt;ip&gt; &lt;mask&gt;" in question.question_html


def test_what_the_sanitizer_drops_is_a_warning_naming_its_line(run_import):
    text = "First?{=a ~b}\n\n[html]Second\n<p onclick='x()'>see <a href='http://insecure.example'>link</a></p>\n" \
           "<audio src='https://example.com/a.mp3'></audio>{=a ~b}"
    report = run_import(text, "gift")

    (warning,) = [w for w in report.warnings if "removed" in w.message]
    assert warning.line == 3
    assert "<audio>" in warning.message and "onclick" in warning.message and "http:" in warning.message
    question = Question.objects.get(question_text__startswith="Second")
    assert "http://insecure" not in question.question_html and "onclick" not in question.question_html


def test_script_never_reaches_the_page_in_any_format(run_import):
    run_import("[html]Q1<script>alert(1)</script>?{=a ~b}\n\n[markdown]Q2 <script>alert(2)</script>?{=a ~b}\n\n"
               "[plain]Q3 <script>alert(3)</script>?{=a ~b}", "gift")

    for question in Question.objects.all():
        assert "<script" not in question.question_html


def test_moodle_auto_format_keeps_line_breaks_and_is_not_markdown(run_import):
    run_import("What does __init__ do\nin *literal* terms?{=a ~b}", "gift")

    question = Question.objects.get()
    assert question.text_format == "html"
    assert question.question_html == "What does __init__ do<br>\nin *literal* terms?"


def test_unclosed_title_is_read_as_moodle_does_with_a_warning():
    parsed, question = only_question("::Title without end\nQ?{=a ~b}")

    assert question.title is None and question.text.startswith("Title without end")
    assert any("not closed" in w.message and w.line == 1 for w in question.warnings)


def test_text_before_the_first_answer_marker_is_a_wrong_answer_with_a_warning():
    _, question = only_question("Q?\n{foo ~bar =baz}")

    assert [(o.text, o.is_correct) for o in question.options] == [("foo", False), ("bar", False), ("baz", True)]
    assert any('"foo"' in w.message and w.line == 2 for w in question.warnings)


def test_aiken_text_is_plain():
    parsed = aiken.parse("What is __init__ in *Python*?\nA) a <b> tag\nB) A \\ B\nANSWER: B\n")

    (question,) = parsed.questions
    assert question.text_format == "plain" and {o.text_format for o in question.options} == {"plain"}
    assert question.options[1].text == "A \\ B"


def test_aiken_option_without_a_space_is_read_with_a_warning():
    parsed = aiken.parse("Which?\nA)First\nB)Second\nANSWER: B\n")

    assert not parsed.errors
    assert [o.text for o in parsed.questions[0].options] == ["First", "Second"]
    assert [w.line for w in parsed.warnings] == [2, 3]


def test_gift_export_writes_each_format_and_imports_back(run_import):
    from quizzes.importexport.services import export_questions, parse_file

    run_import("::Sky::[plain]Colour *of* the sky?{=[html]<b>blue</b> ~red}", "gift")
    exported = export_questions(Question.objects.all(), format="gift")

    assert "::Sky::[plain]Colour *of* the sky?" in exported and "=[html]<b>blue</b>" in exported
    question = parse_file(exported, "gift").questions[0]
    assert (question.title, question.text_format, question.options[0].text_format) == ("Sky", "plain", "html")


def test_html_is_stored_sanitized_so_the_editor_edits_what_learners_read():
    _, question = only_question("[html]<p onclick='x()'>Hi <audio src='https://x.example/a.mp3'></audio></p>{=a ~b}")

    assert question.text == "<p>Hi </p>"


def test_messages_name_an_html_question_by_its_words_not_its_tags():
    parsed = gift.parse("[html]<p>Is <b>this</b> &lt;ok&gt;?</p>{=a ~b}")

    assert parsed.questions[0].warnings[0].message.startswith('"Is this <ok>?": no feedback')
    assert parsed.questions[0].label == '"Is this <ok>?"'
