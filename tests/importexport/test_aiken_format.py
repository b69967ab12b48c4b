import pytest

from quizzes.factories import CategoryFactory, ExamFactory, QuestionFactory
from quizzes.importexport import aiken
from quizzes.importexport.common import PLACEHOLDER_EXPLANATION
from quizzes.importexport.services import export_questions
from quizzes.models import Question, QuestionType
from tests.helpers.importexport import options_of

pytestmark = pytest.mark.django_db

TWO_QUESTIONS = """\
What is the default administrative distance
of OSPF?
A) 90
B) 110
C) 120
ANSWER: B

Which port does BGP use?
A. TCP 179
B. UDP 179
ANSWER: A
"""


def test_questions_options_and_answer_are_read(run_import):
    exam, category = ExamFactory(code="CCNA"), CategoryFactory(code="OSPF")

    report = run_import(TWO_QUESTIONS, "aiken", exam=exam, category=category)

    assert report.ok and report.created == 2
    ospf = Question.objects.get(question_text="What is the default administrative distance\nof OSPF?")
    assert ospf.type == QuestionType.SINGLE
    assert options_of(ospf) == [("90", False), ("110", True), ("120", False)]
    assert list(ospf.exams.all()) == [exam] and list(ospf.categories.all()) == [category]
    assert options_of(Question.objects.get(question_text="Which port does BGP use?")) == [
        ("TCP 179", True), ("UDP 179", False)]


def test_the_missing_explanation_is_a_placeholder_and_a_warning(run_import):
    report = run_import(TWO_QUESTIONS, "aiken")

    assert {q.explanation for q in Question.objects.all()} == {PLACEHOLDER_EXPLANATION}
    assert [w.line for w in report.warnings] == [1, 8]


@pytest.mark.parametrize("text, line, message", [
    ("Q1?\nA) a\nB) b\nANSWER: A\n\nQ2?\nA) a\nB) b\n\nQ3?\nA) a\nB) b\nANSWER: B\n", 6, "no ANSWER"),
    ("Q1?\nA) a\nB) b\n", 1, "no ANSWER"),
    ("Q1?\nA) a\nB) b\nANSWER: C\n", 4, "not one of the options"),
    ("Q1?\nA) a\nB) b\nANSWER: A, B\n", 4, "one letter"),
    ("Q1?\nA) a\nA) b\nANSWER: A\n", 1, "same letter"),
    ("Q1?\nA) a\nANSWER: A\n", 1, "2 to 6 options"),
    ("ANSWER: A\n", 1, "without a question"),
    ("Q1?\n", 1, "no options"),
])
def test_a_broken_file_imports_nothing_and_names_the_line(run_import, text, line, message):
    report = run_import(text, "aiken")

    assert not report.ok and not Question.objects.exists()
    assert report.errors[0].line == line and message in report.errors[0].message


def test_importing_twice_adds_nothing(run_import):
    run_import(TWO_QUESTIONS, "aiken")

    report = run_import(TWO_QUESTIONS, "aiken")

    assert report.created == 0 and len(report.duplicates) == 2
    assert Question.objects.count() == 2


def test_an_export_imports_back_and_leaves_out_multiple_answer_questions(run_import):
    QuestionFactory(question_text="Single?")
    QuestionFactory(question_text="Multiple?", type=QuestionType.MULTIPLE)
    exported = export_questions(Question.objects.all(), format="aiken")
    before = options_of(Question.objects.get(question_text="Single?"))
    Question.objects.all().delete()

    report = run_import(exported, "aiken")

    assert report.created == 1
    assert options_of(Question.objects.get(question_text="Single?")) == before


def test_script_is_never_stored():
    parsed = aiken.parse("Safe?<script>alert(1)</script>\nA) yes\nB) no\nANSWER: A\n")

    assert parsed.questions[0].text == "Safe?"
