import pytest

from quizzes.factories import CategoryFactory, ExamFactory, QuestionFactory
from quizzes.importexport import gift
from quizzes.importexport.common import PLACEHOLDER_EXPLANATION
from quizzes.importexport.services import export_questions
from quizzes.models import Question, QuestionStatus, QuestionType
from tests.helpers.importexport import bank, options_of

pytestmark = pytest.mark.django_db


def test_an_equals_and_tildes_block_is_single_answer(run_import):
    report = run_import("Who's buried in Grant's tomb?{~Grant ~Jefferson =no one}", "gift")

    question = Question.objects.get()
    assert report.created == 1 and question.type == QuestionType.SINGLE
    assert question.question_text == "Who's buried in Grant's tomb?"
    assert options_of(question) == [("Grant", False), ("Jefferson", False), ("no one", True)]


def test_partial_credit_answers_become_wrong_options_and_the_report_says_so(run_import):
    report = run_import("Difficult question.{~wrong answer ~%50%half credit answer =full credit answer}", "gift")

    assert options_of(Question.objects.get()) == [
        ("wrong answer", False), ("half credit answer", False), ("full credit answer", True)]
    assert any('"half credit answer" had 50% partial credit' in str(w) for w in report.warnings)


def test_only_tildes_with_positive_weights_is_multiple_answer(run_import):
    run_import("What two people are entombed in Grant's tomb? {\n ~%-50%No one\n ~%50%Grant\n"
               " ~%50%Grant's wife\n ~%-50%Grant's father }", "gift")

    question = Question.objects.get()
    assert question.type == QuestionType.MULTIPLE
    assert options_of(question) == [("No one", False), ("Grant", True), ("Grant's wife", True),
                                    ("Grant's father", False)]


@pytest.mark.parametrize("block, truth", [("T", True), ("F", False), ("TRUE", True), ("FALSE", False)])
def test_true_false_is_single_answer_with_options_true_and_false(run_import, block, truth):
    run_import(f"The sun rises in the east.{{{block}}}", "gift")

    assert options_of(Question.objects.get()) == [("True", truth), ("False", not truth)]


def test_a_block_inside_the_text_is_a_missing_word_question(run_import):
    run_import("Grant is {~buried =entombed ~living} in Grant's tomb.", "gift")

    assert Question.objects.get().question_text == "Grant is _____ in Grant's tomb."


@pytest.mark.parametrize("text, kind", [
    ("Who's buried in Grant's tomb?{=no one =nobody}", "short answer"),
    ("When was Ulysses S. Grant born?{#1822:5}", "numerical"),
    ("Match the capitals.{=Canada -> Ottawa =Italy -> Rome}", "matching"),
    ("Write a short biography of Grant.{}", "essay"),
])
def test_unsupported_questions_are_skipped_with_their_line(run_import, text, kind):
    report = run_import(f"// a comment\n\n{text}\n", "gift")

    assert report.ok and not Question.objects.exists()
    assert [(issue.line, issue.kind) for issue in report.skipped] == [(3, kind)]


def test_titles_comments_and_escapes(run_import):
    text = (
        "// [tag:Maths] a comment with a tag\n"
        "::Escapes\\: all of them::Which answer equals 5? {\n"
        "  ~ \\= 2 + 2\n"
        "  = \\= 2 + 3  # right\\: 2 \\+ 3\n"
        "  ~ \\{braces\\} \\~tilde\\~ \\#hash \\\\backslash\n"
        "}"
    )
    report = run_import(text, "gift")

    question = Question.objects.get()
    assert report.created == 1 and question.tags == ["maths"]
    assert options_of(question) == [("= 2 + 2", False), ("= 2 + 3", True), ("{braces} ~tilde~ #hash \\backslash", False)]
    assert question.explanation == "right: 2 \\+ 3"


def test_feedback_becomes_the_explanation(run_import):
    run_import("Q1?{=yes#Because. ~no#Not this one.}\n\nQ2?{=yes ~no ####General feedback.}", "gift")

    first, second = Question.objects.get(question_text="Q1?"), Question.objects.get(question_text="Q2?")
    assert first.explanation == "Because."
    # Moodle's default format is stored as HTML: the feedback of every answer is a list.
    assert first.text_format == "html"
    assert first.detailed_explanation == "<ul><li>yes: Because.</li><li>no: Not this one.</li></ul>"
    assert second.explanation == "General feedback." and second.detailed_explanation is None


def test_no_feedback_gives_the_placeholder_and_a_warning(run_import):
    report = run_import("Q?{=yes ~no}", "gift")

    assert Question.objects.get().explanation == PLACEHOLDER_EXPLANATION
    assert "no feedback to use as the explanation" in str(report.warnings[0])


def test_html_is_kept_as_html_and_never_keeps_script(run_import):
    report = run_import("[html]<p>Is <b>this</b> safe?<script>alert(1)</script></p>{=yes ~no}", "gift")

    question = Question.objects.get()
    assert (question.text_format, question.question_text) == ("html", "<p>Is <b>this</b> safe?</p>")
    assert question.question_html == "<p>Is <b>this</b> safe?</p>"
    assert "<script>" in str(report.warnings[0])


def test_markdown_is_kept(run_import):
    run_import("[markdown]Who's buried in **Grant's tomb**?{=no one ~Grant}", "gift")

    question = Question.objects.get()
    assert (question.text_format, question.question_text) == ("markdown", "Who's buried in **Grant's tomb**?")
    assert question.question_html == "<p>Who's buried in <strong>Grant's tomb</strong>?</p>"


def test_category_lines_map_to_categories_by_code_or_name_case_insensitively(run_import):
    ospf, qos = CategoryFactory(code="OSPF", name="Open Shortest Path First"), CategoryFactory(code="QOS", name="QoS")
    text = ("$CATEGORY: $course$/top/CCNA/open shortest path first\n\nQ1?{=a ~b}\n\n"
            "$CATEGORY: qos\n\nQ2?{=a ~b}")

    run_import(text, "gift")

    assert list(Question.objects.get(question_text="Q1?").categories.all()) == [ospf]
    assert list(Question.objects.get(question_text="Q2?").categories.all()) == [qos]


def test_an_unknown_category_takes_the_default_with_a_warning(run_import):
    default = CategoryFactory(code="MISC")

    report = run_import("$CATEGORY: Nowhere\n\nQ?{=a ~b}", "gift", category=default)

    assert list(Question.objects.get().categories.all()) == [default]
    assert 'line 1: $CATEGORY "Nowhere" matches no category' in str(report.warnings[0])


def test_an_unknown_category_without_a_default_imports_nothing_and_names_the_line(run_import):
    report = run_import("Q0?{=a ~b}\n\n$CATEGORY: Nowhere\n\nQ?{=a ~b}", "gift")

    assert [error.line for error in report.errors] == [3]
    assert not Question.objects.exists()


def test_the_default_exam_and_status_apply(run_import):
    exam = ExamFactory(code="CCNA")

    run_import("Q?{=a ~b}", "gift", exam=exam, status=QuestionStatus.PENDING)

    question = Question.objects.get()
    assert list(question.exams.all()) == [exam] and question.status == QuestionStatus.PENDING


@pytest.mark.parametrize("text, line, message", [
    ("Q1?{=a ~b}\n\nQ2?\n{=a ~b\n", 4, "unbalanced braces"),
    ("Q1?{=a ~b}\n\nQ2? =a ~b}", 3, "unbalanced braces"),
    ("Q1?{=a ~b}\n\n\nQ2?{~a ~b ~c}", 4, "no correct answer"),
    ("Q1?{=a ~b}\n\nQ2?{=a ~b} and {=c ~d}", 3, "a second answer block"),
    ("Q?{=a ~a}", 1, "same text"),
])
def test_a_broken_file_imports_nothing_and_names_the_line(run_import, text, line, message):
    report = run_import(text, "gift")

    assert not report.ok and not Question.objects.exists()
    assert report.errors[0].line == line and message in report.errors[0].message


def test_a_question_already_in_the_bank_is_a_duplicate_and_a_second_import_adds_nothing(run_import):
    text = "Q?{=a ~b}\n\nQ?{~b =a}\n\nOther?{=a ~b}"

    first = run_import(text, "gift")
    second = run_import(text, "gift")

    assert first.created == 2 and [d.line for d in first.duplicates] == [3]
    assert "same text and answers as the question on line 1" in str(first.duplicates[0])
    assert second.created == 0 and len(second.duplicates) == 3
    assert Question.objects.count() == 2


def test_wrapped_lines_do_not_hide_a_duplicate(run_import):
    run_import("The holiday is\ncelebrated on the {~second =fourth} Thursday.", "gift")

    report = run_import("The holiday is celebrated on the {~second =fourth} Thursday.", "gift")

    assert report.created == 0 and len(report.duplicates) == 1


def test_an_export_imports_back_with_the_same_questions(run_import, staff):
    category = CategoryFactory(code="OSPF")
    QuestionFactory(question_text="Paragraph one: {braces} ~ = # :\n\nParagraph two \\ end",
                    explanation="Explained\n\nat length.", tags=["ospf", "lsa"], categories=[category])
    QuestionFactory(type=QuestionType.MULTIPLE, options__correct=3, options__count=5)
    before = bank()
    exported = export_questions(Question.objects.all(), format="gift")
    Question.objects.all().delete()

    report = run_import(exported, "gift")

    assert report.ok and report.created == 2, report.errors
    after = bank()
    for text, question in before.items():
        for field in ("type", "options", "tags", "categories", "explanation"):
            assert after[text][field] == question[field], field


def test_multiple_right_equals_answers_are_skipped_not_imported_wrong():
    parsed = gift.parse("Q?{=a =b ~c}")

    assert not parsed.questions and parsed.skipped[0].kind == "several right answers"


def test_text_without_an_answer_block_is_a_skipped_description():
    parsed = gift.parse("::Intro::This section is about OSPF.")

    assert not parsed.questions and [(s.line, s.kind) for s in parsed.skipped] == [(1, "description")]


def test_a_single_positive_weight_makes_a_single_answer_question():
    parsed = gift.parse("Q?{~%100%right ~wrong ~%-50%worse}")

    (question,) = parsed.questions
    assert question.type == QuestionType.SINGLE
    assert [(o.text, o.is_correct) for o in question.options] == [("right", True), ("wrong", False), ("worse", False)]
    assert not question.warnings[:-1]  # only the placeholder explanation


def test_html_lists_and_code_stay_html():
    parsed = gift.parse("[html]<p>Which is true?</p><ul><li>one</li><li><code>two</code></li></ul>{=a ~b}")

    assert parsed.questions[0].text == "<p>Which is true?</p><ul><li>one</li><li><code>two</code></li></ul>"
    assert parsed.questions[0].text_format == "html"
